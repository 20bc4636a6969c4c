/**
 * @module
 * PNG decoding and encoding, with the checks that turn bad files into one clear line.
 *
 * Browser-safe: no `node:` module (zlib through pako); reading files is in `image/index.ts`.
 *
 * The decoder inflates with pako's zlib-level API straight into one buffer of exactly the size the
 * header implies (+1 byte to notice more), so a compression bomb costs that buffer and a few
 * milliseconds, never more. upng-js, used before, inflated the whole stream with no cap (a 3 MB
 * file took 6 GB), allocated its pixel buffer before looking at the data (short data trained on
 * zeros), and read filter bytes and palette indices unchecked; none of that can be fixed from
 * outside it, so the chunk walk, unfiltering and colour conversion are written here (each a few
 * lines of the PNG specification) and only zlib comes from a library.
 */

import ndarray, { type NdArray } from "ndarray";
import { deflate, Z_BUF_ERROR, Z_NO_FLUSH, Z_OK, Z_STREAM_END, ZStream, zlibInflate, zlibInflateEnd, zlibInflateInit2 } from "pako";
import { CoordnetError } from "../errors.js";
import { crc32 } from "../io/crc32.js";
import { BudgetError, checkPixels, DEFAULT_MAX_PIXELS } from "../limits.js";

export { DEFAULT_MAX_PIXELS } from "../limits.js";

/**
 * An RGB image of floats in [0, 1]: `data` is row-major [height][width][3].
 *
 * @group Images
 */
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

/** Samples per pixel and the bit depths allowed, by colour type (PNG spec, table 11.1). */
const COLOUR_TYPES: Record<number, { name: string; channels: number; depths: number[] }> = {
  0: { name: "greyscale", channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { name: "RGB", channels: 3, depths: [8, 16] },
  3: { name: "palette", channels: 1, depths: [1, 2, 4, 8] },
  4: { name: "greyscale with alpha", channels: 2, depths: [8, 16] },
  6: { name: "RGBA", channels: 4, depths: [8, 16] },
};

/** The IHDR fields. */
interface Header {
  width: number;
  height: number;
  depth: number;
  ctype: number;
  interlace: number;
}

/** What the chunk walk found: the header, the palette and transparency, and the IDAT payloads. */
interface Chunks {
  header: Header;
  palette: Uint8Array | null;
  transparency: Uint8Array | null;
  data: Uint8Array[];
}

/**
 * Walk the chunk structure: signature, IHDR first and valid, every chunk complete with a valid
 * CRC, PLTE and tRNS where they may be, consecutive IDATs, and IEND. APNG's animation chunks
 * (acTL, fcTL, fdAT) are ancillary and skipped: the default image is decoded, the frames never
 * inflated. Throws {@link ImageError}.
 */
function readChunks(bytes: Uint8Array): Chunks {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new ImageError("not a PNG file (its first bytes are not the PNG signature)");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let header: Header | null = null;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const data: Uint8Array[] = [];
  let dataEnded = false;
  for (let index = 0; ; index++) {
    if (offset + 12 > bytes.length) throw new ImageError("truncated PNG: the file ends before its IEND chunk");
    const length = dv.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) throw new ImageError(`corrupt PNG: invalid chunk type at byte ${offset + 4}`);
    if (offset + 12 + length > bytes.length) throw new ImageError(`truncated PNG: the ${type} chunk runs past the end of the file`);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== dv.getUint32(offset + 8 + length))
      throw new ImageError(`corrupt PNG: the ${type} chunk fails its CRC check`);
    offset += 12 + length;
    if (index === 0) {
      if (type !== "IHDR" || length !== 13) throw new ImageError("corrupt PNG: the first chunk is not a valid IHDR header");
      header = parseHeader(body);
      continue;
    }
    const h = header as Header;
    if (data.length > 0 && type !== "IDAT") dataEnded = true;
    switch (type) {
      case "IHDR":
        throw new ImageError("corrupt PNG: a second IHDR chunk");
      case "PLTE":
        if (palette !== null || data.length > 0) throw new ImageError("corrupt PNG: a PLTE chunk after the first PLTE or after the image data");
        if (h.ctype === 0 || h.ctype === 4) throw new ImageError(`corrupt PNG: a ${COLOUR_TYPES[h.ctype].name} image may not have a palette (PLTE)`);
        if (length === 0 || length % 3 !== 0 || length > 768)
          throw new ImageError(`corrupt PNG: its palette (PLTE) is ${length} bytes, not 3 to 768 bytes in threes`);
        palette = body;
        break;
      case "tRNS":
        if (data.length > 0) throw new ImageError("corrupt PNG: its transparency (tRNS) chunk comes after the image data");
        if (h.ctype === 3) {
          if (palette === null) throw new ImageError("corrupt PNG: its transparency (tRNS) chunk comes before the palette (PLTE)");
          if (length > palette.length / 3)
            throw new ImageError(`corrupt PNG: its transparency (tRNS) chunk has ${length} entries, more than the palette's ${palette.length / 3}`);
        } else if ((h.ctype === 0 && length !== 2) || (h.ctype === 2 && length !== 6))
          throw new ImageError(`corrupt PNG: its transparency (tRNS) chunk is ${length} bytes, not ${h.ctype === 0 ? 2 : 6}`);
        // tRNS with an alpha channel (colour types 4, 6) is not allowed and means nothing: ignored
        if (h.ctype !== 4 && h.ctype !== 6) transparency = body;
        break;
      case "IDAT":
        if (dataEnded) throw new ImageError("corrupt PNG: its IDAT chunks are not consecutive");
        data.push(body);
        break;
      case "IEND":
        if (data.length === 0) throw new ImageError("corrupt PNG: no image data (IDAT) chunk");
        if (h.ctype === 3 && palette === null) throw new ImageError("corrupt PNG: a palette image without a palette (PLTE) chunk");
        return { header: h, palette, transparency, data };
      default:
        // a critical chunk (upper-case first letter) that a decoder does not know must stop it
        if (type.charCodeAt(0) < 97) throw new ImageError(`unsupported PNG: it uses the critical chunk ${type}, which coordnet cannot read`);
    }
  }
}

