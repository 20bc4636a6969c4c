/**
 * @module
 * The dense (fully connected) layer y = x·Wᵀ + b, PyTorch's `nn.Linear`.
 */

import { allocate, type DType, type FloatArray } from "./dtype.js";

/**
 * A dense layer's parameters.
 *
 * @group Dense layer
 */
export interface Dense {
  /** number of input features */
  readonly inputs: number;
  /** number of output features */
  readonly outputs: number;
  /** row-major [outputs][inputs], the layout of PyTorch's `nn.Linear.weight` */
  readonly weight: FloatArray;
  /** [outputs] */
  readonly bias: FloatArray;
}

/**
 * Gradients of a loss with respect to a dense layer's parameters (same layouts as {@link Dense}).
 *
 * @group Dense layer
 */
export interface DenseGrads {
  /** row-major [outputs][inputs] */
  readonly weight: FloatArray;
  /** [outputs] */
  readonly bias: FloatArray;
}

/**
 * Allocate a dense layer with zero parameters (see `init.ts` for initialisation).
 *
 * @example
 * ```ts
 * const layer = createDense(2, 3, "float32"); // weight [3][2], bias [3]
 * ```
 *
 * @group Dense layer
 */
export function createDense(inputs: number, outputs: number, dtype: DType): Dense {
  return { inputs, outputs, weight: allocate(dtype, outputs * inputs), bias: allocate(dtype, outputs) };
}

/**
 * Forward pass over a batch.
 *
 * @param x - row-major [batch][inputs]
 * @param y - output, row-major [batch][outputs]
 *
 * @example
 * ```ts
 * const layer = createDense(2, 1, "float32");
 * layer.weight.set([1, 2]);
 * const y = new Float32Array(1);
 * denseForward(layer, Float32Array.of(3, 4), y, 1); // y = [11]
 * ```
 *
 * @group Dense layer
 */
// #region denseForward
export function denseForward(layer: Dense, x: FloatArray, y: FloatArray, batch: number): void {
  const { inputs: nIn, outputs: nOut, weight: W, bias: b } = layer;
  // y[n][j] = b[j] + Σ_i x[n][i]·W[j][i]
  for (let n = 0; n < batch; n++) {
    for (let j = 0; j < nOut; j++) {
      let sum = b[j];
      for (let i = 0; i < nIn; i++) sum += x[n * nIn + i] * W[j * nIn + i];
      y[n * nOut + j] = sum;
    }
  }
}
// #endregion denseForward

/**
 * Backward pass over a batch: given dL/dy, compute dL/dW and dL/db (overwritten, summed over the
 * batch) and, when `dx` is given, dL/dx.
 *
 * @param x - the forward pass's input, row-major [batch][inputs]
 * @param dy - upstream gradient dL/dy, row-major [batch][outputs]
 * @param grads - receives dL/dW [outputs][inputs] and dL/db [outputs]
 * @param dx - receives dL/dx, row-major [batch][inputs]; `null` for the first layer, whose
 *   input gradient nobody needs
 *
 * @example
 * ```ts
 * const layer = createDense(2, 1, "float32");
 * const grads = { weight: new Float32Array(2), bias: new Float32Array(1) };
 * denseBackward(layer, Float32Array.of(3, 4), Float32Array.of(1), grads, null, 1);
 * // grads.weight = [3, 4], grads.bias = [1]
 * ```
 *
 * @group Dense layer
 */
// #region denseBackwardParams
export function denseBackward(layer: Dense, x: FloatArray, dy: FloatArray, grads: DenseGrads, dx: FloatArray | null, batch: number): void {
  const { inputs: nIn, outputs: nOut, weight: W } = layer;
  // dW[j][i] = Σ_n dy[n][j]·x[n][i]   (row j summed in float64, walking x row by row)
  const row = new Float64Array(nIn);
  for (let j = 0; j < nOut; j++) {
    row.fill(0);
    for (let n = 0; n < batch; n++) {
      const g = dy[n * nOut + j];
      for (let i = 0; i < nIn; i++) row[i] += g * x[n * nIn + i];
    }
    for (let i = 0; i < nIn; i++) grads.weight[j * nIn + i] = row[i];
  }
  // db[j] = Σ_n dy[n][j]
  for (let j = 0; j < nOut; j++) {
    let sum = 0;
    for (let n = 0; n < batch; n++) sum += dy[n * nOut + j];
    grads.bias[j] = sum;
  }
  if (dx === null) return;
  // #endregion denseBackwardParams
  // #region denseBackwardInput
  // dx[n][i] = Σ_j dy[n][j]·W[j][i]   (row n summed in float64, walking W row by row)
  for (let n = 0; n < batch; n++) {
    row.fill(0);
    for (let j = 0; j < nOut; j++) {
      const g = dy[n * nOut + j];
      for (let i = 0; i < nIn; i++) row[i] += g * W[j * nIn + i];
    }
    for (let i = 0; i < nIn; i++) dx[n * nIn + i] = row[i];
  }
}
// #endregion denseBackwardInput
