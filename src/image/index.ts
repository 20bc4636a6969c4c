/**
 * @module
 * Images: PNG in and out, resampling, and the built-in default image. This module reads files
 * (Node only); the decoder itself (`png.ts`) is browser-safe.
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
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
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImageError(
      code === "ENOENT"
        ? `cannot read ${path}: no such file`
        : code === "EISDIR"
          ? `cannot read ${path}: it is a folder`
          : `cannot read ${path}: ${code ?? (e as Error).message}`,
    );
  }
  try {
    return decodePNG(bytes, maxPixels);
  } catch (e) {
    if (e instanceof ImageError) throw new ImageError(`${path}: ${e.message}`);
    throw e;
  }
}
