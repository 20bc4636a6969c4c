/**
 * The numeric type of the reference implementation.
 *
 * Every array the reference allocates is either a `Float32Array` (the default, what a real run
 * uses) or a `Float64Array` (what the gradient checks use, so that finite differences are
 * meaningful). The code is written once over {@link FloatArray}; only the constructor differs.
 * Arithmetic itself happens in JavaScript numbers (float64); values are rounded to the array's
 * type when they are stored.
 *
 * @module
 */

/**
 * Name of a numeric type.
 *
 * @group Network
 */
export type DType = "float32" | "float64";

/**
 * A typed array of either numeric type.
 *
 * @group Network
 */
export type FloatArray = Float32Array | Float64Array;

/**
 * Allocate a zero-filled array of the given numeric type.
 *
 * @example
 * ```ts
 * const a = allocate("float64", 3); // Float64Array [0, 0, 0]
 * ```
 *
 * @group Network
 */
export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
}

/**
 * The numeric type of an existing array.
 *
 * @example
 * ```ts
 * dtypeOf(new Float32Array(2)); // "float32"
 * ```
 *
 * @group Network
 */
export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float64Array ? "float64" : "float32";
}
