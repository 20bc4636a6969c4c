/**
 * @module
 * ReLU, the rectified linear unit.
 */

/**
 * relu(z) = max(0, z). (NaN stays NaN, as in PyTorch, so a diverged run is not hidden.)
 *
 * @example
 * ```ts
 * relu(-2); // 0
 * relu(3); // 3
 * ```
 *
 * @group Activations
 */
// #region relu
export function relu(z: number): number {
  return Math.max(0, z);
}

/**
 * relu'(z) = 1 for z > 0, else 0. At the kink z = 0 it is 0, as in PyTorch.
 *
 * @example
 * ```ts
 * reluGrad(0.5); // 1
 * reluGrad(0); // 0
 * ```
 *
 * @group Activations
 */
export function reluGrad(z: number): number {
  return z > 0 ? 1 : 0;
}
// #endregion relu
