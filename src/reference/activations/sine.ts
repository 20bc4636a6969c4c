/**
 * @module
 * SIREN's periodic activation (Sitzmann et al., 2020): sin(ω₀·z) with ω₀ = 30.
 */

/**
 * SIREN's frequency factor ω₀. The value 30 is also written inside {@link sine} and
 * {@link sineGrad} themselves, because those functions are handed to GPU kernels as plain source
 * and may not refer to anything outside their bodies; a test checks that the three agree.
 *
 * @example
 * ```ts
 * sine(0.1) === Math.sin(SIREN_OMEGA0 * 0.1); // true
 * ```
 *
 * @group Activations
 */
export const SIREN_OMEGA0 = 30;

/**
 * sine(z) = sin(ω₀·z), ω₀ = 30.
 *
 * @example
 * ```ts
 * sine(Math.PI / 60); // sin(π/2) = 1
 * ```
 *
 * @group Activations
 */
export function sine(z: number): number {
  return Math.sin(30 * z);
}

/**
 * sine'(z) = ω₀·cos(ω₀·z), ω₀ = 30.
 *
 * @example
 * ```ts
 * sineGrad(0); // 30
 * ```
 *
 * @group Activations
 */
export function sineGrad(z: number): number {
  return 30 * Math.cos(30 * z);
}