function parseHeader(body: Uint8Array): Header {
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const width = dv.getUint32(0);
  const height = dv.getUint32(4);
  const [depth, ctype, compression, filter, interlace] = body.subarray(8, 13);
  if (width > 0x7fffffff || height > 0x7fffffff)
    throw new ImageError(`corrupt PNG: its header says ${width}×${height} pixels, beyond the PNG limit of 2³¹ − 1`);
  const colour = COLOUR_TYPES[ctype];
  if (colour === undefined) throw new ImageError(`corrupt PNG: colour type ${ctype} does not exist (0, 2, 3, 4 and 6 do)`);
  if (!colour.depths.includes(depth))
    throw new ImageError(`corrupt PNG: ${colour.name} (colour type ${ctype}) cannot have bit depth ${depth} (allowed: ${colour.depths.join(", ")})`);
  if (compression !== 0) throw new ImageError(`corrupt PNG: compression method ${compression} does not exist (only 0 does)`);
  if (filter !== 0) throw new ImageError(`corrupt PNG: filter method ${filter} does not exist (only 0 does)`);
  if (interlace > 1) throw new ImageError(`corrupt PNG: interlace method ${interlace} does not exist (0 and 1 do)`);
  return { width, height, depth, ctype, interlace };
}

/** One reduced image of the Adam7 interlace (or the whole image): where its pixels go. */
interface Pass {
  /** first column and row in the full image, and the steps between its pixels */
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  /** its size in pixels */
  width: number;
  height: number;
  /** bytes per row, without the filter byte */
  rowBytes: number;
}

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

function passes(h: Header): Pass[] {
  const bits = COLOUR_TYPES[h.ctype].channels * h.depth;
  const layout = h.interlace === 1 ? ADAM7 : [[0, 0, 1, 1]];
  return layout
    .map(([x0, y0, dx, dy]) => {
      const width = Math.ceil(Math.max(0, h.width - x0) / dx);
      const height = Math.ceil(Math.max(0, h.height - y0) / dy);
      return { x0, y0, dx, dy, width, height, rowBytes: Math.ceil((width * bits) / 8) };
    })
    .filter((p) => p.width > 0 && p.height > 0); // an empty pass has no rows, not even filter bytes
}

