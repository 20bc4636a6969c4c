/**
 * @module
 * Gaussian random Fourier features (Tancik et al., 2020, "Fourier Features Let Networks Learn
 * High Frequency Functions in Low Dimensional Domains"): γ(p) = [sin(2π·Bp), cos(2π·Bp)] with
 * B a fixed m × dims matrix of N(0, σ²) entries. Feature order: all m sines, then all m cosines.
 */

import { InvalidArgumentError, quote, readingArgument } from "../errors.js";
import type { DType, FloatArray } from "../reference/dtype.js";
import type { Rng } from "../reference/rng.js";
import { allocateOrRefuse, checkDType, checkFloats, checkWhole } from "./check.js";

/**
 * Draw B, row-major [m][dims], entries σ·N(0, 1), in row-major order from `rng`.
 *
 * @example
 * ```ts
 * const B = gaussianMatrix(256, 2, 10, new Rng(0, "gaussian"));
 * ```
 *
 * @group Gaussian features
 */
export function gaussianMatrix(m: number, dims: number, sigma: number, rng: Rng, dtype: DType = "float32"): FloatArray {
  checkWhole("gaussianMatrix", "m", m, 1);
  checkWhole("gaussianMatrix", "dims", dims, 1);
  if (typeof sigma !== "number" || !Number.isFinite(sigma))
    throw new InvalidArgumentError(`gaussianMatrix: sigma must be a finite number, got ${quote(sigma)}`);
  if (readingArgument("gaussianMatrix", "rng", () => typeof (rng as { normal?: unknown } | null)?.normal) !== "function")
    throw new InvalidArgumentError(`gaussianMatrix: rng must be an Rng, got ${quote(rng)}`);
  const B = allocateOrRefuse("gaussianMatrix", checkDType("gaussianMatrix", dtype), m * dims, `${m}×${dims} entries`);
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
 *
 * @group Gaussian features
 */
export function gaussianForward(p: FloatArray, out: FloatArray, count: number, dims: number, B: FloatArray): void {
  const m = checkGaussian("gaussianForward", p, count, dims, B);
  checkFloats("gaussianForward", "out", out, count * 2 * m);
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
 *
 * @group Gaussian features
 */
export function gaussianBackward(p: FloatArray, dOut: FloatArray, dp: FloatArray, count: number, dims: number, B: FloatArray): void {
  const m = checkGaussian("gaussianBackward", p, count, dims, B);
  checkFloats("gaussianBackward", "dOut", dOut, count * 2 * m);
  checkFloats("gaussianBackward", "dp", dp, count * dims);
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

/** The arguments both directions share, checked: `count` points of `dims` in `p`, B of m whole rows. Returns m. */
function checkGaussian(fn: string, p: FloatArray, count: number, dims: number, B: FloatArray): number {
  checkWhole(fn, "count", count, 0);
  checkWhole(fn, "dims", dims, 1);
  checkFloats(fn, "p", p, count * dims);
  checkFloats(fn, "B", B, 0);
  if (B.length % dims !== 0) throw new InvalidArgumentError(`${fn}: B has ${B.length} values, not whole rows of ${dims}`);
  return B.length / dims;
}
