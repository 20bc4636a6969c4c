import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, expect, it } from "vitest";
import { ReferenceTrainer } from "../dist/backends/reference.js";
import type { Trainer, TrainerOptions } from "../dist/backends/registry.js";
import { ACTIVATION_NAMES, type ActivationName } from "../dist/reference/activations/index.js";
import { createMLP } from "../dist/reference/mlp.js";
import { Rng } from "../dist/reference/rng.js";
import { epochOrder } from "../dist/training/shuffle.js";
import { type BackendCase, describeBackends, expectRanOn, teardown } from "./backends.js";

// Backend parity: every backend computes what the float32 reference computes, within stated
// tolerances, over random architectures (fast-check). Quantities: forward outputs, every gradient
// (read from Adam's first moment after one step from zero: m₁ = (1 − β₁)·g), and weights, moments
// and the loss after an epoch of k = 2 Adam steps whose second batch is short.
//
// Tolerances. The float32 reference is itself only an approximation of the exact computation,
// and its error depends on how well conditioned the network is (a deep sine network multiplies a
// perturbation by up to 30 per layer). So the suite measures that error for each case: it runs the
// reference in float64 too, and a backend may differ from the float32 reference by
//   C·|ref32 − ref64| + atol·scale + rtol·|ref32|,   C = 20, atol = rtol = 1e-4,
// where `scale` is the largest |ref32| of the quantity (sums cancel: a gradient entry near 0 is the
// difference of terms as large as the largest entries, so its float32 error scales with them).
// Why: gpu.js sums in float32 in its own order, so its deviation from the exact result is of the
// order of the float32 reference's own deviation, |ref32 − ref64|, and a few float32 roundings of
// dot products of ≤ 2048 terms (√n·2⁻²⁴ ≈ 3e-6 relative) beyond it — rounding the reference's
// float64 sums once does not show that accumulation error, so the atol term carries it. A sine
// layer multiplies the error of its input by up to ω₀ = 30 (relu, tanh, sigmoid, elu: ≤ 1; gelu:
// ≤ 1.13), so sine networks get 10× the atol term. WGSL only promises sin/cos to 2⁻¹¹ ≈ 5e-4
// absolute on [−π, π] (less outside) and sine networks feed them tens of radians: on webgpu they
// get 300× per sine layer (30·2⁻¹¹ ≈ 1.5e-2 relative per layer, against atol = 1e-4), and sine networks
// deeper than 2 hidden layers are not compared there (see SINE_DEPTH). Weights after Adam move by ≈ lr·m/√v per
// step; where a gradient sits at its float32 noise floor (|g| < 1e-4·scale) m/√v can take either
// sign, so those entries are held to the bound they cannot exceed, 2·k·lr (k = 3 steps).
// NaN never equals anything (the comparisons fail on NaN). A wrong kernel gives O(1) relative errors.

const ATOL = 1e-4;
const RTOL = 1e-4;
const LR = 1e-3;
const adam = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
const worst: Record<string, Record<string, number>> = {};

interface Arch {
  inputs: number;
  width: number;
  depth: number;
  activation: ActivationName;
  outputActivation: ActivationName;
  batch: number;
  seed: number;
}

