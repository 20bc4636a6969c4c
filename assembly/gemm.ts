// The wasm backend's matrix kernels (AssemblyScript, compiled with SIMD at build time, twice: plain
// SIMD, and relaxed SIMD whose fused multiply-add does a·b + c in one instruction).
//
// One matrix product does nearly all the work of a training step:
//
//     C[r][c] = bias[c] + Σ_k A(r, k)·B[k][c]
//
// with B row-major [K][N], C row-major [R][N] (f32), and A(r, k) read at A + r·sAr + k·sAk
// (elements): sAr = K, sAk = 1 for a row-major [R][K] A, sAr = 1, sAk = R for the transpose of a
// row-major [K][R] matrix. It is the "axpy" form: each A value is broadcast to four lanes and
// multiplied into a contiguous run of a B row, so the vector loads are contiguous whatever the
// shapes. Register blocking: a tile of 4 rows of C by 8 columns (two f32x4 accumulators per row, 8
// in all) stays in registers while k runs; column remainders use one vector, then scalars; row
// remainders run one row at a time. The layer's activation, its forward (a = f(z)) or its
// derivative (dz = da·f'(·)), is applied as each tile is stored, saving a pass over memory
// (assembly/activations.ts: float32 SIMD, one compiled copy of the product per activation).
//
// forward  z  = b + x·Wᵀ  (A = x [B][nIn],   B = Wᵀ [nIn][nOut], a copy transposed once per step)
// backward dz = (dz'·W) ⊙ act'(·)  (A = dz' [B][nOut'] of the layer above, B = W [nOut'][nIn])
//          dW = dzᵀ·a     (A = dzᵀ [nOut][B], transposed first so both operands run along rows;
//                          B = a [B][nIn]), db = Σ_n dz (summed during that transpose)
// Outputs narrower than 8 columns (the 3 colours; a 2-input first layer's dW) use `gemmNT`, a dot
// product per output element.

import { backward1, backward4, ELU, forward1, forward4, GELU, IDENTITY, RELU, SIGMOID, SINE, TANH } from "./activations";

@inline function ld(p: usize): v128 {
  return v128.load(p);
}

/** f32 at p in all four lanes (one broadcast load). */
@inline function bcast(p: usize): v128 {
  return v128.load32_splat(p);
}

/**
 * c + a·b lane-wise: one fused multiply-add where the build has relaxed SIMD (rounded once; the
 * engine picks FMA where the processor has it), else a multiply and an add (rounded twice).
 */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** The starting value of four accumulators: bias[c..c+3], or zeros where there is no bias (0). */
@inline function start4(bias: usize, o: usize): v128 {
  return bias !== 0 ? ld(bias + o) : f32x4.splat(0);
}

/**
 * Store four finished sums s at byte offset o of C, with the layer's activation as the epilogue
 * (`act` a constant wherever this is inlined; see assembly/activations.ts):
 * dIn ≠ 0: s ← da·f'(·) with da = s and f'(·) read at dIn[o] (z or a = f(z)): the backward;
 * aOut ≠ 0: also aOut[o] = f(s): the forward (s is z).
 */
@inline function put4(act: i32, C: usize, o: usize, s: v128, aOut: usize, dIn: usize): void {
  let v = s;
  if (act !== 0 && dIn !== 0) v = backward4(act, v, ld(dIn + o));
  v128.store(C + o, v);
  if (act !== 0 && aOut !== 0) v128.store(aOut + o, forward4(act, v));
}

/** put4 for one element (lane 0 of the same code). */
@inline function put1(act: i32, C: usize, o: usize, s: f32, aOut: usize, dIn: usize): void {
  let v = s;
  if (act !== 0 && dIn !== 0) v = backward1(act, v, load<f32>(dIn + o));
  store<f32>(C + o, v);
  if (act !== 0 && aOut !== 0) store<f32>(aOut + o, forward1(act, v));
}

