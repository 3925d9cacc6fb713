#!/usr/bin/env node
// Installed bin (package.json "bin"): runs the TypeScript entry point through tsx.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

register();
await import(join(dirname(fileURLToPath(import.meta.url)), 'main.ts'));
