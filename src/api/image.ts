/**
 * @module
 * Images as the library takes and gives them: anything shaped like the browser's ImageData.
 */

import { CoordnetError, InvalidArgumentError, quote } from "../errors.js";
import type { RGBImage } from "../image/png.js";
import { thrownText } from "./args.js";

/**
 * An image as the library accepts it: `{ width, height, data }` in the browser's ImageData shape.
 * `data` is row-major [height][width][channels] with 4 (RGBA; alpha is ignored) or 3 (RGB)
 * channels, either 8-bit (`Uint8ClampedArray`, `Uint8Array`: 0…255) or floats in [0, 1]
 * (`Float32Array`, `Float64Array`, `number[]`).
 *
 * @group Images
 */
export interface ImageLike {
  /** pixels per row */
  readonly width: number;
  /** rows */
  readonly height: number;
  /** row-major [height][width][3 or 4]: 8-bit, or floats in [0, 1] */
  readonly data: ArrayLike<number>;
}

/**
 * An RGBA image of bytes, shaped like the browser's ImageData (`new ImageData(img.data, img.width)` takes it).
 *
 * @group Images
 */
export interface RGBAImage {
  /** pixels per row */
  readonly width: number;
  /** rows */
  readonly height: number;
  /** row-major [height][width][4], alpha 255 */
  readonly data: Uint8ClampedArray;
}

/** The largest image side the library takes. */
const MAX_SIDE = 65536;

/**
 * Check an {@link ImageLike} and turn it into the float RGB image training uses.
 *
 * @throws {@link InvalidArgumentError} naming what is wrong
 *
 * @example
 * ```ts
 * const rgb = toRGBImage({ width: 1, height: 1, data: new Uint8ClampedArray([255, 0, 0, 255]) }, 4096);
 * rgb.data; // Float32Array [1, 0, 0]
 * ```
 *
 * @group Images
 */
export function toRGBImage(image: ImageLike, maxPixels: number, what = "image"): RGBImage {
  try {
    return readImage(image, maxPixels, what);
  } catch (e) {
    if (e instanceof CoordnetError) throw e;
    // a getter, a Proxy trap or an element's valueOf threw while the image was read
    throw new InvalidArgumentError(`${what} could not be read: ${thrownText(e)}`);
  }
}

function readImage(image: ImageLike, maxPixels: number, what: string): RGBImage {
  if (image === null || typeof image !== "object") throw new InvalidArgumentError(`${what} must be an object { width, height, data }, got ${quote(image)}`);
  const { width, height, data } = image;
  for (const [key, v] of [
    ["width", width],
    ["height", height],
  ] as const)
    if (!Number.isInteger(v) || v < 1 || v > MAX_SIDE)
      throw new InvalidArgumentError(`${what}.${key} must be an integer from 1 to ${MAX_SIDE}, got ${quote(v)}`);
  const pixels = width * height;
  if (pixels > maxPixels) throw new InvalidArgumentError(`${what} is ${width}×${height} = ${pixels} pixels, over the limit of ${maxPixels} (maxPixels)`);
  if (data === null || typeof data !== "object" || typeof data.length !== "number" || data instanceof BigInt64Array || data instanceof BigUint64Array)
    throw new InvalidArgumentError(`${what}.data must be an array of pixel values (Uint8ClampedArray, Float32Array or number[]), got ${quote(data)}`);
  const channels = data.length / pixels;
  if (channels !== 3 && channels !== 4)
    throw new InvalidArgumentError(`${what}.data has ${data.length} values, expected ${pixels * 4} (RGBA) or ${pixels * 3} (RGB) for ${width}×${height}`);
  const bytes = data instanceof Uint8Array || data instanceof Uint8ClampedArray;
  const scale = bytes ? 1 / 255 : 1;
  const out = new Float32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) {
      const raw = data[p * channels + c];
      if (typeof raw !== "number") throw new InvalidArgumentError(`${what}.data[${p * channels + c}] is ${quote(raw)}, not a number`);
      const v = raw * scale;
      if (!(v >= 0 && v <= 1))
        throw new InvalidArgumentError(
          `${what}.data[${p * channels + c}] is ${raw}: float data must be in [0, 1] (8-bit data must be a Uint8Array or Uint8ClampedArray)`,
        );
      out[p * 3 + c] = v;
    }
  }
  return { width, height, data: out };
}

/**
 * An RGB float image (values clamped to [0, 1]) as RGBA bytes.
 *
 * @example
 * ```ts
 * const rgba = toRGBA({ width: 1, height: 1, data: Float32Array.of(1, 0.5, 0) }); // data [255, 128, 0, 255]
 * ```
 *
 * @group Images
 */
export function toRGBA(image: RGBImage): RGBAImage {
  const n = image.width * image.height;
  const data = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) data[p * 4 + c] = Math.round(Math.min(1, Math.max(0, image.data[p * 3 + c])) * 255);
    data[p * 4 + 3] = 255;
  }
  return { width: image.width, height: image.height, data };
}
