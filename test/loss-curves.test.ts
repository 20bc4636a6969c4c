import { afterAll, expect, it } from "vitest";
import { ReferenceTrainer } from "../dist/backends/reference.js";
import type { Trainer } from "../dist/backends/types.js";
import { parseConfig } from "../dist/config.js";
import { createEncoder, encodeImageGrid } from "../dist/encoding/index.js";
import { DEFAULT_IMAGE, readPNG, resample } from "../dist/image/index.js";
import { initialWeights, networkSpec } from "../dist/network.js";
import { Rng } from "../dist/reference/rng.js";
import { epochOrder } from "../dist/reference/shuffle.js";
import { describeBackends, expectRanOn, teardown } from "./backends.js";

// The study's network (4×128 ReLU, sigmoid output, batch 1024, Adam 1e-3) on the built-in
// photograph at 64×64, 3 epochs from the same seed on every backend: the loss curves agree.
// Tolerance: 1e-3 relative per epoch. After 12 Adam steps the float32 differences of the
// per-step parity suite (≤ 1e-4 relative) have had 12 steps to compound; a backend that trained
// differently (a wrong gradient, another batch order) is off by percents from the first epoch.
const config = parseConfig({ training: { epochs: 3 } });
const image = resample(readPNG(DEFAULT_IMAGE), 64, 64);
const inputs = encodeImageGrid(createEncoder(config.encoding, 0), 64, 64) as Float32Array;
const N = 64 * 64;
const options = { spec: networkSpec(config), adam: config.optimizer, weights: initialWeights(config), maxBatch: 1024 };

async function curve(trainer: Trainer): Promise<number[]> {
  const rng = new Rng(config.training.seed, "shuffle");
  const losses: number[] = [];
  for (let e = 0; e < 3; e++) losses.push((await trainer.epoch(inputs, image.data, epochOrder(N, rng), 1024, config.optimizer.lr)).lossSum / N);
  return losses;
}

const reference = curve(new ReferenceTrainer(options));

describeBackends("the study's network, 3 epochs at 64×64", (backend) => {
  it("follows the reference's loss curve", async () => {
    const trainer = await backend.create(options);
    try {
      const [expected, actual] = [await reference, await curve(trainer)];
      expectRanOn(trainer, backend);
      expect(expected[2]).toBeLessThan(expected[0]); // it learns
      actual.forEach((loss, e) => {
        expect(Math.abs(loss - expected[e]) / expected[e]).toBeLessThan(1e-3);
      });
    } finally {
      await trainer.dispose();
    }
  });
});

afterAll(teardown);
