/**
 * @module
 * The identity, for a linear output layer ("no sigmoid").
 */

/**
 * identity(z) = z.
 *
 * @example
 * ```ts
 * identity(1.5); // 1.5
 * ```
 *
 * @group Activations
 */
export function identity(z: number): number {
  return z;
}

/**
 * identity'(z) = 1.
 *
 * @example
 * ```ts
 * identityGrad(-7); // 1
 * ```
 *
 * @group Activations
 */
export function identityGrad(_z: number): number {
  return 1;
}
