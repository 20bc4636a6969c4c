/**
 * @module
 * The empirical neural tangent kernel K(xᵢ, xⱼ) = Σ_c ⟨∂f_c(xᵢ)/∂θ, ∂f_c(xⱼ)/∂θ⟩ of a network
 * (Jacot et al. 2018), summed over its output channels c, from the reference's own backward pass;
 * and its eigen-decomposition. Trained by gradient descent on the squared error, a network near
 * its linearisation shrinks the error along K's i-th eigenvector by (1 − η·λᵢ) each step: the
 * eigenvalues say how fast each pattern is learnt, the eigenvectors which patterns they are.
 */

import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { InvalidArgumentError, quote } from "../errors.js";
import { allocate, type FloatArray } from "../reference/dtype.js";
import { createGrads, createTape, gradientArrays, type MLP, mlpBackward, mlpForward } from "../reference/mlp.js";

/**
 * The Jacobian of the network's outputs with respect to every parameter, one row per sample and
 * output channel, from the reference's backward pass: for each sample alone, a backward pass from
 * a unit output gradient (1 at channel c, 0 elsewhere) gives ∂f_c(x)/∂θ. Parameters in the order
 * of `parameterArrays` (W₀, b₀, W₁, b₁, …). Readable, and O(samples·outputs·parameters) memory:
 * for small networks and checks; {@link ntkKernel} computes K without it.
 *
 * @param x - inputs, row-major [count][inputs]
 * @returns row-major [count·outputs][parameters]: row n·outputs + c is ∂f_c(x_n)/∂θ
 *
 * @example
 * ```ts
 * const J = ntkJacobian(mlp, x, 4); // K = J·Jᵀ (rows of one sample summed over channels)
 * ```
 *
 * @group Neural tangent kernel
 */
export function ntkJacobian(mlp: MLP, x: FloatArray, count: number): Float64Array {
  const { inputs, outputs } = mlp.spec;
  const P = mlp.layers.reduce((s, layer) => s + layer.weight.length + layer.bias.length, 0);
  const tape = createTape(mlp, 1);
  const grads = createGrads(mlp);
  // row-major [count·outputs][P]
  const J = new Float64Array(count * outputs * P);
  const unit = allocate(mlp.dtype, outputs);
  for (let n = 0; n < count; n++) {
    mlpForward(mlp, tape, x.subarray(n * inputs, (n + 1) * inputs), 1);
    for (let c = 0; c < outputs; c++) {
      // dL/df = e_c, so dL/dθ = ∂f_c(x_n)/∂θ
      unit.fill(0);
      unit[c] = 1;
      mlpBackward(mlp, tape, unit, grads, 1);
      let offset = (n * outputs + c) * P;
      for (const g of gradientArrays(grads)) {
        J.set(g, offset);
        offset += g.length;
      }
    }
  }
  return J;
}

/**
 * The empirical NTK on `count` inputs, summed over output channels, without forming the Jacobian.
 * A dense layer z = W·a + b has ∂f/∂W = δ·aᵀ (δ = ∂f/∂z, what the backward pass computes; a the
 * layer's input) and ∂f/∂b = δ, so the inner product of two samples' gradients factorises:
 * ⟨δᵢaᵢᵀ, δⱼaⱼᵀ⟩ + ⟨δᵢ, δⱼ⟩ = (δᵢ·δⱼ)(aᵢ·aⱼ + 1). One forward pass of the whole grid and one
 * backward pass per output channel (unit output gradient at every sample) give every δ and a.
 *
 * @param x - inputs, row-major [count][inputs]
 * @returns K, row-major [count][count], symmetric
 *
 * @example
 * ```ts
 * const K = ntkKernel(mlp, grid, 64); // [64][64]
 * ```
 *
 * @group Neural tangent kernel
 */
