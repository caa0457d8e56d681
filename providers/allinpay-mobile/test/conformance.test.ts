import { describeProviderConformance } from '@paykit/conformance';
import { conformanceHarness } from '../src/index.js';

describeProviderConformance(conformanceHarness());
