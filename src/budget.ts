/**
 * @module
 * One budget for every large allocation: a pixel limit (images, training and render sizes,
 * checkpoint dimensions) and a memory estimate for a network trained or run with a batch size on
 * a backend. Both are checked before anything large is allocated, and a refusal is one line that
 * says what to change. Browser-safe: the limits are passed in.
 */

import { CoordnetError } from "./errors.js";
import { layerSizes, type MLPSpec } from "./reference/mlp.js";

/**
 * Default pixel limit: 16 megapixels.
 *
 * @example
 * ```ts
 * decodePNG(bytes, DEFAULT_MAX_PIXELS * 4); // allow up to 64 megapixels
 * ```
 */
export const DEFAULT_MAX_PIXELS = 16_000_000;

/**
 * A size or a memory need above its limit (one readable line saying what to change).
 *
 * @example
 * ```ts
 * try { checkPixels("render size", 20000, 20000, DEFAULT_MAX_PIXELS); } catch (e) { if (e instanceof BudgetError) console.error(e.message); }
 * ```
 */
export class BudgetError extends CoordnetError {
  constructor(message: string) {
    super(message);
    this.name = "BudgetError";
  }
}

/** Bytes in words: `512.0 MiB`, `15.4 GiB`. */
export const gib = (b: number): string => (b < 2 ** 30 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${(b / 2 ** 30).toFixed(1)} GiB`);

const mp = (pixels: number) => `${(pixels / 1e6).toFixed(1)} megapixels`;

/**
 * Refuse a `width`×`height` image (of whatever `what` names) with more than `maxPixels` pixels,
 * or with sides that are not positive integers.
 *
 * @throws {@link BudgetError}
 *
 * @example
 * ```ts
 * checkPixels("--size", 5000, 5000, 16_000_000); // throws: --size is 5000×5000 (25.0 megapixels), above the limit …
 * ```
 */
export function checkPixels(what: string, width: number, height: number, maxPixels: number): void {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1)
    throw new BudgetError(`${what} is ${width}×${height} pixels: both sides must be whole numbers ≥ 1`);
  if (width * height > maxPixels)
    throw new BudgetError(`${what} is ${width}×${height} (${mp(width * height)}), above the limit of ${mp(maxPixels)} (raise it with --max-pixels)`);
}

/** One part of a memory estimate. */
export interface MemoryPart {
  /** what it holds, e.g. `activations (batch 1024)` */
  readonly what: string;
  /** bytes */
  readonly bytes: number;
}

/**
 * Parameters of `spec`: every layer's weights and biases.
 *
 * @example
 * ```ts
 * parameterCount({ inputs: 2, outputs: 3, width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid" }); // 50307
 * ```
 */
export function parameterCount(spec: MLPSpec): number {
  const sizes = layerSizes(spec);
  let params = 0;
  for (let l = 1; l < sizes.length; l++) params += sizes[l] * sizes[l - 1] + sizes[l];
  return params;
}

/**
 * Bytes a trainer of `spec` on `backend` allocates for batches of up to `batch` samples, by part.
 * Float32 throughout; the formulas follow each backend's buffers (reference: the tape's z, a, da
 * per layer plus weights, gradients and Adam's m and v; wasm: the same plus transposed weights and
 * scratch, in one WebAssembly memory; gpu.js modes and unknown backends: measured, as their kernels
 * return fresh arrays that are copied to the host — about 20 floats per parameter and 128 MiB of
 * compiled kernels and garbage between collections).
 *
 * @example
 * ```ts
 * trainerMemory({ inputs: 2, outputs: 3, width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid" }, "wasm", 1024);
 * ```
 */
export function trainerMemory(spec: MLPSpec, backend: string, batch: number): MemoryPart[] {
  const sizes = layerSizes(spec);
  const params = parameterCount(spec);
  const units = sizes.reduce((a, b) => a + b, 0); // every layer's width, inputs included
  const outUnits = units - sizes[0];
  const widest = Math.max(...sizes);
  const f = 4; // float32
  const base = `${spec.depth} × ${spec.width} units, batch ${batch}`;
  switch (backend) {
    case "wasm":
      return [
        { what: "weights, gradients, Adam m and v, transposed weights", bytes: 5 * params * f },
        { what: `activations (${base})`, bytes: (3 * outUnits + widest + 8 + 2 + sizes[0] + spec.outputs) * batch * f },
      ];
    case "reference":
      return [
        { what: "weights, gradients, Adam m and v", bytes: 4 * params * f },
        { what: `activations (${base})`, bytes: (2 * units + outUnits + sizes[0] + 2 * spec.outputs) * batch * f },
      ];
    default:
      // gpu.js modes: every kernel's output is its own array (forward z and a, backward dz and
      // da, Adam's m, v and p per parameter), copied row by row to the host; measured on gpujs-wasm
      // (README, "Memory"): 22–25 floats per parameter with the checkpoint's copies, plus up to 116 MB
      return [
        { what: "weights, gradients, Adam m, v, their kernel outputs and host copies", bytes: 20 * params * f },
        { what: `activations (${base})`, bytes: (4 * units + sizes[0] + 2 * spec.outputs) * batch * f },
        { what: "gpu.js kernels and garbage between collections", bytes: 128 * 2 ** 20 },
      ];
  }
}

/**
 * Bytes of the checkpoint file of `spec` (weights, Adam's m and v as float32, and a header of at
 * most 64 KiB): encoded as one byte array, so at most {@link MAX_BYTE_ARRAY} of them can be written.
 *
 * @example
 * ```ts
 * checkpointBytes({ inputs: 2, outputs: 3, width: 4096, depth: 22, activation: "relu", outputActivation: "sigmoid" }); // ≈ 4.23e9
 * ```
 */
export function checkpointBytes(spec: MLPSpec): number {
  return 3 * parameterCount(spec) * 4 + 2 ** 16;
}

/**
 * Bytes that saving a run of `spec` adds to its trainer: the checkpoint (written last, the largest
 * file) is built from a copy of the weights (`getWeights`), copies of Adam's m and v
 * (`getOptimizerState`) and the file's bytes — six floats per parameter. The model file (two: a
 * copy and its bytes) is written and dropped before it. With `resuming`, the checkpoint a run
 * continues from (weights, m and v) is held for the whole run.
 *
 * @example
 * ```ts
 * checkMemory([...trainerMemory(spec, "wasm", 1024), ...saveMemory(spec, false)], 8 * 2 ** 30, "lower --width");
 * ```
 */
export function saveMemory(spec: MLPSpec, resuming: boolean): MemoryPart[] {
  const params = parameterCount(spec);
  const parts = [{ what: "saving the checkpoint (copies of the weights, Adam m and v, and the file's bytes)", bytes: 6 * params * 4 }];
  if (resuming) parts.push({ what: "the checkpoint resumed from (weights, Adam m and v)", bytes: 3 * params * 4 });
  return parts;
}

/**
 * What the estimate adds to the sum of the arrays: 10%. Measured peaks (README, "Memory") exceed
 * the arrays' sum by at most 2.0% (worker threads, the allocator, garbage not yet collected).
 */
export const MEMORY_ALLOWANCE = 0.1;

/**
 * `parts` with a last part, the allowance ({@link MEMORY_ALLOWANCE} of their sum), for what the
 * runtime adds to the arrays themselves.
 *
 * @example
 * ```ts
 * withAllowance(trainerMemory(spec, "wasm", 1024));
 * ```
 */
export function withAllowance(parts: readonly MemoryPart[]): MemoryPart[] {
  const total = parts.reduce((n, p) => n + p.bytes, 0);
  return [...parts, { what: `allowance (${MEMORY_ALLOWANCE * 100}%)`, bytes: Math.ceil(MEMORY_ALLOWANCE * total) }];
}

/**
 * Bytes `compareBackends` allocates to compare backends `a` and `b` on `spec` with batches of
 * `batch` over `steps` steps: both trainers, the float64 reference (twice the float32 one's bytes),
 * the initial network, 14 copies of the parameters (three sets of gradients, the weights before the
 * steps, three Adam states of m and v, three sets of weights after), and the data (inputs,
 * targets, three sets of predictions of every sample), and 32 MiB for the backends' threads and code.
 *
 * @example
 * ```ts
 * checkMemory(compareMemory(spec, "reference", "wasm", 1024, 3), 4 * 2 ** 30, "compare a smaller network");
 * ```
 */
export function compareMemory(spec: MLPSpec, a: string, b: string, batch: number, steps: number): MemoryPart[] {
  const params = parameterCount(spec);
  const samples = (steps - 1) * batch + Math.max(1, Math.ceil(batch / 2));
  const float64 = trainerMemory(spec, "reference", batch).reduce((n, p) => n + 2 * p.bytes, 0);
  const named = (backend: string) => (part: MemoryPart) => ({ what: `${backend}: ${part.what}`, bytes: part.bytes });
  return withAllowance([
    ...trainerMemory(spec, a, batch).map(named(a)),
    ...trainerMemory(spec, b, batch).map(named(b)),
    { what: "the float64 reference trainer", bytes: float64 },
    { what: "the initial network and 14 copies of its parameters", bytes: 15 * params * 4 },
    { what: `inputs, targets and predictions of ${samples} samples`, bytes: samples * (spec.inputs + 4 * spec.outputs) * 4 },
    // measured: up to 17 MB beyond the arrays whatever their size (the threads' heaps, compiled code)
    { what: "the backends' threads and code", bytes: 32 * 2 ** 20 },
  ]);
}

/**
 * Default memory limit of `compareBackends`: 4 GiB, what one WebAssembly memory can hold and about
 * what a browser tab may use; comparing the study's network needs about 10 MiB.
 */
export const COMPARE_MAX_BYTES = 4 * 2 ** 30;

/** The longest byte array a JavaScript engine allocates here (V8: 2³² elements). */
export const MAX_BYTE_ARRAY = 2 ** 32;

/** The largest single array a JavaScript engine allocates here (V8: 2³² elements of a typed array). */
const MAX_ARRAY_BYTES = 2 ** 32 * 4;

/**
 * Refuse a job whose estimated memory (`parts`, summed) exceeds `maxBytes`, naming the largest
 * parts and `advice` (what to change). Also refuses any part larger than one typed array can be.
 *
 * @throws {@link BudgetError}
 *
 * @example
 * ```ts
 * checkMemory(trainerMemory(spec, "wasm", 1 << 20), 8 * 2 ** 30, "lower --batch-size or --width");
 * ```
 */
export function checkMemory(parts: readonly MemoryPart[], maxBytes: number, advice: string): void {
  const total = parts.reduce((n, p) => n + p.bytes, 0);
  const largest = [...parts].sort((a, b) => b.bytes - a.bytes);
  const listing = largest
    .slice(0, 2)
    .map((p) => `${p.what}: ${gib(p.bytes)}`)
    .join(", ");
  if (total > maxBytes) throw new BudgetError(`this needs about ${gib(total)} of memory (${listing}), above the limit of ${gib(maxBytes)}; ${advice}`);
  if (largest[0] !== undefined && largest[0].bytes > MAX_ARRAY_BYTES)
    throw new BudgetError(
      `${largest[0].what} would need one array of ${gib(largest[0].bytes)}, larger than JavaScript allows (${gib(MAX_ARRAY_BYTES)}); ${advice}`,
    );
}