/**
 * C[r][c] = bias[c] + Σ_k A(r, k)·B[k][c] (pointers in bytes, sizes and strides in elements; a
 * pointer 0 means "none": bias 0 starts from zeros). Epilogues, for activation `act` (a code of
 * assembly/activations.ts; 0: none): `aOut` ≠ 0 also writes f(C) there ([R][N] like C), the
 * forward; `dIn` ≠ 0 multiplies C by f'(·) read from dIn ([R][N]: z or a) elementwise first, the
 * backward.
 */
export function gemm(A: usize, B: usize, C: usize, R: i32, K: i32, N: i32, sAr: i32, sAk: i32, bias: usize, act: i32, aOut: usize, dIn: usize): void {
  // one compiled copy of the product per activation, each with its epilogue inlined, each a
  // function of its own (exported, so that the optimizer keeps it one: a single function holding
  // every copy compiles to code twice as slow in V8)
  if (act === 0 || (aOut === 0 && dIn === 0)) gemmPlain(A, B, C, R, K, N, sAr, sAk, bias);
  else if (act === RELU) gemmRelu(A, B, C, R, K, N, sAr, sAk, bias, aOut, dIn);
  else if (act === GELU) gemmGelu(A, B, C, R, K, N, sAr, sAk, bias, aOut, dIn);
  else if (act === ELU) gemmElu(A, B, C, R, K, N, sAr, sAk, bias, aOut, dIn);
  else if (act === TANH) gemmTanh(A, B, C, R, K, N, sAr, sAk, bias, aOut, dIn);
  else if (act === SIGMOID) gemmSigmoid(A, B, C, R, K, N, sAr, sAk, bias, aOut, dIn);
  else if (act === SINE) gemmSine(A, B, C, R, K, N, sAr, sAk, bias, aOut, dIn);
  else if (act === IDENTITY) {
    // f = identity: a copy of C; f' = 1: C as it is
    gemmPlain(A, B, C, R, K, N, sAr, sAk, bias);
    if (aOut !== 0) memory.copy(aOut, C, (<usize>R * <usize>N) << 2);
  } else unreachable();
}

export function gemmPlain(A: usize, B: usize, C: usize, R: i32, K: i32, N: i32, sAr: i32, sAk: i32, bias: usize): void {
  gemmWith(0, A, B, C, R, K, N, sAr, sAk, bias, 0, 0);
}
export function gemmRelu(A: usize, B: usize, C: usize, R: i32, K: i32, N: i32, sAr: i32, sAk: i32, bias: usize, aOut: usize, dIn: usize): void {
  gemmWith(RELU, A, B, C, R, K, N, sAr, sAk, bias, aOut, dIn);
}
export function gemmGelu(A: usize, B: usize, C: usize, R: i32, K: i32, N: i32, sAr: i32, sAk: i32, bias: usize, aOut: usize, dIn: usize): void {
  gemmWith(GELU, A, B, C, R, K, N, sAr, sAk, bias, aOut, dIn);
}
export function gemmElu(A: usize, B: usize, C: usize, R: i32, K: i32, N: i32, sAr: i32, sAk: i32, bias: usize, aOut: usize, dIn: usize): void {
  gemmWith(ELU, A, B, C, R, K, N, sAr, sAk, bias, aOut, dIn);
}
export function gemmTanh(A: usize, B: usize, C: usize, R: i32, K: i32, N: i32, sAr: i32, sAk: i32, bias: usize, aOut: usize, dIn: usize): void {
  gemmWith(TANH, A, B, C, R, K, N, sAr, sAk, bias, aOut, dIn);
}
export function gemmSigmoid(A: usize, B: usize, C: usize, R: i32, K: i32, N: i32, sAr: i32, sAk: i32, bias: usize, aOut: usize, dIn: usize): void {
  gemmWith(SIGMOID, A, B, C, R, K, N, sAr, sAk, bias, aOut, dIn);
}
export function gemmSine(A: usize, B: usize, C: usize, R: i32, K: i32, N: i32, sAr: i32, sAk: i32, bias: usize, aOut: usize, dIn: usize): void {
  gemmWith(SINE, A, B, C, R, K, N, sAr, sAk, bias, aOut, dIn);
}

