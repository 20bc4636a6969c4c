/**
 * @module
 * The activation codes the wasm kernels and their trainer agree on, written once: the trainer
 * passes them (`WASM_ACTIVATIONS` in module.ts) and the kernels branch on them
 * (assembly/activations.ts imports this file, which AssemblyScript compiles as it is: plain integer
 * constants). 0 is "no activation" in gemm's epilogue.
 */

/** ReLU, max(z, 0). */
export const RELU = 1;
/** GELU, z·Φ(z). */
export const GELU = 2;
/** ELU, z above 0, else eᶻ − 1. */
export const ELU = 3;
/** tanh. */
export const TANH = 4;
/** The logistic sigmoid, 1/(1 + e⁻ᶻ). */
export const SIGMOID = 5;
/** SIREN's sine, sin(30z). */
export const SINE = 6;
/** The identity (no activation, as a code a kernel can be asked for). */
export const IDENTITY = 7;
