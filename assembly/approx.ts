// float32 SIMD approximations of exp, erf, tanh and sin/cos, four lanes at a time, for the wasm
// backend's activations (assembly/activations.ts). Each is built from exact reductions and
// polynomials fitted here (coefficients below); their measured errors against the float64
// reference (src/reference/activations/*.ts) are stated in activations.ts and checked by
// test/wasm-kernels.test.ts. Every operation is a plain IEEE float32 (or float64) operation, never a
// relaxed one, so each lane gives the same bits on every engine and processor, and a lane's result
// does not depend on its neighbours.

@inline function k(x: f32): v128 {
  return f32x4.splat(x);
}

@inline function mul(a: v128, b: v128): v128 {
  return f32x4.mul(a, b);
}

@inline function add(a: v128, b: v128): v128 {
  return f32x4.add(a, b);
}

/** c0 + c1·x in the Horner step p·x + c. */
@inline function step(p: v128, x: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(p, x), f32x4.splat(c));
}

/**
 * eˣ (cephes' expf): x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 in two parts, so n·ln 2 is exact to
 * float32), e^r = 1 + r + r²·P(r), then 2ⁿ added to the exponent. x is clamped to [−86.5, 88] so
 * that 2ⁿ stays a normal number: below, e^−86.5 ≈ 2.7e−38 stands for anything smaller; above, e⁸⁸
 * ≈ 1.65e38 for anything larger (neither changes an activation by more than 1e−37). NaN stays NaN.
 */
@inline export function exp4(x0: v128): v128 {
  const x = f32x4.max(f32x4.min(x0, k(88)), k(-86.5));
  const n = f32x4.nearest(mul(x, k(1.44269504088896341)));
  const r = f32x4.sub(f32x4.sub(x, mul(n, k(0.693359375))), mul(n, k(-2.12194440e-4)));
  let p = step(k(1.9875691500e-4), r, 1.3981999507e-3);
  p = step(p, r, 8.3334519073e-3);
  p = step(p, r, 4.1665795894e-2);
  p = step(p, r, 1.6666665459e-1);
  p = step(p, r, 5.0000001201e-1);
  const e = add(add(mul(mul(p, r), r), r), k(1));
  return i32x4.add(e, i32x4.shl(i32x4.trunc_sat_f32x4_s(n), 23));
}

/**
 * eˣ − 1 without the cancellation near 0: its Taylor series to x⁷ where |x| < 0.35 (truncation
 * < 2e−8 relative), eˣ − 1 elsewhere; a branch that no lane takes is skipped.
 */
@inline export function expm14(x: v128): v128 {
  // each lane takes one branch; a branch that no lane takes is skipped (same bits either way)
  const near = f32x4.lt(f32x4.abs(x), k(0.35));
  if (!v128.any_true(near)) return f32x4.sub(exp4(x), k(1));
  let p = step(k(1.0 / 5040), x, 1.0 / 720);
  p = step(p, x, 1.0 / 120);
  p = step(p, x, 1.0 / 24);
  p = step(p, x, 1.0 / 6);
  p = step(p, x, 0.5);
  const small = add(mul(mul(p, x), x), x);
  if (v128.all_true<i32>(near)) return small;
  return v128.bitselect(small, f32x4.sub(exp4(x), k(1)), near);
}

/** x·A(x²), erf for |x| < 1 (see {@link erfWith4}). */
@inline function erfSmall4(x: v128, u: v128): v128 {
  let a = step(k(-9.673591193859465e-6), u, 1.1268253729213029e-4);
  a = step(a, u, -8.484396385028958e-4);
  a = step(a, u, 5.221053492277861e-3);
  a = step(a, u, -2.6865437626838684e-2);
  a = step(a, u, 1.1283782869577408e-1);
  a = step(a, u, -3.7612637877464294e-1);
  a = step(a, u, 1.128379225730896);
  return mul(a, x);
}

/** ±(1 − e·B(min(|x|, 4) − 2.5)), erf for |x| ≥ 1, e = e^(−x²) (see {@link erfWith4}). */
@inline function erfTail4(x: v128, e: v128): v128 {
  const s = f32x4.sub(f32x4.min(f32x4.abs(x), k(4)), k(2.5));
  let b = step(k(1.6718017832317855e-6), s, -6.3860857153485995e-6);
  b = step(b, s, 1.4353662663779687e-5);
  b = step(b, s, -5.3585808927891776e-5);
  b = step(b, s, 2.1297208149917424e-4);
  b = step(b, s, -7.389975944533944e-4);
  b = step(b, s, 2.4659824557602406e-3);
  b = step(b, s, -7.999345660209656e-3);
  b = step(b, s, 2.4938203394412994e-2);
  b = step(b, s, -7.43476003408432e-2);
  b = step(b, s, 2.1080635488033295e-1);
  const tail = f32x4.sub(k(1), mul(e, b));
  // the sign of x on the tail
  return v128.or(tail, v128.and(x, i32x4.splat(0x80000000)));
}

