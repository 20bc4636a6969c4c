import fc from "fast-check";
import { afterAll, expect, it } from "vitest";
import type { LayerWeights } from "../dist/backends/types.js";
import { parseConfig } from "../dist/config.js";
import { createEncoder, EncodedOnDemand, encodeImageGrid, gatherInputs, imageInputs } from "../dist/encoding/index.js";
import { initialWeights, networkSpec } from "../dist/network.js";
import { Rng } from "../dist/reference/rng.js";
import { epochOrder } from "../dist/reference/shuffle.js";
import { describeBackends, expectRanOn, teardown } from "./backends.js";

// Inputs encoded a batch at a time (for encodings too wide to store) are the stored inputs, bit for
// bit, so training on them gives the same weights.
const gaussian = parseConfig({ encoding: { type: "gaussian", features: 16, sigma: 10 }, network: { width: 16, depth: 2 }, training: { seed: 3 } });
const positional = parseConfig({ encoding: { type: "positional", frequencies: 4, range: "11" }, network: { width: 16, depth: 2 } });
const W = 13;
const H = 11;

it("imageInputs stores the encoded grid up to its byte limit and encodes on demand above it", () => {
  const encoder = createEncoder(gaussian.encoding, 3);
  const bytes = 4 * W * H * encoder.features;
  expect(imageInputs(encoder, W, H, bytes)).toBeInstanceOf(Float32Array);
  expect(imageInputs(encoder, W, H, bytes - 1)).toBeInstanceOf(EncodedOnDemand);
});

it("rows encoded on demand equal the stored rows, bit for bit, in any order", () => {
  for (const config of [gaussian, positional]) {
    const encoder = createEncoder(config.encoding, 3);
    const F = encoder.features;
    const stored = encodeImageGrid(encoder, W, H) as Float32Array;
    const onDemand = imageInputs(encoder, W, H, 0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: W * H - 1 }), fc.integer({ min: 1, max: W * H }), fc.integer(), (start, n0, seed) => {
        const n = Math.min(n0, W * H - start);
        const order = epochOrder(W * H, new Rng(seed));
        for (const o of [order, undefined]) {
          const a = new Float32Array(n * F);
          const b = new Float32Array(n * F);
          gatherInputs(stored, F, a, n, start, o);
          gatherInputs(onDemand, F, b, n, start, o);
          expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  }
});

describeBackends(
  "training on inputs encoded on demand",
  (backend) => {
    it("gives bit-identical weights and predictions to stored inputs", async () => {
      // 40×30 samples, batches of 128 × 32 features: large enough for the wasm backend to encode
      // each batch on both threads
      const [w, h] = [40, 30];
      const encoder = createEncoder(gaussian.encoding, 3);
      const N = w * h;
      const rng = new Rng(8);
      const targets = Float32Array.from({ length: N * 3 }, () => rng.next());
      const results: { weights: LayerWeights[]; pred: Float32Array }[] = [];
      for (const inputs of [imageInputs(encoder, w, h), imageInputs(encoder, w, h, 0)]) {
        const trainer = await backend.create({ spec: networkSpec(gaussian), adam: gaussian.optimizer, weights: initialWeights(gaussian), maxBatch: 128 });
        try {
          for (let e = 0; e < 2; e++) await trainer.epoch(inputs, targets, epochOrder(N, new Rng(e)), 128, 1e-2);
          expectRanOn(trainer, backend);
          results.push({ weights: await trainer.getWeights(), pred: await trainer.predict(inputs, N) });
        } finally {
          await trainer.dispose();
        }
      }
      const [stored, onDemand] = results;
      stored.weights.forEach((wl, l) => {
        expect(Buffer.from(onDemand.weights[l].weight.buffer).equals(Buffer.from(wl.weight.buffer))).toBe(true);
      });
      expect(Buffer.from(onDemand.pred.buffer).equals(Buffer.from(stored.pred.buffer))).toBe(true);
    });
  },
  ["reference", "wasm", "gpujs-wasm", "gpujs-webgpu"],
);

afterAll(teardown);
