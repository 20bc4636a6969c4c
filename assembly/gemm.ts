// coordnet's WebAssembly kernels (AssemblyScript, compiled with SIMD at build time).
//
// One matrix product does all the heavy work of a training step:
//
//     C[r][c] = (accumulate ? C[r][c] : 0) + Σ_k A(r, k)·B[k][c]
//
// with B row-major [K][N], C row-major [R][N] (f32), and A(r, k) read at A + r·sAr + k·sAk
// (elements): sAr = K, sAk = 1 for a row-major [R][K] A, sAr = 1, sAk = R to use the transpose
// of a row-major [K][R] matrix without copying it. It is the "axpy" form:
// each A value is broadcast to four lanes and multiplied into a contiguous run of a B row, so the
// vector loads are always contiguous whatever the shapes. Register blocking: a tile of 4 rows of C
// by 8 columns (two f32x4 accumulators per row, 8 in all) stays in registers while k runs; column
// remainders use one vector, then scalars; row remainders run one row at a time.
//
// forward  z  = x · Wᵀ   (A = x [B][nIn],  B = Wᵀ [nIn][nOut], a copy transposed once per step)
// backward dx = dz · W   (A = dz [B][nOut], B = W [nOut][nIn])
//          dW = dzᵀ · a  (A = dz read transposed: sAr = 1, sAk = nOut; B = a [B][nIn])

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

/** C[r][c] (+)= Σ_k A(r, k)·B[k][c]; pointers in bytes, sizes and strides in elements. */
export function gemm(A: usize, B: usize, C: usize, R: i32, K: i32, N: i32, sAr: i32, sAk: i32, accumulate: bool): void {
  const rowA = <usize>sAr << 2;
  const stepA = <usize>sAk << 2;
  const rowB = <usize>N << 2;
  const sizeB = <usize>K * rowB;
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
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      if (accumulate) {
        s00 = ld(c0 + o); s01 = ld(c0 + o + 16); s10 = ld(c1 + o); s11 = ld(c1 + o + 16);
        s20 = ld(c2 + o); s21 = ld(c2 + o + 16); s30 = ld(c3 + o); s31 = ld(c3 + o + 16);
      }
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
      v128.store(c0 + o, s00); v128.store(c0 + o + 16, s01);
      v128.store(c1 + o, s10); v128.store(c1 + o + 16, s11);
      v128.store(c2 + o, s20); v128.store(c2 + o + 16, s21);
      v128.store(c3 + o, s30); v128.store(c3 + o + 16, s31);
    }
    for (; c + 4 <= N; c += 4) {
      const o = <usize>c << 2;
      let s0 = accumulate ? ld(c0 + o) : f32x4.splat(0);
      let s1 = accumulate ? ld(c1 + o) : f32x4.splat(0);
      let s2 = accumulate ? ld(c2 + o) : f32x4.splat(0);
      let s3 = accumulate ? ld(c3 + o) : f32x4.splat(0);
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
      v128.store(c0 + o, s0); v128.store(c1 + o, s1); v128.store(c2 + o, s2); v128.store(c3 + o, s3);
    }
    for (; c < N; c++) {
      const o = <usize>c << 2;
      let s0: f32 = accumulate ? load<f32>(c0 + o) : 0;
      let s1: f32 = accumulate ? load<f32>(c1 + o) : 0;
      let s2: f32 = accumulate ? load<f32>(c2 + o) : 0;
      let s3: f32 = accumulate ? load<f32>(c3 + o) : 0;
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
      store<f32>(c0 + o, s0); store<f32>(c1 + o, s1); store<f32>(c2 + o, s2); store<f32>(c3 + o, s3);
    }
  }
  // remaining rows, one at a time
  for (; r < R; r++) {
    const a0 = A + <usize>r * rowA;
    const c0 = C + <usize>r * rowB;
    let c = 0;
    for (; c + 4 <= N; c += 4) {
      const o = <usize>c << 2;
      let s0 = accumulate ? ld(c0 + o) : f32x4.splat(0);
      let b = B + o;
      const bEnd = b + sizeB;
      let a = a0;
      while (b < bEnd) {
        s0 = madd(bcast(a), ld(b), s0);
        b += rowB;
        a += stepA;
      }
      v128.store(c0 + o, s0);
    }
    for (; c < N; c++) {
      const o = <usize>c << 2;
      let s0: f32 = accumulate ? load<f32>(c0 + o) : 0;
      let b = B + o;
      const bEnd = b + sizeB;
      let a = a0;
      while (b < bEnd) {
        s0 += load<f32>(a) * load<f32>(b);
        b += rowB;
        a += stepA;
      }
      store<f32>(c0 + o, s0);
    }
  }
}

