// Fourier features in the kernels, for inputs encoded a batch at a time (EncodedOnDemand): the
// positional encoding (src/encoding/positional.ts) and Gaussian random features
// (src/encoding/gaussian.ts), bit for bit what those JavaScript encoders store, so that a batch
// encoded here equals the stored rows (test/inputs.test.ts trains on both and compares the bits).
//
// How, for each angle u (computed in f64 exactly as the encoder computes it: the same operations in
// the same order): sin u and cos u in f64x2 SIMD, two angles at a time — u reduced by multiples of
// π/2 in two parts (fdlibm's constants, |u| < 4096), then fdlibm's kernel polynomials
// (__kernel_sin/__kernel_cos, a few ulps of a double here) — and rounded to float32. The encoder
// stores the float32 rounding of Math.sin(u) (V8's fdlibm port, < 1 ulp): the two roundings agree
// wherever no float32 rounding boundary lies within E = 2⁻⁴⁰·|s| + 6e−18 of our value s, which
// bounds both errors with room to spare. The kernel checks that on the bits of s, and for the rare
// value where it cannot tell (about one in 15 000), or a large or non-finite u, it calls the very
// Math.sin/Math.cos the encoder calls (imported as env.sin and env.cos).

@external("env", "sin")
declare function jsSin(x: f64): f64;
@external("env", "cos")
declare function jsCos(x: f64): f64;

@inline function d(x: f64): v128 {
  return f64x2.splat(x);
}

/** c + p·x for f64x2 (plain multiply, then add: the same bits everywhere). */
@inline function step(p: v128, x: v128, c: f64): v128 {
  return f64x2.add(f64x2.mul(p, x), f64x2.splat(c));
}

/**
 * Lanes (64-bit masks) of v whose float32 rounding could differ from that of a value within
 * E = 2⁻⁴⁰·|v| + 6e−18 of it (this kernel's error and Math's together, with room to spare): the
 * float32 rounding of a double depends on its low 29 mantissa bits, against the midpoint 2²⁸; every
 * value within E of v (at most 2¹⁴ units of v's last place, as |v| ≥ 2⁻¹⁶) rounds as v does when
 * those bits are more than 2¹⁴ from the midpoint. Values below 2⁻¹⁶ are all unsafe (rare: exact
 * zeros of a grid, mostly).
 */
@inline function unsafe(v: v128): v128 {
  const low = v128.and(v, i64x2.splat(0x1fffffff));
  const near = i64x2.le_s(i64x2.abs(i64x2.sub(low, i64x2.splat(0x10000000))), i64x2.splat(1 << 14));
  return v128.or(near, f64x2.lt(f64x2.abs(v), d(1.52587890625e-5)));
}

/**
 * sin u and cos u of two angles u (f64x2), rounded to float32: [sin u₀, sin u₁, cos u₀, cos u₁]
 * (see the file's description; the lanes whose rounding could differ from Math's are recomputed
 * with Math).
 */
@inline function sinCos2(u: v128): v128 {
  // u = n·π/2 + r, |r| ≤ π/4, with π/2 in two parts (fdlibm's pio2_1, 33 bits, so n·pio2_1 is
  // exact, and pio2_2): r is within 2e−21·|n| ≤ 6e−18 of the exact u − n·π/2 for |u| < 4096
  const n = f64x2.nearest(f64x2.mul(u, d(6.36619772367581382433e-1)));
  const r = f64x2.sub(f64x2.sub(u, f64x2.mul(n, d(1.57079632673412561417))), f64x2.mul(n, d(6.0771005063039659766e-11)));
  const z = f64x2.mul(r, r);
  // __kernel_sin: r + r³·(S1 + z·(S2 + … + z·S6))
  let s = step(d(1.58969099521155010221e-10), z, -2.50507602534068634195e-8);
  s = step(s, z, 2.75573137070700676789e-6);
  s = step(s, z, -1.98412698298579493134e-4);
  s = step(s, z, 8.33333333332248946124e-3);
  s = step(s, z, -1.66666666666666324348e-1);
  s = f64x2.add(r, f64x2.mul(f64x2.mul(z, r), s));
  // __kernel_cos: (1 − z/2) + z²·(C1 + z·(C2 + … + z·C6)) (without fdlibm's last-ulp split of 1 − z/2)
  let c = step(d(-1.13596475577881948265e-11), z, 2.0875723212981748279e-9);
  c = step(c, z, -2.75573143513906633035e-7);
  c = step(c, z, 2.48015872894767294178e-5);
  c = step(c, z, -1.38888888888741095749e-3);
  c = step(c, z, 4.16666666666666019037e-2);
  c = f64x2.add(f64x2.sub(d(1), f64x2.mul(z, d(0.5))), f64x2.mul(f64x2.mul(z, z), c));
  // quadrant n: sin u = ±sin r or ±cos r (n odd: the cosine), negated where n & 2; cos u is
  // sin of quadrant n + 1
  const j = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(n));
  const oddS = i64x2.eq(v128.and(j, i64x2.splat(1)), i64x2.splat(1));
  const sinU = v128.xor(v128.bitselect(c, s, oddS), i64x2.shl(v128.and(j, i64x2.splat(2)), 62));
  const j1 = i64x2.add(j, i64x2.splat(1));
  const cosU = v128.xor(v128.bitselect(s, c, oddS), i64x2.shl(v128.and(j1, i64x2.splat(2)), 62));
  let out = v128.shuffle<f32>(f32x4.demote_f64x2_zero(sinU), f32x4.demote_f64x2_zero(cosU), 0, 1, 4, 5);
  // unsafe lanes: the angle too large or not finite, or the value too near a float32 rounding
  // boundary (see the file's description)
  const far = v128.not(f64x2.lt(f64x2.abs(u), d(4096))); // NaN included
  const bad = v128.or(v128.shuffle<i32>(unsafe(sinU), unsafe(cosU), 0, 2, 4, 6), v128.shuffle<i32>(far, far, 0, 2, 0, 2));
  if (v128.any_true(bad)) {
    const u0 = f64x2.extract_lane(u, 0);
    const u1 = f64x2.extract_lane(u, 1);
    if (i32x4.extract_lane(bad, 0) !== 0) out = f32x4.replace_lane(out, 0, <f32>jsSin(u0));
    if (i32x4.extract_lane(bad, 1) !== 0) out = f32x4.replace_lane(out, 1, <f32>jsSin(u1));
    if (i32x4.extract_lane(bad, 2) !== 0) out = f32x4.replace_lane(out, 2, <f32>jsCos(u0));
    if (i32x4.extract_lane(bad, 3) !== 0) out = f32x4.replace_lane(out, 3, <f32>jsCos(u1));
  }
  return out;
}

