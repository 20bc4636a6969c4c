/**
 * @module
 * ELU, the exponential linear unit with α = 1 (PyTorch's default).
 */

/**
 * elu(z) = z for z > 0, else exp(z) − 1.
 *
 * @example
 * ```ts
 * elu(2); // 2
 * elu(-1); // -0.632…
 * ```
 *
 * @group Activations
 */
export function elu(z: number): number {
  return z > 0 ? z : Math.exp(z) - 1;
}

/**
 * elu'(z) = 1 for z > 0, else exp(z) (continuous at 0 because α = 1).
 *
 * @example
 * ```ts
 * eluGrad(-1); // 0.367…
 * ```
 *
 * @group Activations
 */
export function eluGrad(z: number): number {
  return z > 0 ? 1 : Math.exp(z);
}
