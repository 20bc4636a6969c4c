/**
 * @module
 * The logistic sigmoid, used as the study's output activation (colours in [0, 1]).
 */

/**
 * sigmoid(z) = 1 / (1 + exp(−z)).
 *
 * @example
 * ```ts
 * sigmoid(0); // 0.5
 * ```
 *
 * @group Activations
 */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * sigmoid'(z) = s·(1 − s) with s = sigmoid(z).
 *
 * @example
 * ```ts
 * sigmoidGrad(0); // 0.25
 * ```
 *
 * @group Activations
 */
export function sigmoidGrad(z: number): number {
  const s = 1 / (1 + Math.exp(-z));
  return s * (1 - s);
}