/**
 * Inflate the zlib stream split over `parts` into exactly `size` bytes. The output buffer is
 * `size + 1` bytes and is all the memory inflation gets: a stream that fills it is longer than
 * the header implies and is refused at that point, whatever it would have inflated to.
 */
function inflateExactly(parts: Uint8Array[], size: number): Uint8Array {
  const strm = new ZStream();
  if (zlibInflateInit2(strm, 15) !== Z_OK) throw new ImageError("corrupt PNG: its image data cannot be inflated");
  const out = new Uint8Array(size + 1);
  strm.output = out;
  strm.next_out = 0;
  strm.avail_out = out.length;
  let ended = false;
  try {
    for (const part of parts) {
      if (part.length === 0) continue;
      if (ended) throw new ImageError("corrupt PNG: its IDAT chunks hold data after the end of the compressed image data");
      strm.input = part;
      strm.next_in = 0;
      strm.avail_in = part.length;
      const status = zlibInflate(strm, Z_NO_FLUSH);
      if (status === Z_STREAM_END) ended = true;
      else if (status !== Z_OK && status !== Z_BUF_ERROR)
        throw new ImageError(`corrupt PNG: its compressed image data is invalid (${strm.msg || `zlib status ${status}`})`);
      if (strm.total_out > size) throw new ImageError(`corrupt PNG: its image data inflates to more than the ${size} bytes its header implies`);
      if (ended && strm.avail_in > 0) throw new ImageError("corrupt PNG: its IDAT chunks hold data after the end of the compressed image data");
    }
  } finally {
    zlibInflateEnd(strm);
  }
  if (!ended) throw new ImageError(`truncated PNG: its compressed image data is cut short (${strm.total_out} of ${size} bytes inflated)`);
  if (strm.total_out < size)
    throw new ImageError(`corrupt PNG: its image data inflates to ${strm.total_out} bytes, shorter than the ${size} its header implies`);
  return out.subarray(0, size);
}

/**
 * Undo the row filters of one pass in place: `raw[at]` is a row's filter byte, its bytes follow.
 * `bpp` is the filter's byte distance (bytes per complete pixel, at least 1).
 */
