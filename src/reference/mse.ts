/**
 * @module
 * Mean squared error, as PyTorch's `nn.MSELoss()` (mean over every element: batch × channels).
 */

import type { FloatArray } from "./dtype.js";

/**
 * L = (1/n) Σ_k (p[k] − t[k])² over the first `n` elements (n = batch × channels).
 *
 * @example
 * ```ts
 * mseForward(Float32Array.of(1, 2), Float32Array.of(0, 0), 2); // 2.5
 * ```
 *
 * @group Loss
 */
// #region mseForward
export function mseForward(pred: FloatArray, target: FloatArray, n: number): number {
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const d = pred[k] - target[k];
    sum += d * d;
  }
  return sum / n;
}
// #endregion mseForward

/**
 * dL/dp[k] = 2·(p[k] − t[k]) / n.
 *
 * @example
 * ```ts
 * const dp = new Float32Array(2);
 * mseBackward(Float32Array.of(1, 2), Float32Array.of(0, 0), dp, 2); // dp = [1, 2]
 * ```
 *
 * @group Loss
 */
// #region mseBackward
export function mseBackward(pred: FloatArray, target: FloatArray, dpred: FloatArray, n: number): void {
  for (let k = 0; k < n; k++) dpred[k] = (2 * (pred[k] - target[k])) / n;
}
// #endregion mseBackward