/** gemm with the epilogue of activation `act` (a constant at each call). */
@inline function gemmWith(act: i32, A: usize, B: usize, C: usize, R: i32, K: i32, N: i32, sAr: i32, sAk: i32, bias: usize, aOut: usize, dIn: usize): void {
  const rowA = <usize>sAr << 2;
  const stepA = <usize>sAk << 2;
  const rowB = <usize>N << 2;
  const sizeB = <usize>K * rowB;
  // the epilogues address C, aOut and dIn alike: pass offsets from C
  const dOut = aOut !== 0 ? aOut - C : 0;
  const dD = dIn !== 0 ? dIn - C : 0;
  let r = 0;
  for (; r + 4 <= R; r += 4) {
    const a0 = A + <usize>r * rowA;
    const c0 = C + <usize>r * rowB;
    const c1 = c0 + rowB;
    const c2 = c1 + rowB;
    const c3 = c2 + rowB;
    let c = 0;
    for (; c + 8 <= N; c += 8) {
      // the 4×8 tile: eight f32x4 accumulators stay in registers while k runs
      const o = <usize>c << 2;
      const bias0 = start4(bias, o);
      const bias1 = start4(bias, o + 16);
      let s00 = bias0, s01 = bias1, s10 = bias0, s11 = bias1, s20 = bias0, s21 = bias1, s30 = bias0, s31 = bias1;
      // b walks down B's rows (columns c..c+7), a down A's k (rows r..r+3 at a, a + rowA, …)
      let b = B + o;
      const bEnd = b + sizeB;
      let a = a0;
      while (b < bEnd) {
        const b0 = ld(b);
        const b1 = ld(b + 16);
        let x = bcast(a);
        s00 = madd(x, b0, s00); s01 = madd(x, b1, s01);
        x = bcast(a + rowA);
        s10 = madd(x, b0, s10); s11 = madd(x, b1, s11);
        x = bcast(a + 2 * rowA);
        s20 = madd(x, b0, s20); s21 = madd(x, b1, s21);
        x = bcast(a + 3 * rowA);
        s30 = madd(x, b0, s30); s31 = madd(x, b1, s31);
        b += rowB;
        a += stepA;
      }
      put4(act, c0, o, s00, dOut ? c0 + dOut : 0, dD ? c0 + dD : 0);
      put4(act, c0, o + 16, s01, dOut ? c0 + dOut : 0, dD ? c0 + dD : 0);
      put4(act, c1, o, s10, dOut ? c1 + dOut : 0, dD ? c1 + dD : 0);
      put4(act, c1, o + 16, s11, dOut ? c1 + dOut : 0, dD ? c1 + dD : 0);
      put4(act, c2, o, s20, dOut ? c2 + dOut : 0, dD ? c2 + dD : 0);
      put4(act, c2, o + 16, s21, dOut ? c2 + dOut : 0, dD ? c2 + dD : 0);
      put4(act, c3, o, s30, dOut ? c3 + dOut : 0, dD ? c3 + dD : 0);
      put4(act, c3, o + 16, s31, dOut ? c3 + dOut : 0, dD ? c3 + dD : 0);
    }
    for (; c + 4 <= N; c += 4) {
      const o = <usize>c << 2;
      let s0 = start4(bias, o);
      let s1 = s0, s2 = s0, s3 = s0;
      let b = B + o;
      const bEnd = b + sizeB;
      let a = a0;
      while (b < bEnd) {
        const b0 = ld(b);
        s0 = madd(bcast(a), b0, s0);
        s1 = madd(bcast(a + rowA), b0, s1);
        s2 = madd(bcast(a + 2 * rowA), b0, s2);
        s3 = madd(bcast(a + 3 * rowA), b0, s3);
        b += rowB;
        a += stepA;
      }
      put4(act, c0, o, s0, dOut ? c0 + dOut : 0, dD ? c0 + dD : 0);
      put4(act, c1, o, s1, dOut ? c1 + dOut : 0, dD ? c1 + dD : 0);
      put4(act, c2, o, s2, dOut ? c2 + dOut : 0, dD ? c2 + dD : 0);
      put4(act, c3, o, s3, dOut ? c3 + dOut : 0, dD ? c3 + dD : 0);
    }
    for (; c < N; c++) {
      const o = <usize>c << 2;
      let s0: f32 = bias !== 0 ? load<f32>(bias + o) : 0;
      let s1 = s0, s2 = s0, s3 = s0;
      let b = B + o;
      const bEnd = b + sizeB;
      let a = a0;
      while (b < bEnd) {
        const bv = load<f32>(b);
        s0 += load<f32>(a) * bv;
        s1 += load<f32>(a + rowA) * bv;
        s2 += load<f32>(a + 2 * rowA) * bv;
        s3 += load<f32>(a + 3 * rowA) * bv;
        b += rowB;
        a += stepA;
      }
      put1(act, c0, o, s0, dOut ? c0 + dOut : 0, dD ? c0 + dD : 0);
      put1(act, c1, o, s1, dOut ? c1 + dOut : 0, dD ? c1 + dD : 0);
      put1(act, c2, o, s2, dOut ? c2 + dOut : 0, dD ? c2 + dD : 0);
      put1(act, c3, o, s3, dOut ? c3 + dOut : 0, dD ? c3 + dD : 0);
    }
  }
  // remaining rows, one at a time: 16 columns (four independent accumulators) where they fit
  for (; r < R; r++) {
    const a0 = A + <usize>r * rowA;
    const c0 = C + <usize>r * rowB;
    const pOut = dOut ? c0 + dOut : 0;
    const pD = dD ? c0 + dD : 0;
    let c = 0;
    for (; c + 16 <= N; c += 16) {
      const o = <usize>c << 2;
      let s0 = start4(bias, o), s1 = start4(bias, o + 16), s2 = start4(bias, o + 32), s3 = start4(bias, o + 48);
      let b = B + o;
      const bEnd = b + sizeB;
      let a = a0;
      while (b < bEnd) {
        const x = bcast(a);
        s0 = madd(x, ld(b), s0);
        s1 = madd(x, ld(b + 16), s1);
        s2 = madd(x, ld(b + 32), s2);
        s3 = madd(x, ld(b + 48), s3);
        b += rowB;
        a += stepA;
      }
      put4(act, c0, o, s0, pOut, pD);
      put4(act, c0, o + 16, s1, pOut, pD);
      put4(act, c0, o + 32, s2, pOut, pD);
      put4(act, c0, o + 48, s3, pOut, pD);
    }
    for (; c + 4 <= N; c += 4) {
      const o = <usize>c << 2;
      let s0 = start4(bias, o);
      let b = B + o;
      const bEnd = b + sizeB;
      let a = a0;
      while (b < bEnd) {
        s0 = madd(bcast(a), ld(b), s0);
        b += rowB;
        a += stepA;
      }
      put4(act, c0, o, s0, pOut, pD);
    }
    for (; c < N; c++) {
      const o = <usize>c << 2;
      let s0: f32 = bias !== 0 ? load<f32>(bias + o) : 0;
      let b = B + o;
      const bEnd = b + sizeB;
      let a = a0;
      while (b < bEnd) {
        s0 += load<f32>(a) * load<f32>(b);
        b += rowB;
        a += stepA;
      }
      put1(act, c0, o, s0, pOut, pD);
    }
  }
}