function unfilter(raw: Uint8Array, at: number, pass: Pass, bpp: number, passIndex: number): void {
  const n = pass.rowBytes;
  for (let y = 0; y < pass.height; y++) {
    const f = raw[at];
    const row = at + 1;
    const up = row - (n + 1); // the previous row of this pass (unused when y = 0)
    if (f > 4) throw new ImageError(`corrupt PNG: row ${y}${passIndex >= 0 ? ` of interlace pass ${passIndex + 1}` : ""} has filter type ${f} (0 to 4 exist)`);
    for (let i = 0; i < n; i++) {
      const a = i >= bpp ? raw[row + i - bpp] : 0; // left
      const b = y > 0 ? raw[up + i] : 0; // above
      const c = i >= bpp && y > 0 ? raw[up + i - bpp] : 0; // above left
      let predictor = 0;
      if (f === 1) predictor = a;
      else if (f === 2) predictor = b;
      else if (f === 3) predictor = (a + b) >> 1;
      else if (f === 4) {
        // Paeth: whichever of a, b, c is closest to a + b − c (ties: a, then b)
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      raw[row + i] = (raw[row + i] + predictor) & 255;
    }
    at += n + 1;
  }
}

/**
 * Decode a PNG of any bit depth (1, 2, 4, 8, 16), colour type (grey, RGB, palette, with or
 * without alpha) and interlacing to RGB floats in [0, 1]. Grey is copied to all three channels.
 * Alpha is **composited over white**: c' = α·c + (1 − α), so transparent areas train as white.
 * 16-bit images keep their full precision. An animated PNG gives its default image.
 *
 * Nothing is trusted: the header's combinations, the size of the inflated data (exactly
 * (row bytes + 1) × rows, inflated into a buffer of that size and no more), every filter byte
 * and every palette index are checked.
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
  const { header, palette, transparency, data } = readChunks(bytes);
  const { width, height, depth, ctype } = header;
  if (width === 0 || height === 0) throw new ImageError(`image is ${width}×${height} pixels: nothing to train on`);
  try {
    checkPixels("image", width, height, maxPixels);
  } catch (e) {
    if (e instanceof BudgetError) throw new ImageError(e.message);
    throw e;
  }
  const layout = passes(header);
  const size = layout.reduce((n, p) => n + (p.rowBytes + 1) * p.height, 0);
  const raw = inflateExactly(data, size);

  const channels = COLOUR_TYPES[ctype].channels;
  const bpp = Math.max(1, (channels * depth) >> 3);
  const max = 2 ** depth - 1;
  const colours = palette === null ? 0 : palette.length / 3;
  const tv = transparency === null ? null : new DataView(transparency.buffer, transparency.byteOffset, transparency.byteLength);
  // tRNS for grey and RGB: the one sample value (or triple) that is fully transparent
  const key = tv === null || ctype === 3 ? null : ctype === 0 ? [tv.getUint16(0)] : [tv.getUint16(0), tv.getUint16(2), tv.getUint16(4)];
  const out = new Float32Array(width * height * 3); // row-major [height][width][3]
  const s = new Array<number>(channels);
  let at = 0;
  layout.forEach((pass, index) => {
    unfilter(raw, at, pass, bpp, header.interlace === 1 ? index : -1);
    for (let y = 0; y < pass.height; y++) {
      const row = at + y * (pass.rowBytes + 1) + 1;
      for (let x = 0; x < pass.width; x++) {
        // the pixel's samples, as integers of `depth` bits
        for (let c = 0; c < channels; c++) {
          const k = x * channels + c;
          if (depth === 8) s[c] = raw[row + k];
          else if (depth === 16) s[c] = (raw[row + 2 * k] << 8) | raw[row + 2 * k + 1];
          else s[c] = (raw[row + ((k * depth) >> 3)] >> (8 - depth - ((k * depth) & 7))) & max;
        }
        const px = pass.x0 + x * pass.dx;
        const py = pass.y0 + y * pass.dy;
        let r: number;
        let g: number;
        let b: number;
        let alpha = 1;
        if (ctype === 3) {
          const i = s[0];
          if (i >= colours)
            throw new ImageError(
              `corrupt PNG: pixel (${px}, ${py}) uses palette entry ${i}, but the palette (PLTE) has ${colours} entr${colours === 1 ? "y" : "ies"}`,
            );
          const p = palette as Uint8Array;
          r = p[3 * i] / 255;
          g = p[3 * i + 1] / 255;
          b = p[3 * i + 2] / 255;
          if (transparency !== null && i < transparency.length) alpha = transparency[i] / 255;
        } else {
          r = s[0] / max;
          g = channels >= 3 ? s[1] / max : r;
          b = channels >= 3 ? s[2] / max : r;
          if (ctype === 4) alpha = s[1] / max;
          else if (ctype === 6) alpha = s[3] / max;
          else if (key?.every((v, c) => v === s[c])) alpha = 0;
        }
        // composite over white: c' = α·c + (1 − α)
        const o = 3 * (py * width + px);
        out[o] = alpha * r + (1 - alpha);
        out[o + 1] = alpha * g + (1 - alpha);
        out[o + 2] = alpha * b + (1 - alpha);
      }
    }
    at += (pass.rowBytes + 1) * pass.height;
  });
  return { width, height, data: out };
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
 * then the whole image is deflated (pako, level 9).
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
  const filtered = new Uint8Array(height * (rowBytes + 1));
  let previous = new Uint8Array(rowBytes);
  let current = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < rowBytes; i++) current[i] = Math.round(Math.min(1, Math.max(0, data[y * rowBytes + i])) * 255);
    const o = y * (rowBytes + 1);
    filtered[o] = y === 0 ? 0 : 2; // filter type: None for the first row, Up after it
    for (let i = 0; i < rowBytes; i++) filtered[o + 1 + i] = (current[i] - (y === 0 ? 0 : previous[i])) & 255;
    [previous, current] = [current, previous];
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, adaptive filtering, no interlace
  const parts = [Uint8Array.from(SIGNATURE), pngChunk("IHDR", ihdr), pngChunk("IDAT", deflate(filtered, { level: 9 })), pngChunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
