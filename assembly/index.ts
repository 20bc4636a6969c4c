// The wasm backend's kernel module (AssemblyScript, compiled at build time twice: plain SIMD into
// dist/backends/wasm/kernels.wasm, and relaxed SIMD — fused multiply-adds — into kernels-fma.wasm).
//
//   gemm.ts         matrix products (bias and the activation fused), transpose with column sums
//   activations.ts  the activations and their derivatives in float32 SIMD (approx.ts: exp, erf, sin)
//   adam.ts         Adam over all parameters
//   encode.ts       Fourier features (positional, Gaussian) of inputs encoded on demand

export { gemm, gemmElu, gemmGelu, gemmNT, gemmPlain, gemmRelu, gemmSigmoid, gemmSine, gemmTanh, transpose } from "./gemm";
export { activationBackward, activationForward } from "./activations";
export { adam } from "./adam";
export { gaussianEncode, positionalEncode } from "./encode";

/**
 * The first byte after the module's static data:
 * callers lay their buffers out from here, so that they never overwrite those tables (and a thread
 * instantiating the module, which writes them again, never overwrites a buffer).
 */
export function heapBase(): usize {
  return __heap_base;
}
