/**
 * @module
 * The limits on every large allocation: a pixel limit (images, training and render sizes,
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
 *
 * @group Memory
 */
export const DEFAULT_MAX_PIXELS = 16_000_000;

/**
 * A size or a memory need above its limit (one readable line saying what to change).
 *
 * @example
 * ```ts
 * try { checkPixels("render size", 20000, 20000, DEFAULT_MAX_PIXELS); } catch (e) { if (e instanceof BudgetError) console.error(e.message); }
 * ```
 *
 * @group Memory
 */
export class BudgetError extends CoordnetError {
  constructor(message: string) {
    super(message);
    this.name = "BudgetError";
  }
}

/**
 * Bytes in words: `512.0 MiB`, `15.4 GiB`.
 *
 * @group Memory
 */
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
 *
 * @group Memory
 */
export function checkPixels(what: string, width: number, height: number, maxPixels: number): void {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1)
    throw new BudgetError(`${what} is ${width}×${height} pixels: both sides must be whole numbers ≥ 1`);
  if (width * height > maxPixels)
    throw new BudgetError(`${what} is ${width}×${height} (${mp(width * height)}), above the limit of ${mp(maxPixels)} (raise it with --max-pixels)`);
}

/**
 * One part of a memory estimate.
 *
 * @group Memory
 */
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
 *
 * @group Memory
 */
export function parameterCount(spec: MLPSpec): number {
  const sizes = layerSizes(spec);
  let params = 0;
  for (let l = 1; l < sizes.length; l++) params += sizes[l] * sizes[l - 1] + sizes[l];
  return params;
}

/**
 * The sizes a memory formula needs: parameters, every layer's width summed (inputs included), the same without the inputs, the widest layer.
 *
 * @group Memory
 */
export interface NetworkUnits {
  /** every layer's width, inputs first */
  readonly sizes: number[];
  /** weights and biases */
  readonly params: number;
  /** Σ sizes */
  readonly units: number;
  /** Σ sizes without the inputs */
  readonly outUnits: number;
  /** max sizes */
  readonly widest: number;
}

/**
 * The sizes of `spec` that backends' memory formulas use.
 *
 * @example
 * ```ts
 * networkUnits({ inputs: 2, outputs: 3, width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid" }).params; // 50307
 * ```
 *
 * @group Memory
 */
export function networkUnits(spec: MLPSpec): NetworkUnits {
  const sizes = layerSizes(spec);
  const units = sizes.reduce((a, b) => a + b, 0);
  return { sizes, params: parameterCount(spec), units, outUnits: units - sizes[0], widest: Math.max(...sizes) };
}

/**
 * Bytes a trainer whose kernels return fresh arrays copied to the host allocates (gpu.js's modes,
 * and any backend that does not describe its own memory): every kernel's output its own array
 * (forward z and a, backward dz and da, Adam's m, v and p per parameter), measured on gpujs-wasm
 * (README, "Memory") at 22–25 floats per parameter with the checkpoint's copies, plus up to
 * 116 MB of compiled kernels and garbage between collections.
 *
 * @example
 * ```ts
 * kernelOutputMemory({ inputs: 2, outputs: 3, width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid" }, 1024);
 * ```
 *
 * @group Memory
 */
export function kernelOutputMemory(spec: MLPSpec, batch: number): MemoryPart[] {
  const { params, units, sizes } = networkUnits(spec);
  return [
    { what: "weights, gradients, Adam m, v, their kernel outputs and host copies", bytes: 20 * params * 4 },
    { what: `activations (${spec.depth} × ${spec.width} units, batch ${batch})`, bytes: (4 * units + sizes[0] + 2 * spec.outputs) * batch * 4 },
    { what: "gpu.js kernels and garbage between collections", bytes: 128 * 2 ** 20 },
  ];
}

