#!/usr/bin/env node
// The `coordnet` command. The TypeScript sources are compiled to dist/ by `npm run build`
// (run automatically by `npm ci` / `npm install` through the `prepare` script).
import { main } from "../dist/cli/main.js";

const code = await main(process.argv);
// Exit once the output is flushed: a WebGPU (Dawn) instance or a worker pool left behind by a
// backend must not keep the process alive after the work is done.
await new Promise((resolve) => process.stdout.write("", resolve));
await new Promise((resolve) => process.stderr.write("", resolve));
process.exit(code);
