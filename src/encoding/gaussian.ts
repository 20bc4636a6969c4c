/**
 * @module
 * Gaussian random Fourier features (Tancik et al., 2020, "Fourier Features Let Networks Learn
 * High Frequency Functions in Low Dimensional Domains"): γ(p) = [sin(2π·Bp), cos(2π·Bp)] with
 * B a fixed m × dims matrix of N(0, σ²) entries. Feature order: all m sines, then all m cosines.
 */

import { allocate, type DType, type FloatArray } from "../reference/dtype.js";
import type { Rng } from "../reference/rng.js";

/**
 * Draw B, row-major [m][dims], entries σ·N(0, 1), in row-major order from `rng`.
 *
 * @example
 * ```ts
 * const B = gaussianMatrix(256, 2, 10, new Rng(0, "gaussian"));
 * ```
 */
export function gaussianMatrix(m: number, dims: number, sigma: number, rng: Rng, dtype: DType = "float32"): FloatArray {
  const B = allocate(dtype, m * dims);
  for (let k = 0; k < B.length; k++) B[k] = sigma * rng.normal();
  return B;
}

/**
 * Encode `count` points (row-major [count][dims]) into `out` (row-major [count][2m]).
 *
 * @param B - row-major [m][dims]
 *
 * @example
 * ```ts
 * const out = new Float32Array(2 * 256);
 * gaussianForward(Float32Array.of(0.5, 0.5), out, 1, 2, B);
 * ```
 */
export function gaussianForward(p: FloatArray, out: FloatArray, count: number, dims: number, B: FloatArray): void {
  const m = B.length / dims;
  for (let n = 0; n < count; n++) {
    // #region gaussianForward
    for (let r = 0; r < m; r++) {
      // u = 2π·(B p)[r]
      let u = 0;
      for (let d = 0; d < dims; d++) u += B[r * dims + d] * p[n * dims + d];
      u *= 2 * Math.PI;
      out[n * 2 * m + r] = Math.sin(u);
      out[n * 2 * m + m + r] = Math.cos(u);
    }
    // #endregion gaussianForward
  }
}

/**
 * Gradient with respect to the coordinates:
 * dp[n][d] = Σ_r 2π·B[r][d]·(cos(u_r)·dsin_r − sin(u_r)·dcos_r), u_r = 2π·(Bp)[r].
 *
 * @example
 * ```ts
 * const dp = new Float32Array(2);
 * gaussianBackward(p, dOut, dp, 1, 2, B);
 * ```
 */
export function gaussianBackward(p: FloatArray, dOut: FloatArray, dp: FloatArray, count: number, dims: number, B: FloatArray): void {
  const m = B.length / dims;
  for (let n = 0; n < count; n++) {
    for (let d = 0; d < dims; d++) dp[n * dims + d] = 0;
    for (let r = 0; r < m; r++) {
      let u = 0;
      for (let d = 0; d < dims; d++) u += B[r * dims + d] * p[n * dims + d];
      u *= 2 * Math.PI;
      // g = dL/du_r
      const g = Math.cos(u) * dOut[n * 2 * m + r] - Math.sin(u) * dOut[n * 2 * m + m + r];
      for (let d = 0; d < dims; d++) dp[n * dims + d] += 2 * Math.PI * B[r * dims + d] * g;
    }
  }
}
