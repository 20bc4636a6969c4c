/**
 * @module
 * The per-epoch sample order.
 */

import type { Rng } from "./rng.js";

/**
 * The order in which an epoch visits `count` samples: the identity permutation shuffled by
 * `rng` (Fisher–Yates), drawn afresh each epoch like PyTorch's `RandomSampler`. Every backend
 * gets its batches from this one function, so all backends see the same batches.
 *
 * @example
 * ```ts
 * const rng = new Rng(seed, "shuffle");
 * const order = epochOrder(262144, rng); // a permutation of 0 … 262143
 * ```
 */
export function epochOrder(count: number, rng: Rng, into?: Uint32Array): Uint32Array {
  const order = into ?? new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return rng.shuffle(order);
}
