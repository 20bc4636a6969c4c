/**
 * coordnet: coordinate networks in TypeScript. A small MLP f(x, y) → (r, g, b) learns an image
 * from its pixel coordinates.
 *
 * - `reference`: the readable MLP with manual backprop (activations, dense layer, MSE, Adam).
 * - `encoding`: coordinate normalisation, positional encoding, Gaussian Fourier features.
 * - `config`: models described as validated JSON.
 * - `backend`: the trainer interface every backend implements, and the backend registry.
 *
 * @module
 */

export * from "./backend.js";
export * from "./config.js";
export * from "./encoding/index.js";
export * from "./model.js";
export * from "./reference/index.js";
export * from "./training/shuffle.js";
