// Adam for the wasm backend, over the trainer's one contiguous block of parameters.

/** Two f32 at p, widened to the two f64 lanes. */
@inline function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

/** Round two f64 lanes to f32 (as a store to a Float32Array does) and widen them back. */
@inline function round2(x: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(x));
}

/** Store two f64 lanes, rounded to f32, at p. */
@inline function store2(p: usize, x: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(x), 0);
}

/**
 * Adam (PyTorch's order of operations, as the reference's adamStep) over n parameters p with
 * gradients g and moments m, v, all f32, computed in f64 and rounded once on store, exactly as
 * the reference does:
 *   m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g·g,  p ← p − stepSize·m / (√v / bc2Sqrt + ε)
 * with stepSize = lr / (1 − β₁ᵗ) and bc2Sqrt = √(1 − β₂ᵗ) computed by the caller. Two parameters
 * at a time in f64x2 lanes (each lane's arithmetic is the scalar's, so the results are too).
 */
export function adam(p: usize, g: usize, m: usize, v: usize, n: i32, beta1: f64, beta2: f64, eps: f64, stepSize: f64, bc2Sqrt: f64): void {
  const b1 = f64x2.splat(beta1);
  const c1 = f64x2.splat(1 - beta1);
  const b2 = f64x2.splat(beta2);
  const c2 = f64x2.splat(1 - beta2);
  const step = f64x2.splat(stepSize);
  const bc2 = f64x2.splat(bc2Sqrt);
  const e = f64x2.splat(eps);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 2;
    const gi = load2(g + o);
    const mi = round2(f64x2.add(f64x2.mul(b1, load2(m + o)), f64x2.mul(c1, gi)));
    const vi = round2(f64x2.add(f64x2.mul(b2, load2(v + o)), f64x2.mul(f64x2.mul(c2, gi), gi)));
    store2(m + o, mi);
    store2(v + o, vi);
    store2(p + o, f64x2.sub(load2(p + o), f64x2.div(f64x2.mul(step, mi), f64x2.add(f64x2.div(f64x2.sqrt(vi), bc2), e))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = <f64>load<f32>(g + o);
    const mi = <f32>(beta1 * <f64>load<f32>(m + o) + (1 - beta1) * gi);
    const vi = <f32>(beta2 * <f64>load<f32>(v + o) + (1 - beta2) * gi * gi);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, <f32>(<f64>load<f32>(p + o) - (stepSize * <f64>mi) / (Math.sqrt(<f64>vi) / bc2Sqrt + eps)));
  }
}
