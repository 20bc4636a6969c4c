/**
 * @module
 * The batch loop that backends training one step at a time share: gather each batch of the
 * epoch's order into the backend's buffers, take a step, add up the loss, and stop where asked.
 */

import { gatherInputs, type NetworkInputs } from "../encoding/inputs.js";
import type { FloatArray } from "../reference/dtype.js";
import type { EpochOptions, EpochProgress } from "./types.js";

/** Where a batch is gathered to: row-major [batch][features] buffers and the feature counts. */
export interface BatchBuffers {
  /** receives the batch's inputs, row-major [batch][inputs] */
  readonly x: FloatArray;
  /** receives the batch's targets, row-major [batch][outputs] */
  readonly y: FloatArray;
  /** inputs per sample */
  readonly inputs: number;
  /** outputs per sample */
  readonly outputs: number;
  /** how to gather inputs, if not with {@link gatherInputs} (same contract; e.g. on two threads) */
  readonly gather?: typeof gatherInputs;
}

/**
 * Run the epoch's batches from `options.from` on: rows of batch k are samples
 * `order[start + k]`; `step(count)` trains on the gathered rows and returns the batch's loss. The
 * loss sum continues from `options.lossSum` in batch order, so an epoch resumed part-way adds up
 * exactly as an uninterrupted one.
 *
 * @example
 * ```ts
 * return stepThroughEpoch(inputs, targets, order, batchSize, buffers, options, (count) => this.stepNow(count, lr));
 * ```
 */
export function stepThroughEpoch(
  inputs: NetworkInputs,
  targets: Float32Array,
  order: Uint32Array,
  batchSize: number,
  buffers: BatchBuffers,
  options: EpochOptions,
  step: (count: number) => number,
): EpochProgress {
  const { x, y, inputs: F, outputs: C } = buffers;
  const { from = 0, afterBatch } = options;
  let lossSum = options.lossSum ?? 0;
  for (let start = from; start < order.length; start += batchSize) {
    const count = Math.min(batchSize, order.length - start);
    // gather the batch: row k of the batch is sample order[start + k]
    (buffers.gather ?? gatherInputs)(inputs, F, x, count, start, order);
    for (let k = 0; k < count; k++) {
      const s = order[start + k];
      for (let c = 0; c < C; c++) y[k * C + c] = targets[s * C + c];
    }
    lossSum += step(count) * count;
    if (afterBatch?.(start + count) && start + count < order.length) return { lossSum, next: start + count };
  }
  return { lossSum, next: order.length };
}
