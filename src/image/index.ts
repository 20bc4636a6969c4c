/**
 * @module
 * Images: PNG in and out, resampling, and the built-in default image. This module reads files
 * (Node only); the decoder itself (`png.ts`) is browser-safe.
 */

import { fileURLToPath } from "node:url";
import { FileError } from "../io/atomic.js";
import { pngByteLimit, readBounded } from "../io/read.js";
import { DEFAULT_MAX_PIXELS, decodePNG, ImageError, type RGBImage } from "./png.js";

export { DEFAULT_MAX_PIXELS, decodePNG, encodePNG, ImageError, type RGBImage, view } from "./png.js";
export { resample } from "./resample.js";

/**
 * Path of the built-in default image (`assets/astronaut.png`, public domain; see
 * `assets/README.md`).
 *
 * @example
 * ```ts
 * const image = readPNG(DEFAULT_IMAGE);
 * ```
 */
export const DEFAULT_IMAGE = fileURLToPath(new URL("../../assets/astronaut.png", import.meta.url));

/**
 * Read and decode a PNG file. A missing or unreadable file is an {@link ImageError} too.
 *
 * @example
 * ```ts
 * const image = readPNG("photo.png", 16_000_000);
 * ```
 */
export function readPNG(path: string, maxPixels = DEFAULT_MAX_PIXELS): RGBImage {
  let bytes: Uint8Array;
  try {
    // a regular file of at most the size a PNG of maxPixels can have (never /dev/zero, a FIFO, a folder)
    bytes = readBounded(path, "image", pngByteLimit(maxPixels)).bytes;
  } catch (e) {
    if (e instanceof FileError) throw new ImageError(e.message);
    throw e;
  }
  try {
    return decodePNG(bytes, maxPixels);
  } catch (e) {
    if (e instanceof ImageError) throw new ImageError(`${path}: ${e.message}`);
    throw e;
  }
}
