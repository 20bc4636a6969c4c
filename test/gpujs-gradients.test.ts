import fc from "fast-check";
import { afterAll, expect, it } from "vitest";
import { ReferenceTrainer } from "../dist/backends/reference.js";
import type { Trainer, TrainerOptions } from "../dist/backends/types.js";
import { ACTIVATION_NAMES, type ActivationName } from "../dist/reference/activations/index.js";
import { createMLP } from "../dist/reference/mlp.js";
import { Rng } from "../dist/reference/rng.js";
import { describeBackends, expectRanOn, teardown } from "./backends.js";

// Trainer.gradients() on the gpu.js backends: one batch's forward outputs, loss and every layer's
// dW and db, against the reference's gradients() in float32 — with no step taken (weights, Adam's
// moments and step count unchanged, bit for bit). The batch is often shorter than the trainer's
// maxBatch, so the padding rows of the kernels must contribute nothing.
//
// Tolerance: test/parity.test.ts's model, element-wise
//   |actual − ref32| ≤ 20·|ref32 − ref64| + factor·1e-4·max|ref32| + 1e-4·|ref32|,
// the float32 reference's own error (measured against float64) plus a few float32 roundings of
// sums of ≤ 48 terms; sine layers multiply errors by up to ω₀ = 30, hence factor 10 (300 per
// layer on webgpu, whose sin is only promised to 2⁻¹¹, and sine networks there at most 2 deep).
// A wrong kernel gives O(1) relative errors.

const ATOL = 1e-4;
const RTOL = 1e-4;
const C = 20;
const SINE_DEPTH: Record<string, number> = { "gpujs-webgpu": 2 };
const RUNS: Record<string, number> = { "gpujs-cpu": 8, "gpujs-wasm": 8, "gpujs-webgpu": 3 };

const arch = fc.record({
  inputs: fc.constantFrom(2, 20, 42),
  width: fc.integer({ min: 1, max: 64 }),
  depth: fc.integer({ min: 1, max: 4 }),
  activation: fc.constantFrom(...ACTIVATION_NAMES),
  outputActivation: fc.constantFrom<ActivationName>("sigmoid", "identity"),
  maxBatch: fc.integer({ min: 1, max: 48 }),
  short: fc.integer({ min: 0, max: 47 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

function compare(quantity: string, actual: ArrayLike<number>, ref32: ArrayLike<number>, ref64: ArrayLike<number>, factor: number): void {
  expect(actual.length).toBe(ref32.length);
  let scale = 0;
  for (let k = 0; k < ref32.length; k++) scale = Math.max(scale, Math.abs(ref32[k]));
  for (let k = 0; k < ref32.length; k++) {
    const err = Math.abs(actual[k] - ref32[k]);
    const bound = C * Math.abs(ref32[k] - ref64[k]) + factor * ATOL * scale + RTOL * Math.abs(ref32[k]);
    if (!(err <= bound)) throw new Error(`${quantity}[${k}]: ${actual[k]}, reference ${ref32[k]} (float64: ${ref64[k]}), |diff| ${err} > ${bound}`);
  }
}

const snapshot = async (t: Trainer) => {
  const s = await t.getOptimizerState();
  return { step: s.step, arrays: [...(await t.getWeights()).flatMap((w) => [w.weight, w.bias]), ...s.m, ...s.v].map((a) => Array.from(a)) };
};

describeBackends(
  "gradients() without a step",
  (backend) => {
    it("equal the reference's outputs, loss, dW and db over random architectures and short batches, and change nothing", async () => {
      await fc.assert(
        fc.asyncProperty(arch, async (a) => {
          const depth = a.activation === "sine" ? Math.min(a.depth, SINE_DEPTH[backend.name] ?? a.depth) : a.depth;
          const factor = a.activation !== "sine" ? 1 : backend.name === "gpujs-webgpu" ? 300 * depth : 10;
          const spec = { inputs: a.inputs, outputs: 3, width: a.width, depth, activation: a.activation, outputActivation: a.outputActivation };
          const mlp = createMLP(spec, new Rng(a.seed, "init"), a.activation === "sine" ? "siren" : "torch");
          const options: TrainerOptions = {
            spec,
            adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
            weights: mlp.layers.map((l) => ({ weight: l.weight as Float32Array, bias: l.bias as Float32Array })),
            maxBatch: a.maxBatch,
          };
          const count = a.maxBatch - Math.min(a.short, a.maxBatch - 1);
          const rng = new Rng(a.seed, "data");
          const inputs = Float32Array.from({ length: count * a.inputs }, () => rng.uniform(-1, 1));
          const targets = Float32Array.from({ length: count * 3 }, () => rng.next());
          const gpu = await backend.create(options);
          try {
            const before = await snapshot(gpu);
            const got = await gpu.gradients(inputs, targets, count);
            expectRanOn(gpu, backend);
            expect(await snapshot(gpu)).toEqual(before);
            const r32 = await new ReferenceTrainer(options).gradients(inputs, targets, count);
            const r64 = await new ReferenceTrainer(options, "float64").gradients(inputs, targets, count);
            compare("outputs", got.outputs, r32.outputs, r64.outputs, factor);
            compare("loss", [got.loss], [r32.loss], [r64.loss], factor);
            expect(got.grads).toHaveLength(depth + 1);
            got.grads.forEach((g, l) => {
              compare(`dW${l}`, g.weight, r32.grads[l].weight, r64.grads[l].weight, factor);
              compare(`db${l}`, g.bias, r32.grads[l].bias, r64.grads[l].bias, factor);
            });
          } finally {
            await gpu.dispose();
          }
        }),
        { numRuns: RUNS[backend.name], seed: Number(process.env.PARITY_SEED ?? 20261127), endOnFailure: true },
      );
    });

    it("refuse a batch larger than maxBatch", async () => {
      const spec = { inputs: 2, outputs: 3, width: 4, depth: 1, activation: "relu", outputActivation: "sigmoid" } as const;
      const mlp = createMLP(spec, new Rng(0, "init"), "torch");
      const gpu = await backend.create({
        spec,
        adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
        weights: mlp.layers.map((l) => ({ weight: l.weight as Float32Array, bias: l.bias as Float32Array })),
        maxBatch: 4,
      });
      try {
        await expect(gpu.gradients(new Float32Array(10), new Float32Array(15), 5)).rejects.toThrow(/maxBatch 4/);
      } finally {
        await gpu.dispose();
      }
    });
  },
  ["gpujs-cpu", "gpujs-wasm", "gpujs-webgpu"],
);

afterAll(teardown);