/**
 * Bytes a trainer of `spec` on `backend` allocates for batches of up to `batch` samples, by part:
 * the backend's own estimate (`Backend.memory`, which each built-in backend gives from its
 * buffers), or {@link kernelOutputMemory} for a backend that gives none.
 *
 * @example
 * ```ts
 * trainerMemory({ inputs: 2, outputs: 3, width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid" }, wasmBackend, 1024);
 * ```
 *
 * @group Memory
 */
export function trainerMemory(spec: MLPSpec, backend: { memory?(spec: MLPSpec, batch: number): MemoryPart[] } | undefined, batch: number): MemoryPart[] {
  return backend?.memory?.(spec, batch) ?? kernelOutputMemory(spec, batch);
}

/**
 * Bytes of the checkpoint file of `spec` (weights, Adam's m and v as float32, and a header of at
 * most 64 KiB): encoded as one byte array, so at most {@link MAX_BYTE_ARRAY} of them can be written.
 *
 * @example
 * ```ts
 * checkpointBytes({ inputs: 2, outputs: 3, width: 4096, depth: 22, activation: "relu", outputActivation: "sigmoid" }); // ≈ 4.23e9
 * ```
 *
 * @group Memory
 */
export function checkpointBytes(spec: MLPSpec): number {
  return 3 * parameterCount(spec) * 4 + 2 ** 16;
}

/**
 * Bytes that saving a run of `spec` adds to its trainer: the checkpoint (written last, the largest
 * file) is built from a copy of the weights (`getWeights`), copies of Adam's m and v
 * (`getOptimizerState`) and the file's bytes — six floats per parameter. The model file (two: a
 * copy and its bytes) is written and dropped just before it, and its garbage may not be collected
 * by then: eight floats per parameter in all (a 1024×8 run on the reference backend grew by 279 MiB
 * in one run and 315 MiB in another, 2026-12-07: the second is the model file's copy still held).
 * With `resuming`, the checkpoint a run continues from (weights, m and v) is held for the whole run.
 *
 * @example
 * ```ts
 * checkMemory([...trainerMemory(spec, wasmBackend, 1024), ...saveMemory(spec, false)], 8 * 2 ** 30, "lower --width");
 * ```
 *
 * @group Memory
 */
export function saveMemory(spec: MLPSpec, resuming: boolean): MemoryPart[] {
  const params = parameterCount(spec);
  const parts = [{ what: "saving the model and the checkpoint", bytes: 8 * params * 4 }];
  if (resuming) parts.push({ what: "the checkpoint resumed from (weights, Adam m and v)", bytes: 3 * params * 4 });
  return parts;
}

/**
 * What the estimate adds to the sum of the arrays: 10%. Measured peaks (README, "Memory") exceed
 * the arrays' sum by at most 2.0% (worker threads, the allocator, garbage not yet collected).
 *
 * @group Memory
 */
export const MEMORY_ALLOWANCE = 0.1;

/**
 * `parts` with a last part, the allowance ({@link MEMORY_ALLOWANCE} of their sum), for what the
 * runtime adds to the arrays themselves.
 *
 * @example
 * ```ts
 * withAllowance(trainerMemory(spec, wasmBackend, 1024));
 * ```
 *
 * @group Memory
 */
export function withAllowance(parts: readonly MemoryPart[]): MemoryPart[] {
  const total = parts.reduce((n, p) => n + p.bytes, 0);
  return [...parts, { what: `allowance (${MEMORY_ALLOWANCE * 100}%)`, bytes: Math.ceil(MEMORY_ALLOWANCE * total) }];
}

/**
 * Default memory limit of `compareBackends`: 4 GiB, what one WebAssembly memory can hold and about
 * what a browser tab may use; comparing the study's network needs about 10 MiB.
 *
 * @group Memory
 */
export const COMPARE_MAX_BYTES = 4 * 2 ** 30;

/**
 * The longest byte array a JavaScript engine allocates here (V8: 2³² elements).
 *
 * @group Memory
 */
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
 * checkMemory(trainerMemory(spec, wasmBackend, 1 << 20), 8 * 2 ** 30, "lower --batch-size or --width");
 * ```
 *
 * @group Memory
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
