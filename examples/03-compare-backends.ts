/**
 * Check one backend's kernels against another's, the way the project's own parity suite does:
 * both compute the forward outputs and every layer's gradients on the same batch, from the same
 * weights, for a few steps; each tensor's largest absolute and relative error is compared with
 * the tolerance model that test/parity.test.ts documents (float32 kernels against the float32
 * reference).
 *
 *     npx tsx examples/03-compare-backends.ts [A] [B]       (default: reference wasm)
 *
 * Exit code 0 when every tensor is within tolerance, 1 otherwise. Without a `spec` option the
 * network is the study's (4 hidden layers of 128, ReLU, sigmoid output).
 */

import { compareBackends } from "coordnet";

const [a = "reference", b = "wasm"] = process.argv.slice(2);
const report = await compareBackends(a, b, { batch: 256, steps: 3, seed: 0 });

const fmt = (v: number) => v.toExponential(2).padStart(9);
console.log(`${report.b.backend} against ${report.a.backend} (as they reported themselves): batch ${report.batch}, ${report.steps} steps, seed ${report.seed}`);
console.log("an entry's bound: 20·|a − a in float64| + atol·scale + rtol·|a| (atol = rtol = 1e-4); a tensor passes when worst/bound ≤ 1");
console.log(`${"tensor".padEnd(36)} ${"max abs".padStart(9)} ${"max rel".padStart(9)} ${"worst/bound".padStart(11)}  result`);
for (const t of report.tensors)
  console.log(`${t.name.padEnd(36)} ${fmt(t.maxAbs)} ${fmt(t.maxRel)} ${t.worstRatio.toFixed(3).padStart(11)}  ${t.pass ? "pass" : "FAIL"}`);
console.log(report.pass ? `PASS: ${b} matches ${a} on all ${report.tensors.length} tensors` : `FAIL: ${b} differs from ${a}`);
process.exitCode = report.pass ? 0 : 1;