/**
 * The positional encoding of n points ([n][2] f32 at `points`) into `out` ([n][F] f32, F = 4L + 2
 * with the input, 4L without): per point, [x, y] if `includeInput`, then for k < L
 * [sin(2ᵏπx), sin(2ᵏπy), cos(2ᵏπx), cos(2ᵏπy)] (src/encoding/positional.ts, dims = 2).
 */
export function positionalEncode(points: usize, out: usize, n: i32, L: i32, includeInput: i32): void {
  const F = 4 * L + (includeInput !== 0 ? 2 : 0);
  const rowOut = <usize>F << 2;
  for (let i = 0; i < n; i++) {
    const p = points + (<usize>i << 3);
    let o = out + <usize>i * rowOut;
    // [x, y] as f64
    const xy = f64x2.promote_low_f32x4(v128.load64_zero(p));
    if (includeInput !== 0) {
      store<u64>(o, load<u64>(p));
      o += 8;
    }
    let c = Math.PI; // 2ᵏ·π, exactly as the encoder's 2 ** k * Math.PI
    for (let k = 0; k < L; k++) {
      v128.store(o, sinCos2(f64x2.mul(f64x2.splat(c), xy)));
      o += 16;
      c *= 2;
    }
  }
}

/**
 * Gaussian features of n points ([n][2] f32 at `points`) into `out` ([n][2m] f32: m sines, then m
 * cosines), for B given as two f64 columns at `Bcols` ([2][m]: B[r][0] for every r, then B[r][1]):
 * u_r = 2π·(B[r][0]·x + B[r][1]·y), in the encoder's order (src/encoding/gaussian.ts).
 */
export function gaussianEncode(points: usize, Bcols: usize, out: usize, n: i32, m: i32): void {
  const rowOut = <usize>m << 3;
  const B1 = Bcols + (<usize>m << 3);
  const twoPi = f64x2.splat(2 * Math.PI);
  for (let i = 0; i < n; i++) {
    const p = points + (<usize>i << 3);
    const x = f64x2.splat(<f64>load<f32>(p));
    const y = f64x2.splat(<f64>load<f32>(p + 4));
    const o = out + <usize>i * rowOut;
    let r = 0;
    // four rows at a time: two independent chains for the processor to overlap
    for (; r + 4 <= m; r += 4) {
      const at = <usize>r << 3;
      const u0 = f64x2.mul(f64x2.add(f64x2.add(f64x2.splat(0), f64x2.mul(v128.load(Bcols + at), x)), f64x2.mul(v128.load(B1 + at), y)), twoPi);
      const u1 = f64x2.mul(f64x2.add(f64x2.add(f64x2.splat(0), f64x2.mul(v128.load(Bcols + at + 16), x)), f64x2.mul(v128.load(B1 + at + 16), y)), twoPi);
      const sc0 = sinCos2(u0);
      const sc1 = sinCos2(u1);
      v128.store(o + (<usize>r << 2), v128.shuffle<f32>(sc0, sc1, 0, 1, 4, 5));
      v128.store(o + rowOut / 2 + (<usize>r << 2), v128.shuffle<f32>(sc0, sc1, 2, 3, 6, 7));
    }
    for (; r + 2 <= m; r += 2) {
      const at = <usize>r << 3;
      // u = 0 + B[r][0]·x, then + B[r][1]·y, then ·2π (the encoder's `u += …`; the 0 + makes −0 +0, as there)
      const u = f64x2.mul(f64x2.add(f64x2.add(f64x2.splat(0), f64x2.mul(v128.load(Bcols + at), x)), f64x2.mul(v128.load(B1 + at), y)), twoPi);
      const sc = sinCos2(u);
      v128.store64_lane(o + (<usize>r << 2), sc, 0);
      v128.store64_lane(o + rowOut / 2 + (<usize>r << 2), sc, 1);
    }
    if (r < m) {
      // the last row of an odd m: lane 0 of the same code
      const at = <usize>r << 3;
      const u = f64x2.mul(f64x2.add(f64x2.add(f64x2.splat(0), f64x2.mul(f64x2.splat(load<f64>(Bcols + at)), x)), f64x2.mul(f64x2.splat(load<f64>(B1 + at)), y)), twoPi);
      const sc = sinCos2(u);
      store<f32>(o + (<usize>r << 2), f32x4.extract_lane(sc, 0));
      store<f32>(o + rowOut / 2 + (<usize>r << 2), f32x4.extract_lane(sc, 2));
    }
  }
}
