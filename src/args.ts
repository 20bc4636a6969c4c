/**
 * @module
 * Checking what enters a public function: one zod schema per entry (built from the same pieces as
 * the config's), and one way to turn what it finds into a {@link CoordnetError} of one readable
 * line — `fit: options.size must be { width, height }, got null` — whatever the caller passed:
 * a getter that throws, a Proxy, a bigint, a function. Browser-safe.
 */

import { z } from "zod";
import { type CoordnetError, InvalidArgumentError, quote, thrownText } from "./errors.js";

export { thrownText } from "./errors.js";

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || (typeof v !== "object" && typeof v !== "function")) return undefined;
    try {
      v = (v as Record<PropertyKey, unknown>)[key];
    } catch {
      return undefined;
    }
  }
  return v;
}

/**
 * Check `value` (named `what` in the message: `options`, `image`, or "" for a bare path) against
 * `schema`, for the public function `fn`, and return what the schema makes of it (plain objects
 * are copied, so a getter is read once). The first problem is the message.
 *
 * @throws `error` (an {@link InvalidArgumentError} unless given) with one readable line
 */
export function checkArg<T>(
  fn: string,
  what: string,
  schema: z.ZodType<T>,
  value: unknown,
  error: (message: string) => CoordnetError = (m) => new InvalidArgumentError(m),
): T {
  let result: ReturnType<typeof schema.safeParse>;
  try {
    result = schema.safeParse(value);
  } catch (e) {
    // a getter or a Proxy trap threw while the schema read the value
    throw error(`${fn}: ${what || "its argument"} could not be read: ${thrownText(e)}`);
  }
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.map(String);
  const where = [what, ...path].filter((s) => s !== "").join(".") || "its argument";
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.slice(0, 5).map((k) => quote(k, 40));
    return fail(
      `${fn}: ${[what, ...path].filter((s) => s !== "").join(".") || "options"} has no ${keys.length > 1 ? "fields" : "field"} ${keys.join(", ")}${knownKeys(schema, issue.path)}`,
    );
  }
  // a custom issue that already names the value (e.g. "has 6 values; a 4×4 RGB image has 48") says it once
  if (issue.code === "custom" && (issue.params as { named?: boolean } | undefined)?.named) return fail(`${fn}: ${where} ${issue.message}`);
  return fail(`${fn}: ${where} ${issue.message}, got ${quote(valueAt(value, issue.path))}`);

  function fail(message: string): never {
    throw error(message);
  }
}

/** "; it has: a, b, c" for the object schema at `path`, where it is one. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string {
  let s: unknown = schema;
  for (const key of path) {
    const shape = (s as { shape?: Record<string, unknown> }).shape;
    s = shape?.[String(key)];
    // optional/nullable wrappers keep their inner schema in `def.innerType`
    while ((s as { def?: { innerType?: unknown } } | undefined)?.def?.innerType) s = (s as { def: { innerType: unknown } }).def.innerType;
  }
  const shape = (s as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? `; it has: ${Object.keys(shape).join(", ")}` : "";
}

/** A schema piece with its message (zod's `{ error }`). */
const says = (message: string) => ({ error: message });

/**
 * A whole number from `lo` to `hi` (NaN, ±∞, fractions and bigints refused).
 *
 * @example
 * ```ts
 * whole(1, 65536).parse(512);
 * ```
 */
export function whole(lo: number, hi: number = Number.MAX_SAFE_INTEGER): z.ZodNumber {
  const m = hi === Number.MAX_SAFE_INTEGER ? `must be a whole number ≥ ${lo}` : `must be a whole number from ${lo} to ${hi}`;
  return z.number(says(m)).int(says(m)).min(lo, says(m)).max(hi, says(m));
}

/** A finite number (NaN, ±∞ and bigints refused). */
export const finite = (m = "must be a finite number") => z.number(says(m));

/** A string, non-empty unless `empty`. */
export const text = (m: string, empty = false) => (empty ? z.string(says(m)) : z.string(says(m)).min(1, says(m)));

/** A function (a callback). */
export const callback = (m = "must be a function") => z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", says(m));

/** A boolean. */
export const flag = () => z.boolean(says("must be true or false"));

/** An array-like of numbers that is not a bigint array: a typed array of numbers or an array. */
export const numbers = (m: string) =>
  z.custom<ArrayLike<number>>(
    (v) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array)),
    says(m),
  );

/** A Float32Array. */
export const float32 = (m = "must be a Float32Array") => z.instanceof(Float32Array, says(m));

/** A Float32Array or a Float64Array (the reference's float arrays). */
export const floats = (m = "must be a Float32Array or a Float64Array") =>
  z.custom<Float32Array | Float64Array>((v) => v instanceof Float32Array || v instanceof Float64Array, says(m));

/** An object (not null, not an array). */
export const anObject = (m = "must be an object") => z.custom<object>((v) => v !== null && typeof v === "object" && !Array.isArray(v), says(m));

/**
 * An RGB image as the training code holds it: whole-number sides up to 65536 and a Float32Array of
 * exactly width·height·3 finite values — so a short buffer is named as such, not met later as a
 * loss of NaN.
 *
 * @example
 * ```ts
 * checkArg("runTraining", "options.image", rgbImage, image);
 * ```
 */
export const rgbImage = z
  .object(
    {
      width: whole(1, 65536),
      height: whole(1, 65536),
      data: float32("must be a Float32Array of RGB values, row-major [height][width][3]"),
    },
    says("must be an image { width, height, data }"),
  )
  .superRefine((image, ctx) => {
    const expected = image.width * image.height * 3;
    if (image.data.length !== expected)
      ctx.addIssue({
        code: "custom",
        path: ["data"],
        message: `has ${image.data.length} values; a ${image.width}×${image.height} RGB image has ${expected}`,
        input: image.data,
        params: { named: true },
      });
    else {
      const bad = image.data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) ctx.addIssue({ code: "custom", path: ["data", bad], message: "is not a finite number", input: image.data[bad] });
    }
  });
