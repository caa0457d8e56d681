#!/usr/bin/env node
// The installed `paykit` binary: runs the built CLI (see src/bin.ts).
import '../dist/bin.js';
