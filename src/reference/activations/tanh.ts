/**
 * @module
 * The hyperbolic tangent.
 */

/**
 * tanh(z).
 *
 * @example
 * ```ts
 * tanh(0); // 0
 * ```
 *
 * @group Activations
 */
export function tanh(z: number): number {
  return Math.tanh(z);
}

/**
 * tanh'(z) = 1 − tanh(z)².
 *
 * @example
 * ```ts
 * tanhGrad(0); // 1
 * ```
 *
 * @group Activations
 */
export function tanhGrad(z: number): number {
  const t = Math.tanh(z);
  return 1 - t * t;
}
