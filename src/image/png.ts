/**
 * @module
 * PNG decoding and encoding (upng-js), with the checks that turn bad files into one clear line.
 */

import { crc32, deflateSync } from "node:zlib";
import ndarray, { type NdArray } from "ndarray";
import UPNG from "upng-js";
import { CoordnetError } from "../errors.js";

/** An RGB image of floats in [0, 1]: `data` is row-major [height][width][3]. */
export interface RGBImage {
  /** pixels per row */
  readonly width: number;
  /** rows */
  readonly height: number;
  /** row-major [height][width][3], values in [0, 1] */
  readonly data: Float32Array;
}

/**
 * A file that is not a usable image. The message is one line meant for the user.
 *
 * @example
 * ```ts
 * try { decodePNG(bytes); } catch (e) { if (e instanceof ImageError) console.error(e.message); }
 * ```
 */
export class ImageError extends CoordnetError {
  constructor(message: string) {
    super(message);
    this.name = "ImageError";
  }
}

/**
 * Default pixel limit for decoding: 16 megapixels.
 *
 * @example
 * ```ts
 * decodePNG(bytes, DEFAULT_MAX_PIXELS * 4); // allow up to 64 megapixels
 * ```
 */
export const DEFAULT_MAX_PIXELS = 16_000_000;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * A strided [height][width][3] view of an image's data (ndarray), for readable indexing:
 * `view(img).get(y, x, c)`.
 *
 * @example
 * ```ts
 * const red = view(image).get(0, 0, 0); // top-left pixel's red value
 * ```
 */
export function view(image: RGBImage): NdArray<Float32Array> {
  return ndarray(image.data, [image.height, image.width, 3]);
}

/**
 * Walk the chunk structure: signature, IHDR first, every chunk complete with a valid CRC, at
 * least one IDAT, and IEND. Returns the header's width and height. Throws {@link ImageError}.
 */
function checkStructure(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new ImageError("not a PNG file (its first bytes are not the PNG signature)");
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let width = -1;
  let height = -1;
  let sawData = false;
  for (let index = 0; ; index++) {
    if (offset + 12 > bytes.length) throw new ImageError("truncated PNG: the file ends before its IEND chunk");
    const length = data.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) throw new ImageError(`corrupt PNG: invalid chunk type at byte ${offset + 4}`);
    if (offset + 12 + length > bytes.length) throw new ImageError(`truncated PNG: the ${type} chunk runs past the end of the file`);
    const crc = data.getUint32(offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== crc) throw new ImageError(`corrupt PNG: the ${type} chunk fails its CRC check`);
    if (index === 0) {
      if (type !== "IHDR" || length !== 13) throw new ImageError("corrupt PNG: the first chunk is not a valid IHDR header");
      width = data.getUint32(offset + 8);
      height = data.getUint32(offset + 12);
    }
    if (type === "IDAT") sawData = true;
    if (type === "IEND") break;
    offset += 12 + length;
  }
  if (!sawData) throw new ImageError("corrupt PNG: no image data (IDAT) chunk");
  return { width, height };
}

/**
 * Decode a PNG of any bit depth (1, 2, 4, 8, 16) and colour type (grey, RGB, palette, with or
 * without alpha) to RGB floats in [0, 1]. Grey is copied to all three channels. Alpha is
 * **composited over white**: c' = α·c + (1 − α), so transparent areas train as white. 16-bit
 * images keep their full precision.
 *
 * @param maxPixels - refuse larger images (default 16 megapixels) before decompressing anything
 * @throws {@link ImageError} with one readable line for a file that is not a PNG, is truncated
 *   or corrupt, has zero size, or is above the pixel limit
 *
 * @example
 * ```ts
 * const image = decodePNG(readFileSync("photo.png")); // { width, height, data }
 * ```
 */
