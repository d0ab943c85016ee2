#!/usr/bin/env node
// --debug shows stack traces: map them to the TypeScript sources (dist/bundle is one bundle of many modules).
// Source maps apply only to modules loaded after this, so it comes before the import.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { main } = await import('../dist/bundle/cli.js');

process.exitCode = await main(process.argv);
