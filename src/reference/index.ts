/**
 * The reference implementation: a readable Float32Array/Float64Array MLP with manual backprop.
 * Read it beside the tutorial [Backprop, line by line](../../docs/backprop.md), which walks through
 * each group below with real numbers.
 *
 * @groupDescription Activations
 * The hidden and output non-linearities, each a forward function and its derivative; see
 * [Activations and their derivatives](../../docs/backprop.md#3-activations-and-their-derivatives).
 *
 * @groupDescription Dense layer
 * y = W·x + b over a batch, and its backward pass: dW, db and the input's gradient; see
 * [The dense layer, forward](../../docs/backprop.md#1-the-dense-layer-forward) and
 * [The chain rule for one dense layer](../../docs/backprop.md#2-the-chain-rule-for-one-dense-layer).
 *
 * @groupDescription Loss
 * Mean squared error and its gradient; see [The loss](../../docs/backprop.md#5-the-loss-mean-squared-error).
 *
 * @groupDescription Optimizer
 * Adam, with its bias corrections, and the learning-rate schedule; see [Adam](../../docs/backprop.md#6-adam).
 *
 * @groupDescription Network
 * The MLP: layers, initial weights, the tape a forward pass records for the backward, number
 * types; see [The whole network](../../docs/backprop.md#4-the-whole-network).
 *
 * @groupDescription Training step
 * One step of training, written once: forward, the loss, backward, Adam; see
 * [Every number of one step](../../docs/backprop.md#7-every-number-of-one-step).
 *
 * @groupDescription Randomness
 * The seeded generator every random draw comes from (initial weights, shuffles, Gaussian
 * features) and the epoch's sample order, so that a seed fixes a run.
 *
 * @module coordnet/reference
 */

export * from "./activations/index.js";
export * from "./adam.js";
export * from "./dense.js";
export * from "./dtype.js";
export * from "./init.js";
export * from "./mlp.js";
export * from "./mse.js";
export * from "./rng.js";
export * from "./schedule.js";
export * from "./step.js";
