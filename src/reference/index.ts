/**
 * @module
 * The reference implementation: a readable Float32Array/Float64Array MLP with manual backprop.
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
