import { describeProviderConformance } from '@paykit/conformance';
import { conformanceHarness } from '../src/testing.js';

describeProviderConformance(conformanceHarness());
