import { execFileSync } from "node:child_process";

// The CLI tests run the built command (bin/coordnet.js → dist/), as users do: build it first so
// they never test a stale dist/ (nor stale compiled-in presets).
export default function setup(): void {
  execFileSync(process.execPath, ["scripts/generate.mjs"], { stdio: "inherit" });
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
