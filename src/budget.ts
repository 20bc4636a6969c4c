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
 * Bytes a trainer of `spec` on `backend` allocates for batches of up to `batch` samples, by part.
 * Float32 throughout; the formulas follow each backend's buffers (reference: the tape's z, a, da
 * per layer plus weights, gradients and Adam's m and v; wasm: the same plus transposed weights and
 * scratch, in one WebAssembly memory; gpu.js modes: kernel outputs for forward, backward and Adam).
 *
 * @example
 * ```ts
 * trainerMemory({ inputs: 2, outputs: 3, width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid" }, "wasm", 1024);
 * ```
 */
export function trainerMemory(spec: MLPSpec, backend: string, batch: number): MemoryPart[] {
  const sizes = layerSizes(spec);
  let params = 0;
  for (let l = 1; l < sizes.length; l++) params += sizes[l] * sizes[l - 1] + sizes[l];
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
      // da, Adam's m, v and p per parameter) besides the host copies
      return [
        { what: "weights, gradients, Adam m, v and their kernel outputs", bytes: 8 * params * f },
        { what: `activations (${base})`, bytes: (4 * units + sizes[0] + 2 * spec.outputs) * batch * f },
      ];
  }
}

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
  const gib = (b: number) => (b < 2 ** 30 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${(b / 2 ** 30).toFixed(1)} GiB`);
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
