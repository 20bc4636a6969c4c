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

@inline function bcast(p: usize): v128 {
  return f32x4.splat(load<f32>(p));
}

/** C[r][c] (+)= Σ_k A(r, k)·B[k][c]; pointers in bytes, sizes and strides in elements. */
export function gemm(A: usize, B: usize, C: usize, R: i32, K: i32, N: i32, sAr: i32, sAk: i32, accumulate: bool): void {
  const rowA = <usize>sAr << 2;
  const stepA = <usize>sAk << 2;
  const rowB = <usize>N << 2;
  let r = 0;
  for (; r + 4 <= R; r += 4) {
    const a0 = A + <usize>r * rowA;
    const a1 = a0 + rowA;
    const a2 = a1 + rowA;
    const a3 = a2 + rowA;
    const c0 = C + <usize>r * rowB;
    const c1 = c0 + rowB;
    const c2 = c1 + rowB;
    const c3 = c2 + rowB;
    let c = 0;
    for (; c + 8 <= N; c += 8) {
      const o = <usize>c << 2;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      if (accumulate) {
        s00 = ld(c0 + o); s01 = ld(c0 + o + 16); s10 = ld(c1 + o); s11 = ld(c1 + o + 16);
        s20 = ld(c2 + o); s21 = ld(c2 + o + 16); s30 = ld(c3 + o); s31 = ld(c3 + o + 16);
      }
      let b = B + o;
      for (let k = 0; k < K; k++) {
        const kk = <usize>k * stepA;
        const b0 = ld(b);
        const b1 = ld(b + 16);
        let x = bcast(a0 + kk);
        s00 = f32x4.add(s00, f32x4.mul(x, b0)); s01 = f32x4.add(s01, f32x4.mul(x, b1));
        x = bcast(a1 + kk);
        s10 = f32x4.add(s10, f32x4.mul(x, b0)); s11 = f32x4.add(s11, f32x4.mul(x, b1));
        x = bcast(a2 + kk);
        s20 = f32x4.add(s20, f32x4.mul(x, b0)); s21 = f32x4.add(s21, f32x4.mul(x, b1));
        x = bcast(a3 + kk);
        s30 = f32x4.add(s30, f32x4.mul(x, b0)); s31 = f32x4.add(s31, f32x4.mul(x, b1));
        b += rowB;
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
      for (let k = 0; k < K; k++) {
        const kk = <usize>k * stepA;
        const b0 = ld(b);
        s0 = f32x4.add(s0, f32x4.mul(bcast(a0 + kk), b0));
        s1 = f32x4.add(s1, f32x4.mul(bcast(a1 + kk), b0));
        s2 = f32x4.add(s2, f32x4.mul(bcast(a2 + kk), b0));
        s3 = f32x4.add(s3, f32x4.mul(bcast(a3 + kk), b0));
        b += rowB;
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
      for (let k = 0; k < K; k++) {
        const kk = <usize>k * stepA;
        const bv = load<f32>(b);
        s0 += load<f32>(a0 + kk) * bv;
        s1 += load<f32>(a1 + kk) * bv;
        s2 += load<f32>(a2 + kk) * bv;
        s3 += load<f32>(a3 + kk) * bv;
        b += rowB;
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
      for (let k = 0; k < K; k++) {
        s0 = f32x4.add(s0, f32x4.mul(bcast(a0 + <usize>k * stepA), ld(b)));
        b += rowB;
      }
      v128.store(c0 + o, s0);
    }
    for (; c < N; c++) {
      const o = <usize>c << 2;
      let s0: f32 = accumulate ? load<f32>(c0 + o) : 0;
      let b = B + o;
      for (let k = 0; k < K; k++) {
        s0 += load<f32>(a0 + <usize>k * stepA) * load<f32>(b);
        b += rowB;
      }
      store<f32>(c0 + o, s0);
    }
  }
}

/** T[c][r] = M[r][c] for an [R][N] matrix M. */
export function transpose(M: usize, T: usize, R: i32, N: i32): void {
  for (let r = 0; r < R; r++) {
    const m = M + (<usize>r * <usize>N << 2);
    for (let c = 0; c < N; c++) store<f32>(T + ((<usize>c * <usize>R + <usize>r) << 2), load<f32>(m + (<usize>c << 2)));
  }
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