export function ntkKernel(mlp: MLP, x: FloatArray, count: number): Float64Array {
  const { outputs } = mlp.spec;
  const L = mlp.layers.length;
  const tape = createTape(mlp, count);
  const grads = createGrads(mlp);
  mlpForward(mlp, tape, x, count);
  // K row-major [count][count]
  const K = new Float64Array(count * count);
  // δ·δ per layer, summed over channels: D[l] row-major [count][count]
  const D = Array.from({ length: L }, () => new Float64Array(count * count));
  const unit = allocate(mlp.dtype, count * outputs);
  // #region ntkKernel
  for (let c = 0; c < outputs; c++) {
    // dL/df[n] = e_c for every sample n: each sample's backward is its own
    unit.fill(0);
    for (let n = 0; n < count; n++) unit[n * outputs + c] = 1;
    mlpBackward(mlp, tape, unit, grads, count);
    for (let l = 0; l < L; l++) {
      // after the backward pass, da[l+1] holds δ[l] = ∂f_c/∂z[l], row-major [count][outputs of l]
      const delta = tape.da[l + 1];
      // D[l][i][j] += δ[l](i)·δ[l](j)
      addGram(D[l], delta, count, mlp.layers[l].outputs);
    }
  }
  const A = new Float64Array(count * count);
  for (let l = 0; l < L; l++) {
    // A[i][j] = a[l](i)·a[l](j), the layer's inputs
    A.fill(0);
    addGram(A, tape.a[l], count, mlp.layers[l].inputs);
    // K[i][j] += D[l][i][j]·(A[i][j] + 1)
    for (let k = 0; k < count * count; k++) K[k] += D[l][k] * (A[k] + 1);
  }
  // #endregion ntkKernel
  return K;
}

/** G[i][j] += v(i)·v(j) for rows of `v`, row-major [count][dim]; G symmetric, row-major [count][count]. */
function addGram(G: Float64Array, v: FloatArray, count: number, dim: number): void {
  for (let i = 0; i < count; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += v[i * dim + k] * v[j * dim + k];
      G[i * count + j] += s;
      if (j !== i) G[j * count + i] += s;
    }
}

/**
 * A symmetric matrix's eigenvalues, largest first, and its leading eigenvectors.
 *
 * @group Neural tangent kernel
 */
export interface Eigen {
  /** every eigenvalue, descending */
  readonly eigenvalues: number[];
  /** the leading eigenvectors, unit length, eigenvectors[i] belonging to eigenvalues[i]; each signed so that its largest entry is positive */
  readonly eigenvectors: number[][];
}

/**
 * Eigen-decomposition of a symmetric n×n matrix with ml-matrix's `EigenvalueDecomposition`
 * (`assumeSymmetric`: JAMA's Householder tridiagonalisation and QL iteration, the textbook
 * routine, exact to rounding for n in the hundreds), sorted largest first.
 *
 * @param K - row-major [n][n], symmetric
 * @param leading - how many eigenvectors to return
 *
 * @example
 * ```ts
 * symmetricEigen(Float64Array.of(2, 1, 1, 2), 2, 1); // { eigenvalues: [3, 1], eigenvectors: [[0.707…, 0.707…]] }
 * ```
 *
 * @group Neural tangent kernel
 */
export function symmetricEigen(K: ArrayLike<number>, n: number, leading: number): Eigen {
  if (!Number.isInteger(n) || n < 1 || K.length !== n * n)
    throw new InvalidArgumentError(`symmetricEigen: K must hold n·n = ${n * n} values, got ${quote(K.length)}`);
  const rows = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => K[i * n + j]));
  const eig = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  const V = eig.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
  const eigenvectors = order.slice(0, Math.min(leading, n)).map((i) => {
    const v = V.getColumn(i);
    const big = v.reduce((m, e) => (Math.abs(e) > Math.abs(m) ? e : m), 0);
    return big < 0 ? v.map((e) => -e) : v;
  });
  return { eigenvalues: order.map((i) => values[i]), eigenvectors };
}
