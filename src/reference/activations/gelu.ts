/**
 * @module
 * GELU, the Gaussian error linear unit, in its exact (erf-based) form: PyTorch's default
 * (`approximate='none'`), not the tanh approximation.
 */

import { erf } from "./erf.js";

/**
 * gelu(z) = z·Φ(z) = z · ½(1 + erf(z/√2)), with Φ the standard normal CDF.
 *
 * @example
 * ```ts
 * gelu(1); // 0.8413…
 * ```
 *
 * @group Activations
 */
// #region gelu
export function gelu(z: number): number {
  return z * 0.5 * (1 + erf(z * Math.SQRT1_2));
}

/**
 * gelu'(z) = Φ(z) + z·φ(z), with φ(z) = exp(−z²/2)/√(2π) the standard normal density.
 *
 * @example
 * ```ts
 * geluGrad(0); // 0.5
 * ```
 *
 * @group Activations
 */
export function geluGrad(z: number): number {
  const cdf = 0.5 * (1 + erf(z * Math.SQRT1_2));
  const pdf = Math.exp(-0.5 * z * z) * 0.3989422804014327; // 1/√(2π)
  return cdf + z * pdf;
}
// #endregion gelu
