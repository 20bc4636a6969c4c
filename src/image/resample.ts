/**
 * @module
 * Resampling an image to another size, one axis at a time.
 */

import { checkArg, rgbImage } from "../args.js";
import { InvalidArgumentError, quote } from "../errors.js";
import type { RGBImage } from "./png.js";

/**
 * Resample to `width`×`height`. Along an axis that shrinks, each output pixel is the **area
 * average** of the source pixels its footprint covers (partially covered pixels weighted by the
 * covered fraction), so no detail aliases. Along an axis that grows, values are interpolated
 * **bilinearly** between pixel centres (edges clamped).
 *
 * @example
 * ```ts
 * const small = resample(image, 128, 128);
 * ```
 *
 * @group Images
 */
export function resample(image: RGBImage, width: number, height: number): RGBImage {
  checkArg("resample", "image", rgbImage, image);
  for (const [key, v] of [
    ["width", width],
    ["height", height],
  ] as const)
    if (!(Number.isInteger(v) && v >= 1 && v <= 65536))
      throw new InvalidArgumentError(`resample: ${key} must be a whole number from 1 to 65536, got ${quote(v)}`);
  // three float arrays of the larger of the two sizes, at once
  if (width * height > 2 ** 28) throw new InvalidArgumentError(`resample: ${width}×${height} is over 268 megapixels (2²⁸), more than an image here can be`);
  if (width === image.width && height === image.height) return { width, height, data: Float32Array.from(image.data) };
  // x axis: [H][W][3] → [H][width][3]; then y axis: → [height][width][3]
  const rows = resampleAxis(image.data, image.height, image.width, width);
  const transposed = transpose(rows, image.height, width);
  const cols = resampleAxis(transposed, width, image.height, height);
  return { width, height, data: transpose(cols, width, height) };
}

/** Resample every line of `lines` × `from` RGB pixels to `to` pixels. */
function resampleAxis(src: Float32Array, lines: number, from: number, to: number): Float32Array {
  const out = new Float32Array(lines * to * 3);
  const scale = from / to;
  for (let l = 0; l < lines; l++) {
    const line = l * from * 3;
    for (let i = 0; i < to; i++) {
      const o = (l * to + i) * 3;
      if (to < from) {
        // area average over the footprint [i·scale, (i+1)·scale)
        const lo = i * scale;
        const hi = lo + scale;
        for (let s = Math.floor(lo); s < Math.min(from, Math.ceil(hi)); s++) {
          const w = Math.min(hi, s + 1) - Math.max(lo, s);
          for (let c = 0; c < 3; c++) out[o + c] += (w / scale) * src[line + s * 3 + c];
        }
      } else {
        // bilinear between the pixel centres around (i + ½)·scale − ½
        const x = Math.min(from - 1, Math.max(0, (i + 0.5) * scale - 0.5));
        const s0 = Math.floor(x);
        const s1 = Math.min(from - 1, s0 + 1);
        const t = x - s0;
        for (let c = 0; c < 3; c++) out[o + c] = (1 - t) * src[line + s0 * 3 + c] + t * src[line + s1 * 3 + c];
      }
    }
  }
  return out;
}

/** [rows][cols][3] → [cols][rows][3] */
function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) for (let k = 0; k < 3; k++) out[(c * rows + r) * 3 + k] = src[(r * cols + c) * 3 + k];
  return out;
}