/**
 * T[c][r] = M[r][c] for an [R][N] matrix M: 4×4 blocks through registers (two rounds of lane
 * shuffles), the ragged edges one element at a time. Four columns at a time down all the rows:
 * the writes then run along four rows of T (rows of T a multiple of 4 KiB apart would share a
 * cache set, so writing across many of them at once is several times slower).
 */
export function transpose(M: usize, T: usize, R: i32, N: i32): void {
  const rowM = <usize>N << 2;
  const rowT = <usize>R << 2;
  let c = 0;
  for (; c + 4 <= N; c += 4) {
    const t = T + <usize>c * rowT;
    let r = 0;
    for (; r + 4 <= R; r += 4) {
      const p = M + <usize>r * rowM + (<usize>c << 2);
      const r0 = ld(p);
      const r1 = ld(p + rowM);
      const r2 = ld(p + 2 * rowM);
      const r3 = ld(p + 3 * rowM);
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
    for (; r < R; r++)
      for (let j = 0; j < 4; j++) store<f32>(t + <usize>j * rowT + (<usize>r << 2), load<f32>(M + <usize>r * rowM + (<usize>(c + j) << 2)));
  }
  for (; c < N; c++)
    for (let r = 0; r < R; r++) store<f32>(T + <usize>c * rowT + (<usize>r << 2), load<f32>(M + <usize>r * rowM + (<usize>c << 2)));
}

/** Fill each of R rows of C [R][N] with the vector b [N] (the bias, before z += x·Wᵀ). */
export function fillRows(b: usize, C: usize, R: i32, N: i32): void {
  const bytes = <usize>N << 2;
  for (let r = 0; r < R; r++) memory.copy(C + <usize>r * bytes, b, bytes);
}

/** s[c] = Σ_r M[r][c] over an [R][N] matrix (the bias gradient, summed over the batch). */
export function columnSums(M: usize, s: usize, R: i32, N: i32): void {
  memory.fill(s, 0, <usize>N << 2);
  for (let r = 0; r < R; r++) {
    const m = M + (<usize>r * <usize>N << 2);
    let c = 0;
    for (; c + 4 <= N; c += 4) v128.store(s + (<usize>c << 2), f32x4.add(ld(s + (<usize>c << 2)), ld(m + (<usize>c << 2))));
    for (; c < N; c++) store<f32>(s + (<usize>c << 2), load<f32>(s + (<usize>c << 2)) + load<f32>(m + (<usize>c << 2)));
  }
}

/**
 * ReLU's fast path, a[i] = max(0, z[i]) four at a time: the same function as the reference's
 * `relu` (Math.max keeps NaN; max(−0, 0) is +0), checked bit for bit against it by the tests.
 */
export function reluForward(z: usize, a: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(a + (<usize>i << 2), f32x4.max(ld(z + (<usize>i << 2)), zero));
  for (; i < n; i++) store<f32>(a + (<usize>i << 2), max<f32>(load<f32>(z + (<usize>i << 2)), 0));
}

/**
 * ReLU's backward fast path, dz[i] = da[i]·(z[i] > 0 ? 1 : 0) (the reference's reluGrad), in place
 * allowed (dz = da).
 */
export function reluBackward(z: usize, da: usize, dz: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const grad = v128.bitselect(one, zero, f32x4.gt(ld(z + o), zero));
    v128.store(dz + o, f32x4.mul(ld(da + o), grad));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dz + o, load<f32>(da + o) * (load<f32>(z + o) > 0 ? <f32>1 : <f32>0));
  }
}