/**
 * C[r][c] = bias[c] + Σ_k A[r][k]·B[c][k] for row-major A [R][K] and B [N][K]: one dot product per
 * output element, four lanes of k at a time in four independent accumulators (so the adds do not
 * wait on each other), summed across lanes at the end. For outputs too narrow for gemm's tiles.
 */
export function gemmNT(A: usize, B: usize, C: usize, R: i32, K: i32, N: i32, bias: usize): void {
  const rowK = <usize>K << 2;
  const k16 = <usize>(K & ~15) << 2;
  for (let r = 0; r < R; r++) {
    const a = A + <usize>r * rowK;
    for (let c = 0; c < N; c++) {
      const b = B + <usize>c * rowK;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let o: usize = 0;
      for (; o < k16; o += 64) {
        s0 = madd(ld(a + o), ld(b + o), s0);
        s1 = madd(ld(a + o + 16), ld(b + o + 16), s1);
        s2 = madd(ld(a + o + 32), ld(b + o + 32), s2);
        s3 = madd(ld(a + o + 48), ld(b + o + 48), s3);
      }
      const s = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
      let sum: f32 = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
      for (; o < rowK; o += 4) sum += load<f32>(a + o) * load<f32>(b + o);
      store<f32>(C + ((<usize>r * <usize>N + <usize>c) << 2), (bias !== 0 ? load<f32>(bias + (<usize>c << 2)) : 0) + sum);
    }
  }
}