export function decodePNG(bytes: Uint8Array, maxPixels = DEFAULT_MAX_PIXELS): RGBImage {
  const { width, height } = checkStructure(bytes);
  if (width === 0 || height === 0) throw new ImageError(`image is ${width}×${height} pixels: nothing to train on`);
  if (width * height > maxPixels)
    throw new ImageError(
      `image is ${width}×${height} (${((width * height) / 1e6).toFixed(1)} megapixels), above the limit of ${(maxPixels / 1e6).toFixed(1)} megapixels (raise it with --max-pixels)`,
    );
  let png: UPNG.Image;
  let rgba: Uint8Array | null = null;
  try {
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    png = UPNG.decode(copy);
    if (png.depth !== 16) rgba = new Uint8Array(UPNG.toRGBA8(png)[0]);
  } catch (e) {
    // pako throws plain strings for bad deflate streams
    throw new ImageError(`corrupt PNG: its image data does not decode (${e instanceof Error ? e.message : String(e)})`);
  }
  const out = new Float32Array(width * height * 3);
  if (rgba !== null) {
    if (rgba.length < width * height * 4) throw new ImageError("corrupt PNG: its image data is shorter than the header says");
    for (let p = 0; p < width * height; p++) {
      const a = rgba[4 * p + 3] / 255;
      for (let c = 0; c < 3; c++) out[3 * p + c] = a * (rgba[4 * p + c] / 255) + (1 - a);
    }
    return { width, height, data: out };
  }
  return { width, height, data: decode16(png, out) };
}

/** 16-bit grey, grey+alpha, RGB and RGBA: read the big-endian samples directly. */
function decode16(png: UPNG.Image, out: Float32Array): Float32Array {
  const { width, height, ctype } = png;
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[ctype];
  if (channels === undefined) throw new ImageError(`corrupt PNG: colour type ${ctype} cannot have 16-bit samples`);
  const raw = new Uint8Array(png.data);
  if (raw.length < width * height * channels * 2) throw new ImageError("corrupt PNG: its image data is shorter than the header says");
  const sample = (p: number, c: number) => ((raw[2 * (p * channels + c)] << 8) | raw[2 * (p * channels + c) + 1]) / 65535;
  const hasAlpha = ctype === 4 || ctype === 6;
  for (let p = 0; p < width * height; p++) {
    const a = hasAlpha ? sample(p, channels - 1) : 1;
    for (let c = 0; c < 3; c++) {
      const v = channels >= 3 ? sample(p, c) : sample(p, 0);
      out[3 * p + c] = a * v + (1 - a);
    }
  }
  return out;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encode an RGB float image as an 8-bit RGB PNG (values clamped to [0, 1] and rounded). Each row
 * uses the PNG "Up" filter (difference to the row above), which suits smooth network outputs,
 * then the whole image is deflated by Node's zlib.
 *
 * Written here rather than with upng-js's encoder, which sizes its output buffer as the raw RGBA
 * size + 100 bytes and silently truncates files that come out larger (small images with a
 * palette; photopea/UPNG.js issue #24).
 *
 * @example
 * ```ts
 * writeFileSync("out.png", encodePNG(image));
 * ```
 */
export function encodePNG(image: RGBImage): Uint8Array {
  const { width, height, data } = image;
  const rowBytes = width * 3;
  const rgb = new Uint8Array(height * rowBytes);
  for (let k = 0; k < rgb.length; k++) rgb[k] = Math.round(Math.min(1, Math.max(0, data[k])) * 255);
  const filtered = new Uint8Array(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) {
    const o = y * (rowBytes + 1);
    filtered[o] = y === 0 ? 0 : 2; // filter type: None for the first row, Up after it
    for (let i = 0; i < rowBytes; i++) filtered[o + 1 + i] = (rgb[y * rowBytes + i] - (y === 0 ? 0 : rgb[(y - 1) * rowBytes + i])) & 255;
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, adaptive filtering, no interlace
  const parts = [
    Uint8Array.from(SIGNATURE),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(filtered, { level: 9 })),
    pngChunk("IEND", new Uint8Array(0)),
  ];
  return new Uint8Array(Buffer.concat(parts));
}
