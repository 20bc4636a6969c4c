/**
 * @module
 * One training step, written once: forward → MSE → backward → Adam. The reference backend runs
 * it for every batch (`stepNow`) and stops before Adam for its `gradients`; the playground's
 * backprop stepper (web/stepper-core.ts) makes the same calls in the same order, one at a time.
 */

import { type AdamOptions, type AdamState, adamStep } from "./adam.js";
import type { DenseGrads } from "./dense.js";
import { allocate, type FloatArray } from "./dtype.js";
import { createGrads, createTape, gradientArrays, type MLP, mlpBackward, mlpForward, parameterArrays, type Tape } from "./mlp.js";
import { mseBackward, mseForward } from "./mse.js";

/**
 * The arrays a training step writes besides the parameters, allocated once for batches of up to
 * `tape.maxBatch` samples and reused by every step.
 *
 * @group Training step
 */
export interface StepBuffers {
  /** what the forward pass keeps for the backward: each layer's z and a, row-major [batch][features] */
  readonly tape: Tape;
  /** dL/dW and dL/db of every layer, shaped like the layers' parameters */
  readonly grads: DenseGrads[];
  /** dL/dŷ, row-major [batch][outputs] */
  readonly dOut: FloatArray;
}

/**
 * Allocate the {@link StepBuffers} of `mlp` for batches of up to `maxBatch` samples (in the
 * MLP's number type).
 *
 * @example
 * ```ts
 * const buffers = createStepBuffers(mlp, 1024);
 * ```
 *
 * @group Training step
 */
export function createStepBuffers(mlp: MLP, maxBatch: number): StepBuffers {
  // dOut: row-major [batch][outputs]
  return { tape: createTape(mlp, maxBatch), grads: createGrads(mlp), dOut: allocate(mlp.dtype, maxBatch * mlp.spec.outputs) };
}

/**
 * Forward, loss and backward for one batch, the parameters left as they are: returns the mean
 * squared error and leaves dL/dW and dL/db of every layer in `buffers.grads` (and the prediction
 * ŷ on the tape, as {@link mlpForward} returns it). `x` is row-major [batch][inputs], `target`
 * row-major [batch][outputs].
 *
 * @example
 * ```ts
 * const loss = lossAndGradients(mlp, buffers, x, target, 1024);
 * buffers.grads[0].weight; // dL/dW₀, row-major [outputs][inputs]
 * ```
 *
 * @group Training step
 */
export function lossAndGradients(mlp: MLP, buffers: StepBuffers, x: FloatArray, target: FloatArray, batch: number): number {
  const { tape, grads, dOut } = buffers;
  const n = batch * mlp.spec.outputs;
  // #region lossAndGradients
  // ŷ = f(x), every layer's z and a kept on the tape
  const pred = mlpForward(mlp, tape, x, batch);
  // L = (1/n) Σ (ŷ − target)²
  const loss = mseForward(pred, target, n);
  // dL/dŷ = 2·(ŷ − target) / n
  mseBackward(pred, target, dOut, n);
  // dL/dW[l] and dL/db[l] for every layer, by the chain rule from the output down
  mlpBackward(mlp, tape, dOut, grads, batch);
  // #endregion lossAndGradients
  return loss;
}

/**
 * One training step on one batch: {@link lossAndGradients}, then Adam moves every W and b
 * (`adam` counts the step and keeps its moments). Returns the batch's loss before the step.
 *
 * @example
 * ```ts
 * const adam = createAdamState(parameterArrays(mlp));
 * const loss = trainStep(mlp, buffers, adam, { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, x, target, 1024, 1e-3);
 * ```
 *
 * @group Training step
 */
export function trainStep(
  mlp: MLP,
  buffers: StepBuffers,
  adam: AdamState,
  options: AdamOptions,
  x: FloatArray,
  target: FloatArray,
  batch: number,
  lr: number,
): number {
  // #region trainStep
  // forward → MSE → backward: the loss, and dL/dp for every parameter p
  const loss = lossAndGradients(mlp, buffers, x, target, batch);
  // p ← p − lr·m̂ / (√v̂ + ε) for every W and b, in parameterArrays' order
  adamStep(parameterArrays(mlp), gradientArrays(buffers.grads), adam, options, lr);
  // #endregion trainStep
  return loss;
}
