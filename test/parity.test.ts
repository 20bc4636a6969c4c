import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, expect, it } from "vitest";
import { compareBackends } from "../dist/backends/index.js";
import { parseConfig } from "../dist/config.js";
import { createEncoder } from "../dist/encoding/encoder.js";
import { EncodedOnDemand } from "../dist/encoding/inputs.js";
import { sapeParts } from "../dist/encoding/sape.js";
import { fit as fitImage } from "../dist/index.js";
import { ACTIVATION_NAMES, type ActivationName } from "../dist/reference/activations/index.js";
import { createMLP } from "../dist/reference/mlp.js";
import { Rng } from "../dist/reference/rng.js";
import { sapeInputs } from "../dist/training/sape.js";
import { type BackendCase, describeBackends, expectInfo, teardown } from "./backends.js";

// Backend parity: every backend computes what the float32 reference computes, within stated
// tolerances, over random architectures (fast-check). The comparison is the public
// `compareBackends` (src/backends/compare.ts, whose module documentation states and justifies the
// tolerance model): the predictions for every sample, one batch's forward pass, loss and every
// gradient (through Trainer.gradients, no step), then an epoch of 2 Adam steps whose second batch
// is short: its loss, the weights and Adam's moments. Users check their kernels with the same call.

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

/**
 * On gpujs-webgpu, sine networks are compared up to this depth: each sine layer multiplies WGSL's
 * sin error (up to 2⁻¹¹ absolute) by up to 30, so deeper SIRENs legitimately differ by percents
 * between conformant implementations. (webgpu computes its own sin and cos to about an ulp: no limit.)
 */
const SINE_DEPTH: Record<string, number> = { "gpujs-webgpu": 2 };

async function checkArch(backend: BackendCase, input: Arch): Promise<void> {
  const arch = input.activation === "sine" ? { ...input, depth: Math.min(input.depth, SINE_DEPTH[backend.name] ?? input.depth) } : input;
  const spec = { inputs: arch.inputs, outputs: 3, width: arch.width, depth: arch.depth, activation: arch.activation, outputActivation: arch.outputActivation };
  const result = await compareBackends("reference", backend.backend, { spec, batch: arch.batch, steps: 2, seed: arch.seed });
  expectInfo(result.b, backend);
  expect(result.a.backend).toBe("reference");
  for (const t of result.tensors) {
    const quantity = t.name.replace(/ layers\.\d+\.(weight|bias)/, "").replace(/layers\.\d+\.(weight|bias) /, "weights ");
    worst[backend.name] ??= {};
    worst[backend.name][quantity] = Math.max(worst[backend.name][quantity] ?? 0, t.maxAbs);
  }
  const failed = result.tensors.filter((t) => !t.pass);
  if (failed.length > 0)
    throw new Error(
      `${backend.name} differs from the reference on ${JSON.stringify(spec)}, batch ${arch.batch}, seed ${arch.seed}:\n` +
        failed
          .map(
            (t) =>
              `  ${t.name}: worst at [${t.worst?.index}]: ${t.worst?.actual} vs ${t.worst?.expected} (float64 ${t.worst?.float64}), bound ${t.worst?.bound}`,
          )
          .join("\n"),
    );
  expect(result.pass).toBe(true);
}

const RUNS: Record<string, number> = { wasm: 16, "gpujs-cpu": 8, "gpujs-wasm": 12, "gpujs-webgpu": 4, webgpu: 16 };

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

// SAPE masks its features on the host (src/training/sape.ts), so a backend adds no SAPE kernel:
// what must hold on each is that its network is right at SAPE's input width (the preset's
// 2 + 2·256 inputs, far wider than the random architectures above), that the inputs reach it
// as the host made them — stored and re-masked, or encoded on demand (wasm's own on-demand
// path hands SAPE to the host encoder) — and that a SAPE run trains and advances there.
describeBackends("SAPE: parity with the float32 reference", (backend) => {
  it("at the preset's input width (514 inputs)", async () => {
    await checkArch(backend, { inputs: 514, width: 16, depth: 2, activation: "relu", outputActivation: "sigmoid", batch: 9, seed: 20 });
  });

  it("predicts the same bits from stored masked inputs as from inputs masked on demand, with a progression that varies in space", async () => {
    const config = parseConfig({ encoding: { type: "sape", features: 8, sigma: 3, grid: 4 } }).encoding;
    const encoder = createEncoder(config, 2);
    // progressions from 0 to 8 across the grid: some points see no band, some all, most a soft edge
    sapeParts(encoder.matrix as Float32Array, { features: 8, grid: 4 }).progress.set(Float32Array.from({ length: 16 }, (_, c) => c / 2 + 0.25));
    const rng = new Rng(9, "data");
    const coords = Float32Array.from({ length: 2 * 70 }, () => rng.uniform(0, 1));
    const { inputs: stored } = sapeInputs(encoder, coords, true);
    const spec = { inputs: encoder.features, outputs: 3, width: 12, depth: 2, activation: "relu" as const, outputActivation: "sigmoid" as const };
    const mlp = createMLP(spec, new Rng(1, "init"));
    const trainer = await backend.create({
      spec,
      adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
      weights: mlp.layers.map((l) => ({ weight: l.weight as Float32Array, bias: l.bias as Float32Array })),
      maxBatch: 32,
    });
    try {
      const fromStored = await trainer.predict(stored, 70);
      const onDemand = await trainer.predict(new EncodedOnDemand(coords, encoder), 70);
      expectInfo(trainer.info, backend);
      expect(Buffer.from(onDemand.buffer).equals(Buffer.from(fromStored.buffer))).toBe(true);
      if (trainer.encode) {
        const out = new Float32Array(70 * encoder.features);
        trainer.encode(encoder, coords, out, 70);
        expect(Buffer.from(out.buffer).equals(Buffer.from((stored as Float32Array).buffer))).toBe(true);
      }
    } finally {
      await trainer.dispose();
    }
  });

  it("trains the sape preset's encoding and advances its progression", async () => {
    const W = 16;
    const data = Float32Array.from({ length: W * W * 3 }, (_, k) => ((k * 7919) % 256) / 255);
    const config = parseConfig({
      encoding: { type: "sape", features: 8, sigma: 3, grid: 4 },
      network: { width: 16, depth: 2 },
      training: { epochs: 3, batchSize: 64, seed: 1 },
    });
    const model = await fitImage({ width: W, height: W, data }, { config, backend: backend.name });
    expectInfo(model.training?.backend as never, backend);
    // noise stays above ε: every cell advanced twice (after epochs 1 and 2) by 8 / ⌈0.5·3⌉ = 4 bands
    expect(Array.from(sapeParts(model.matrix as Float32Array, { features: 8, grid: 4 }).progress)).toEqual(new Array(16).fill(8));
  });
});

afterAll(async () => {
  await teardown();
  if (process.env.PARITY_REPORT) writeFileSync(process.env.PARITY_REPORT, `${JSON.stringify(worst, null, 2)}\n`);
});
