/**
 * @module
 * Train a network on any inputs and targets with a backend's {@link Trainer}, and look at its
 * predictions after every epoch: the loop the spectrum and the NTK analyses share. The same steps
 * as `fit` (seeded shuffle, the config's schedule, Adam), on networks `fit` does not build: 1-D
 * inputs, one output.
 */

import { requireBackend } from "../backends/registry.js";
import type { LayerWeights } from "../backends/types.js";
import type { Config } from "../config.js";
import type { MLPSpec } from "../reference/mlp.js";
import { Rng } from "../reference/rng.js";
import { stepLR } from "../reference/schedule.js";
import { epochOrder } from "../reference/shuffle.js";
import { divergence } from "../training/loop.js";

/** What {@link trainWatched} trains. */
export interface WatchedRun {
  /** the network and its optimiser, schedule, batch size and seed */
  readonly config: Config;
  /** the network's shape (its inputs and outputs may differ from the config's) */
  readonly spec: MLPSpec;
  /** the first weights */
  readonly weights: LayerWeights[];
  /** row-major [samples][spec.inputs] */
  readonly inputs: Float32Array;
  /** row-major [samples][spec.outputs] */
  readonly targets: Float32Array;
  /** samples */
  readonly samples: number;
  /** epochs to train */
  readonly epochs: number;
  /** backend name or `auto` */
  readonly backend: string;
  /** samples per step (default: the config's, at most the sample count) */
  readonly batchSize?: number;
}

/**
 * Train `run.epochs` epochs, calling `watch(epoch, predictions)` at initialisation (epoch 0) and
 * after each epoch, with the network's outputs for every sample, row-major [samples][outputs].
 * Returns the trained weights and the backend that ran.
 *
 * @throws DivergenceError when an epoch's loss is not finite
 */
export async function trainWatched(
  run: WatchedRun,
  watch: (epoch: number, predictions: Float32Array) => void | Promise<void>,
): Promise<{ weights: LayerWeights[]; backend: string }> {
  const { config, spec, samples } = run;
  const batch = Math.min(run.batchSize ?? config.training.batchSize, samples);
  const trainer = await (await requireBackend(run.backend)).create({ spec, adam: config.optimizer, weights: run.weights, maxBatch: batch });
  try {
    const rng = new Rng(config.training.seed, "shuffle");
    let order: Uint32Array | undefined;
    await watch(0, await trainer.predict(run.inputs, samples));
    for (let epoch = 0; epoch < run.epochs; epoch++) {
      order = epochOrder(samples, rng, order);
      const lr = stepLR(config.optimizer.lr, epoch, config.schedule.every, config.schedule.factor);
      const { lossSum } = await trainer.epoch(run.inputs, run.targets, order, batch, lr);
      if (!Number.isFinite(lossSum)) throw divergence(epoch + 1, `the loss is ${lossSum}`);
      await watch(epoch + 1, await trainer.predict(run.inputs, samples));
    }
    return { weights: await trainer.getWeights(), backend: trainer.info.backend };
  } finally {
    await trainer.dispose();
  }
}
