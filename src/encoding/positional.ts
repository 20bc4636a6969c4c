/**
 * @module
 * Sinusoidal positional encoding (as in NeRF and the study): each coordinate p becomes
 * sin(2ᵏ·π·p), cos(2ᵏ·π·p) for k = 0 … L − 1.
 *
 * **The π factor.** Implementations disagree: NeRF's paper writes sin(2ᵏπp), its reference code
 * uses sin(2ᵏp) without π. coordnet follows the paper: with π, the lowest frequency (k = 0) is
 * half a period across [0, 1] and a whole period across [−1, 1], and the highest, 2^(L−1)·π,
 * gives 2^(L−2) periods across [0, 1].
 *
 * **Feature order** (NeRF's): `[p…]` first when `includeInput`, then for each k the sines of all
 * coordinates followed by the cosines of all coordinates. For 2-D input and L = 5 without the
 * input: `[sin(πx), sin(πy), cos(πx), cos(πy), sin(2πx), …]`, 20 features.
 */

import { InvalidArgumentError, quote, readingArgument } from "../errors.js";
import type { FloatArray } from "../reference/dtype.js";
import { checkFloats, checkWhole } from "./check.js";

/**
 * Parameters of the positional encoding.
 *
 * @group Positional features
 */
export interface PositionalOptions {
  /** number of frequencies L (the study: 5; NeRF: 10) */
  readonly frequencies: number;
  /** put the raw coordinates first */
  readonly includeInput: boolean;
}

/**
 * Number of output features for `dims` input coordinates: 2·dims·L (+ dims with the input).
 *
 * @example
 * ```ts
 * positionalFeatures(2, { frequencies: 5, includeInput: false }); // 20
 * ```
 *
 * @group Positional features
 */
export function positionalFeatures(dims: number, opts: PositionalOptions): number {
  checkWhole("positionalFeatures", "dims", dims, 1);
  const { frequencies, includeInput } = readingArgument("positional encoding", "options", () => ({ ...opts }));
  if (opts === null || typeof opts !== "object" || typeof includeInput !== "boolean")
    throw new InvalidArgumentError(`positional encoding: options must be { frequencies, includeInput } (includeInput true or false), got ${quote(opts)}`);
  checkWhole("positional encoding", "frequencies", frequencies, 0, 64);
  return 2 * dims * frequencies + (includeInput ? dims : 0);
}

/**
 * Encode `count` points (row-major [count][dims]) into `out` (row-major [count][features]).
 *
 * @example
 * ```ts
 * const out = new Float32Array(20);
 * positionalForward(Float32Array.of(0.5, 0.25), out, 1, 2, { frequencies: 5, includeInput: false });
 * ```
 *
 * @group Positional features
 */
export function positionalForward(p: FloatArray, out: FloatArray, count: number, dims: number, opts: PositionalOptions): void {
  const F = positionalFeatures(dims, opts);
  checkWhole("positionalForward", "count", count, 0);
  checkFloats("positionalForward", "p", p, count * dims);
  checkFloats("positionalForward", "out", out, count * F);
  const skip = opts.includeInput ? dims : 0;
  for (let n = 0; n < count; n++) {
    for (let d = 0; d < skip; d++) out[n * F + d] = p[n * dims + d];
    // #region positionalForward
    for (let k = 0; k < opts.frequencies; k++) {
      const c = 2 ** k * Math.PI;
      const base = n * F + skip + 2 * dims * k;
      for (let d = 0; d < dims; d++) {
        // γ = sin(2ᵏπ·p), cos(2ᵏπ·p)
        out[base + d] = Math.sin(c * p[n * dims + d]);
        out[base + dims + d] = Math.cos(c * p[n * dims + d]);
      }
    }
    // #endregion positionalForward
  }
}

/**
 * Gradient with respect to the coordinates: dp[n][d] = Σ_k 2ᵏπ·(cos(2ᵏπp)·dsin − sin(2ᵏπp)·dcos)
 * (+ dOut of the raw copy with `includeInput`). The encoding has no parameters; this is what lets
 * a gradient flow back to the coordinates.
 *
 * @example
 * ```ts
 * const dp = new Float32Array(2);
 * positionalBackward(p, dOut, dp, 1, 2, { frequencies: 5, includeInput: false });
 * ```
 *
 * @group Positional features
 */
export function positionalBackward(p: FloatArray, dOut: FloatArray, dp: FloatArray, count: number, dims: number, opts: PositionalOptions): void {
  const F = positionalFeatures(dims, opts);
  checkWhole("positionalBackward", "count", count, 0);
  checkFloats("positionalBackward", "p", p, count * dims);
  checkFloats("positionalBackward", "dOut", dOut, count * F);
  checkFloats("positionalBackward", "dp", dp, count * dims);
  const skip = opts.includeInput ? dims : 0;
  for (let n = 0; n < count; n++) {
    for (let d = 0; d < dims; d++) {
      let sum = skip > 0 ? dOut[n * F + d] : 0;
      for (let k = 0; k < opts.frequencies; k++) {
        const c = 2 ** k * Math.PI;
        const base = n * F + skip + 2 * dims * k;
        const x = p[n * dims + d];
        // d sin(cx)/dx = c·cos(cx);  d cos(cx)/dx = −c·sin(cx)
        sum += c * (Math.cos(c * x) * dOut[base + d] - Math.sin(c * x) * dOut[base + dims + d]);
      }
      dp[n * dims + d] = sum;
    }
  }
}