/**
 * erf(x) given e = e^(−x²) (GELU's derivative needs that exponential too, for φ, so it computes it
 * once): x·A(x²) for |x| < 1, else ±(1 − e·B(|x| − 2.5)) with |x| clamped to 4 in B (erf(4) =
 * 1 − 1.5e−8, 1 in float32; beyond 4, e·B < 1.6e−8 and the result is 1 in float32 either way). A
 * (degree 7) and B (degree 10) are Chebyshev least-squares fits (in float64, numpy) of erf(x)/x over
 * x² ∈ [0, 1] and of erfc(x)·e^(x²) over x ∈ [1, 4]. Each lane takes one of the two branches
 * (x = ±0 takes the first, NaN the second, which keeps it); a branch that no lane takes is skipped
 * (a lane's result is the same bits either way, so it still does not depend on its neighbours).
 * u = x².
 */
@inline export function erfWith4(x: v128, u: v128, e: v128): v128 {
  const small = f32x4.lt(f32x4.abs(x), k(1));
  if (v128.all_true<i32>(small)) return erfSmall4(x, u);
  if (!v128.any_true(small)) return erfTail4(x, e);
  return v128.bitselect(erfSmall4(x, u), erfTail4(x, e), small);
}

/** erf(x), {@link erfWith4} with e^(−x²) computed only where some lane needs it. */
@inline export function erf4(x: v128): v128 {
  const u = mul(x, x);
  const small = f32x4.lt(f32x4.abs(x), k(1));
  if (v128.all_true<i32>(small)) return erfSmall4(x, u);
  const tail = erfTail4(x, exp4(f32x4.neg(u)));
  if (!v128.any_true(small)) return tail;
  return v128.bitselect(erfSmall4(x, u), tail, small);
}

/** tanh(x) = (e^(2x) − 1)/(e^(2x) − 1 + 2), x clamped to ±9 (tanh(9) is 1 in float32). */
@inline export function tanh4(x: v128): v128 {
  const e = expm14(mul(f32x4.max(f32x4.min(x, k(9)), k(-9)), k(2)));
  return f32x4.div(e, add(e, k(2)));
}

/** 1/(1 + e^(−x)). */
@inline export function sigmoid4(x: v128): v128 {
  return f32x4.div(k(1), add(k(1), exp4(f32x4.neg(x))));
}

/**
 * sin(2π·f) (cosine false) or cos(2π·f) (cosine true) for |f| ≤ 1/2, f in turns: f = q/4 + g
 * exactly (q = round(4f), |g| ≤ 1/8), x = 2π·g (|x| ≤ π/4), and the quadrant q picks ±sin x or
 * ±cos x, each a Taylor polynomial (to x⁹ and x¹⁰; truncation < 2e−9).
 */
@inline export function sinCosTurns4(f: v128, cosine: bool): v128 {
  const q = f32x4.nearest(mul(f, k(4)));
  const x = mul(f32x4.sub(f, mul(q, k(0.25))), k(6.2831853071795864769));
  const x2 = mul(x, x);
  let s = step(k(1.0 / 362880), x2, -1.0 / 5040);
  s = step(s, x2, 1.0 / 120);
  s = step(s, x2, -1.0 / 6);
  s = add(mul(mul(s, x2), x), x);
  let c = step(k(-1.0 / 3628800), x2, 1.0 / 40320);
  c = step(c, x2, -1.0 / 720);
  c = step(c, x2, 1.0 / 24);
  c = step(c, x2, -0.5);
  c = step(c, x2, 1);
  // sin(x + q·π/2), cos(x + q·π/2) = cos(x + (q + 1)·π/2)·… : quadrant j = q (sine) or q + 1 (cosine)
  let j = i32x4.trunc_sat_f32x4_s(q);
  if (cosine) j = i32x4.add(j, i32x4.splat(1));
  // j odd: the other function; j & 2: negated
  const odd = i32x4.eq(v128.and(j, i32x4.splat(1)), i32x4.splat(1));
  const r = v128.bitselect(c, s, odd);
  return v128.xor(r, i32x4.shl(v128.and(j, i32x4.splat(2)), 30));
}

/**
 * sin(30·z) (cosine false) or cos(30·z): the angle in turns, t = 30z/(2π), in float64 (z is a
 * float32, so t is correct to 1e−16 relative), reduced exactly to t − round(t) ∈ [−1/2, 1/2], rounded
 * to float32 (≤ 2⁻²⁶ absolute, 1e−7 after the 2π) and handed to {@link sinCosTurns4}.
 */
@inline export function sin30Turns4(z: v128, cosine: bool): v128 {
  const w = f64x2.splat(4.7746482927568600730665129011754); // 30/(2π)
  const lo = f64x2.mul(f64x2.promote_low_f32x4(z), w);
  const hi = f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(z, z, 2, 3, 2, 3)), w);
  const flo = f32x4.demote_f64x2_zero(f64x2.sub(lo, f64x2.nearest(lo)));
  const fhi = f32x4.demote_f64x2_zero(f64x2.sub(hi, f64x2.nearest(hi)));
  return sinCosTurns4(v128.shuffle<f32>(flo, fhi, 0, 1, 4, 5), cosine);
}
