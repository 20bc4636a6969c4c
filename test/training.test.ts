import { describe, expect, it } from "vitest";
import { ReferenceTrainer } from "../src/backends/reference.js";
import { parseConfig } from "../src/config.js";
import { createEncoder, encodeImageGrid } from "../src/encoding/index.js";
import { initialWeights, networkSpec } from "../src/network.js";
import { Rng } from "../src/reference/rng.js";
import { epochOrder } from "../src/reference/shuffle.js";

/** A tiny synthetic 8×8 image: a smooth colour ramp with a bright disc. Row-major [64][3]. */
function tinyImage(): Float32Array {
  const out = new Float32Array(8 * 8 * 3);
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 8; x++) {
      const k = (y * 8 + x) * 3;
      const disc = (x - 4.5) ** 2 + (y - 3.5) ** 2 < 5 ? 0.5 : 0;
      out[k] = x / 7;
      out[k + 1] = Math.min(1, (y / 7) * 0.5 + disc);
      out[k + 2] = 1 - x / 7;
    }
  return out;
}

async function train(seed: number, epochs: number) {
  const config = parseConfig({ network: { width: 16, depth: 2 }, training: { seed, batchSize: 16, epochs }, optimizer: { lr: 1e-2 }, schedule: { every: 0 } });
  const trainer = new ReferenceTrainer({ spec: networkSpec(config), adam: config.optimizer, weights: initialWeights(config), maxBatch: 16 });
  const inputs = encodeImageGrid(createEncoder(config.encoding, seed), 8, 8) as Float32Array;
  const targets = tinyImage();
  const rng = new Rng(seed, "shuffle");
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) losses.push((await trainer.epoch(inputs, targets, epochOrder(64, rng), 16, config.optimizer.lr)).lossSum / 64);
  return { trainer, losses };
}

describe("training the reference", () => {
  it("is deterministic: the same seed gives bit-identical weights", async () => {
    const a = await (await train(3, 5)).trainer.getWeights();
    const b = await (await train(3, 5)).trainer.getWeights();
    a.forEach((w, l) => {
      expect(Buffer.from(w.weight.buffer).equals(Buffer.from(b[l].weight.buffer))).toBe(true);
      expect(Buffer.from(w.bias.buffer).equals(Buffer.from(b[l].bias.buffer))).toBe(true);
    });
    const c = await (await train(4, 5)).trainer.getWeights();
    expect(Buffer.from(c[0].weight.buffer).equals(Buffer.from(a[0].weight.buffer))).toBe(false);
  });

  it("learns: a tiny net on a tiny image drives the loss down at least 10×", async () => {
    const { losses } = await train(1, 150);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 10);
  });
});