const PRIMES = [1, 2, 3, 7, 13, 31, 61, 127, 131, 197, 199];
const small = fc.record({
  inputs: fc.constantFrom(2, 20, 40, 42),
  width: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.constantFrom(...PRIMES)),
  depth: fc.integer({ min: 1, max: 5 }),
  activation: fc.constantFrom(...ACTIVATION_NAMES),
  outputActivation: fc.constantFrom<ActivationName>("sigmoid", "identity"),
  batch: fc.integer({ min: 1, max: 48 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});
// batches above gpu.js's default loopMaxIterations (1000): every batch loop must run to the end
const longBatch = fc.record({
  inputs: fc.constantFrom(2, 20),
  width: fc.integer({ min: 1, max: 12 }),
  depth: fc.integer({ min: 1, max: 2 }),
  activation: fc.constantFrom(...ACTIVATION_NAMES),
  outputActivation: fc.constantFrom<ActivationName>("sigmoid", "identity"),
  batch: fc.integer({ min: 1001, max: 2048 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});
// a width above the loop limit (the output layer's and input gradient's loops over 1031 units)
const WIDE: Arch = { inputs: 2, width: 1031, depth: 1, activation: "tanh", outputActivation: "sigmoid", batch: 3, seed: 5 };

function options(arch: Arch): TrainerOptions {
  const spec = { inputs: arch.inputs, outputs: 3, width: arch.width, depth: arch.depth, activation: arch.activation, outputActivation: arch.outputActivation };
  const mlp = createMLP(spec, new Rng(arch.seed, "init"), arch.activation === "sine" ? "siren" : "torch");
  return { spec, adam, weights: mlp.layers.map((l) => ({ weight: l.weight as Float32Array, bias: l.bias as Float32Array })), maxBatch: arch.batch };
}

function record(backend: string, quantity: string, err: number): void {
  worst[backend] ??= {};
  worst[backend][quantity] = Math.max(worst[backend][quantity] ?? 0, err);
}

const C = 20;

/**
 * On webgpu, sine networks are compared up to this depth: each sine layer multiplies WGSL's
 * sin error (up to 2⁻¹¹ absolute) by up to 30, so deeper SIRENs legitimately differ by percents
 * between conformant implementations.
 */
const SINE_DEPTH: Record<string, number> = { webgpu: 2 };

/**
 * |actual − ref32| ≤ C·|ref32 − ref64| + factor·atol·scale + rtol·|ref32| element-wise; records the
 * largest |actual − ref32| for the report.
 */
function compare(
  backend: string,
  quantity: string,
  actual: ArrayLike<number>,
  ref32: ArrayLike<number>,
  ref64: ArrayLike<number>,
  factor = 1,
  skip?: (k: number) => boolean,
  extra?: (k: number) => number,
): void {
  expect(actual.length).toBe(ref32.length);
  let scale = 0;
  for (let k = 0; k < ref32.length; k++) scale = Math.max(scale, Math.abs(ref32[k]));
  let maxErr = 0;
  for (let k = 0; k < ref32.length; k++) {
    if (skip?.(k)) continue;
    const err = Math.abs(actual[k] - ref32[k]);
    const bound = C * Math.abs(ref32[k] - ref64[k]) + factor * ATOL * scale + RTOL * Math.abs(ref32[k]) + (extra?.(k) ?? 0);
    if (!(err <= bound)) throw new Error(`${quantity}[${k}]: ${backend} ${actual[k]}, reference ${ref32[k]} (float64: ${ref64[k]}), |diff| ${err} > ${bound}`);
    maxErr = Math.max(maxErr, err);
  }
  record(backend, quantity, maxErr);
}

const flat = (t: Trainer) => t.getWeights().flatMap((w) => [w.weight, w.bias]);

async function checkArch(backend: BackendCase, input: Arch): Promise<void> {
  const arch = input.activation === "sine" ? { ...input, depth: Math.min(input.depth, SINE_DEPTH[backend.name] ?? input.depth) } : input;
  const opts = options(arch);
  const factor = arch.activation !== "sine" ? 1 : backend.name === "webgpu" ? 300 * arch.depth : 10;
  const rng = new Rng(arch.seed, "data");
  const N = arch.batch + 1 + Math.floor(rng.next() * arch.batch); // two batches, the second short
  const inputs = Float32Array.from({ length: N * arch.inputs }, () => rng.uniform(-1, 1));
  const targets = Float32Array.from({ length: N * 3 }, () => rng.next());
  const ref = new ReferenceTrainer(opts);
  const r64 = new ReferenceTrainer(opts, "float64");
  const before = flat(ref);
  const gpu = await backend.create(opts);
  try {
    // forward
    compare(backend.name, "forward", await gpu.predict(inputs, N), await ref.predict(inputs, N), await r64.predict(inputs, N), factor);
    expectRanOn(gpu, backend);
    // gradients: one step from zero moments, g = m₁/(1 − β₁)
    const count = Math.min(arch.batch, N);
    for (const t of [gpu, ref, r64]) await t.step(inputs, targets, count, LR);
    const grads = (t: Trainer) => t.getOptimizerState().m.map((m) => m.map((v) => v / 0.1));
    const gRef = grads(ref);
    const g64 = grads(r64);
    grads(gpu).forEach((g, k) => {
      compare(backend.name, "gradient", g, gRef[k], g64[k], factor);
    });
    // an epoch of two more steps (the second batch short): loss, weights, moments
    const order = epochOrder(N, new Rng(arch.seed, "shuffle"));
    const losses = [];
    for (const t of [gpu, ref, r64]) losses.push((await t.epoch(inputs, targets, order, arch.batch, LR)).lossSum / N);
    compare(backend.name, "loss", [losses[0]], [losses[1]], [losses[2]], factor);
    const [sGpu, sRef, s64] = [gpu, ref, r64].map((t) => t.getOptimizerState());
    expect(sGpu.step).toBe(sRef.step);
    sGpu.m.forEach((m, k) => {
      compare(backend.name, "adam m", m, sRef.m[k], s64.m[k], factor);
    });
    sGpu.v.forEach((v, k) => {
      compare(backend.name, "adam v", v, sRef.v[k], s64.v[k], factor);
    });
    const [wGpu, wRef, w64] = [gpu, ref, r64].map(flat);
    wGpu.forEach((w, k) => {
      const gScale = Math.max(...Array.from(gRef[k], Math.abs));
      const noisy = (i: number) => Math.abs(gRef[k][i]) < 1e-2 * gScale;
      const update = (i: number) => factor * 1e-2 * Math.abs(wRef[k][i] - before[k][i]);
      compare(backend.name, "weights after Adam", w, wRef[k], w64[k], factor, noisy, update);
      for (let i = 0; i < w.length; i++) if (noisy(i)) expect(Math.abs(w[i] - wRef[k][i])).toBeLessThanOrEqual(2 * 3 * LR + 1e-6);
    });
  } finally {
    await gpu.dispose();
  }
}

const RUNS: Record<string, number> = { wasm: 16, "gpujs-cpu": 8, webasm: 12, webgpu: 4 };

describeBackends("parity with the float32 reference", (backend) => {
  it("over random architectures: all activations, inputs 2–42, depth 1–5, widths 1–200 with primes, batches 1–48", async () => {
    await fc.assert(
      fc.asyncProperty(small, (arch) => checkArch(backend, arch)),
      { numRuns: RUNS[backend.name], seed: Number(process.env.PARITY_SEED ?? 20261127), endOnFailure: true },
    );
  });

  it("over batches above gpu.js's default loop limit (1001–2048)", async () => {
    await fc.assert(
      fc.asyncProperty(longBatch, (arch) => checkArch(backend, arch)),
      { numRuns: Math.max(2, RUNS[backend.name] / 4), seed: Number(process.env.PARITY_SEED ?? 20261127), endOnFailure: true },
    );
  });

  it("with a width above the loop limit (1031 units)", async () => {
    await checkArch(backend, WIDE);
  });
});

afterAll(async () => {
  await teardown();
  if (process.env.PARITY_REPORT) writeFileSync(process.env.PARITY_REPORT, `${JSON.stringify(worst, null, 2)}\n`);
});
