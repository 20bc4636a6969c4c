/**
 * @module
 * What enters the encoding functions, checked in one line at the top of each: counts and sizes
 * are whole numbers, arrays are float arrays long enough for the points they are said to hold, an
 * encoder is one, and an allocation the engine cannot make is refused in words — so a wrong
 * argument is one {@link InvalidArgumentError} line, never a TypeError from a loop or an array of
 * NaN. Each check is O(1): the kernels stay as fast as they were.
 */

import { InvalidArgumentError, quote, readingArgument } from "../errors.js";
import { allocate, type DType, type FloatArray } from "../reference/dtype.js";

/** Largest image side, as everywhere in coordnet. */
export const MAX_SIDE = 65536;

/** Refuse anything but a whole number from `lo` to `hi`. */
export function checkWhole(fn: string, name: string, value: unknown, lo: number, hi = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < lo || value > hi)
    throw new InvalidArgumentError(
      `${fn}: ${name} must be a whole number ${hi === Number.MAX_SAFE_INTEGER ? `≥ ${lo}` : `from ${lo} to ${hi}`}, got ${quote(value)}`,
    );
  return value;
}

/** Refuse anything but a Float32Array or Float64Array (the encodings' FloatArray) of at least `needed` values. */
export function checkFloats(fn: string, name: string, value: unknown, needed: number): void {
  const ok = value instanceof Float32Array || value instanceof Float64Array;
  if (!ok) throw new InvalidArgumentError(`${fn}: ${name} must be a Float32Array or a Float64Array, got ${quote(value)}`);
  const { length } = value as ArrayLike<number>;
  if (length < needed) throw new InvalidArgumentError(`${fn}: ${name} has ${length} values; ${needed} are needed`);
}

/** Refuse a dtype other than `float32` and `float64`. */
export function checkDType(fn: string, dtype: unknown): DType {
  if (dtype !== "float32" && dtype !== "float64") throw new InvalidArgumentError(`${fn}: dtype must be "float32" or "float64", got ${quote(dtype)}`);
  return dtype;
}

/** Refuse a coordinate range other than `01` and `11`. */
export function checkRange(fn: string, range: unknown): void {
  if (range !== "01" && range !== "11") throw new InvalidArgumentError(`${fn}: range must be "01" or "11", got ${quote(range)}`);
}

/** `allocate`, with a length the engine cannot hold (or memory it cannot get) refused in words. */
export function allocateOrRefuse(fn: string, dtype: DType, length: number, what: string): FloatArray {
  try {
    return allocate(dtype, length);
  } catch (e) {
    if (e instanceof RangeError) throw new InvalidArgumentError(`${fn}: ${what} need ${length} values, more than can be allocated here`);
    throw e;
  }
}

/** Refuse what is not an {@link Encoder}-shaped object: `features` a whole number ≥ 1, `encode` a function, `config.range` a range. */
export function checkEncoder(fn: string, encoder: unknown): void {
  readingArgument(fn, "encoder", () => checkEncoderFields(fn, encoder));
}

function checkEncoderFields(fn: string, encoder: unknown): void {
  const e = encoder as { features?: unknown; encode?: unknown; config?: { range?: unknown } } | null;
  if (e === null || typeof e !== "object" || typeof e.encode !== "function" || e.config === null || typeof e.config !== "object")
    throw new InvalidArgumentError(`${fn}: encoder must be an Encoder (from createEncoder), got ${quote(encoder)}`);
  checkWhole(fn, "encoder.features", e.features, 1);
  checkRange(fn, e.config.range);
}
