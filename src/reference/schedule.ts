/**
 * @module
 * The step learning-rate schedule, PyTorch's `StepLR`.
 */

/**
 * The learning rate for a (0-based) epoch: lr₀ · factor^⌊epoch / every⌋. `every = 0` turns the
 * schedule off (constant lr₀).
 *
 * @example
 * ```ts
 * stepLR(1e-3, 49, 50, 0.5); // 1e-3
 * stepLR(1e-3, 50, 50, 0.5); // 5e-4
 * ```
 *
 * @group Optimizer
 */
export function stepLR(lr0: number, epoch: number, every: number, factor: number): number {
  if (every <= 0) return lr0;
  return lr0 * factor ** Math.floor(epoch / every);
}
