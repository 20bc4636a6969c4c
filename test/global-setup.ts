import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

// The CLI tests run the built command (bin/coordnet.js → dist/), as users do: build it first so
// they never test a stale dist/ (nor stale compiled-in presets). The Chromium suites share one
// built site per run (test/browser-harness.ts sharedSite): named here, built by the first suite
// that needs it, removed at the end.
export default function setup(project: TestProject): () => void {
  execFileSync(process.execPath, ["scripts/generate.mjs"], { stdio: "inherit" });
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
  const siteDir = join(tmpdir(), `coordnet-site-${process.pid}-${Date.now()}`);
  project.provide("siteDir", siteDir);
  return () => {
    rmSync(siteDir, { recursive: true, force: true });
    rmSync(`${siteDir}.lock`, { recursive: true, force: true });
  };
}