/**
 * T[c][r] = M[r][c] for the R rows and first N columns of M (rows ldM elements apart), and (if
 * sums ≠ 0) sums[c] = Σ_r M[r][c], added in order of r (the bias gradient). 4×4 blocks go through
 * registers (two rounds of lane shuffles), the ragged edges one element at a time. Four columns at
 * a time down all the rows: the writes then run along four rows of T (rows of T a multiple of
 * 4 KiB apart share a cache set, so writing across many of them at once is several times slower).
 */
export function transpose(M: usize, T: usize, R: i32, N: i32, ldM: i32, sums: usize): void {
  const rowM = <usize>ldM << 2;
  const rowT = <usize>R << 2;
  let c = 0;
  for (; c + 4 <= N; c += 4) {
    const t = T + <usize>c * rowT;
    let sum = f32x4.splat(0);
    let r = 0;
    for (; r + 4 <= R; r += 4) {
      const p = M + <usize>r * rowM + (<usize>c << 2);
      const r0 = ld(p);
      const r1 = ld(p + rowM);
      const r2 = ld(p + 2 * rowM);
      const r3 = ld(p + 3 * rowM);
      sum = f32x4.add(f32x4.add(f32x4.add(f32x4.add(sum, r0), r1), r2), r3);
      // rows [a0..a3], [b0..b3], [c0..c3], [d0..d3] → [a0 b0 a1 b1], [a2 b2 a3 b3], [c0 d0 c1 d1],
      // [c2 d2 c3 d3] → columns [a_j b_j c_j d_j]
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const q = t + (<usize>r << 2);
      v128.store(q, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(q + rowT, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(q + 2 * rowT, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(q + 3 * rowT, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
    for (; r < R; r++) {
      const p = M + <usize>r * rowM + (<usize>c << 2);
      sum = f32x4.add(sum, ld(p));
      for (let j = 0; j < 4; j++) store<f32>(t + <usize>j * rowT + (<usize>r << 2), load<f32>(p + (<usize>j << 2)));
    }
    if (sums !== 0) v128.store(sums + (<usize>c << 2), sum);
  }
  for (; c < N; c++) {
    let sum: f32 = 0;
    for (let r = 0; r < R; r++) {
      const v = load<f32>(M + <usize>r * rowM + (<usize>c << 2));
      sum += v;
      store<f32>(T + <usize>c * rowT + (<usize>r << 2), v);
    }
    if (sums !== 0) store<f32>(sums + (<usize>c << 2), sum);
  }
}
