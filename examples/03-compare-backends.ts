/**
 * Check one backend's kernels against another's, the way the project's own parity suite does:
 * both compute the forward outputs and every layer's gradients on the same batch, from the same
 * weights, for a few steps; each tensor's largest absolute and relative error is compared with
 * the tolerance model of test/parity.test.ts (float32 kernels against the float32 reference).
 *
 *     npx tsx examples/03-compare-backends.ts [A] [B]       (default: reference wasm)
 *
 * Exit code 0 when every tensor is within tolerance, 1 otherwise. Without a `spec` option the
 * network is the study's (4 hidden layers of 128, ReLU, sigmoid output).
 */

import { compareBackends } from "coordnet";

const [a = "reference", b = "wasm"] = process.argv.slice(2);
const report = await compareBackends(a, b, { batch: 256, steps: 3, seed: 0 });

const fmt = (v: number) => v.toExponential(2);
console.log(`${a} vs ${b}: batch 256, 3 steps, seed 0`);
console.log(`${"tensor".padEnd(24)} ${"max abs".padStart(9)} ${"max rel".padStart(9)}  tolerance  result`);
for (const t of report.tensors) {
  const tolerance = typeof t.tolerance === "number" ? fmt(t.tolerance) : JSON.stringify(t.tolerance);
  console.log(`${t.name.padEnd(24)} ${fmt(t.maxAbs).padStart(9)} ${fmt(t.maxRel).padStart(9)}  ${tolerance}  ${t.pass ? "pass" : "FAIL"}`);
}
console.log(report.pass ? `PASS: ${b} matches ${a} on all ${report.tensors.length} tensors` : `FAIL: ${b} differs from ${a}`);
process.exitCode = report.pass ? 0 : 1;
