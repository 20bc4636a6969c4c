// Adam for the wasm backend, over the trainer's one contiguous block of parameters.

/**
 * Adam (PyTorch's order of operations, as the reference's adamStep) over n parameters p with
 * gradients g and moments m, v, all f32, computed in f64 and rounded once on store, exactly as
 * the reference does:
 *   m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g·g,  p ← p − stepSize·m / (√v / bc2Sqrt + ε)
 * with stepSize = lr / (1 − β₁ᵗ) and bc2Sqrt = √(1 − β₂ᵗ) computed by the caller.
 */
export function adam(p: usize, g: usize, m: usize, v: usize, n: i32, beta1: f64, beta2: f64, eps: f64, stepSize: f64, bc2Sqrt: f64): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const gi = <f64>load<f32>(g + o);
    const mi = <f32>(beta1 * <f64>load<f32>(m + o) + (1 - beta1) * gi);
    const vi = <f32>(beta2 * <f64>load<f32>(v + o) + (1 - beta2) * gi * gi);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, <f32>(<f64>load<f32>(p + o) - (stepSize * <f64>mi) / (Math.sqrt(<f64>vi) / bc2Sqrt + eps)));
  }
}
