/**
 * A minimal, independent PNG writer for tests: any bit depth and colour type, filter 0, no
 * interlace. It lets the tests produce 16-bit, grey, palette and alpha images that upng-js's
 * encoder does not write.
 */

import { constants, crc32, deflateRawSync, deflateSync } from "node:zlib";

/** One PNG chunk with its length and CRC. */
export function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  out.set(Buffer.from(type, "latin1"), 4);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
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

/** Filter one row (PNG spec §9): `cur` and `prev` are unfiltered bytes, `bpp` the byte distance. */
function filterRow(type: number, cur: Uint8Array, prev: Uint8Array | null, bpp: number): Uint8Array {
  const out = new Uint8Array(cur.length);
  for (let i = 0; i < cur.length; i++) {
    const a = i >= bpp ? cur[i - bpp] : 0;
    const b = prev ? prev[i] : 0;
    const c = prev && i >= bpp ? prev[i - bpp] : 0;
    const p = a + b - c;
    const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
    const predictor = [0, a, b, (a + b) >> 1, paeth][type];
    out[i] = (cur[i] - predictor) & 255;
  }
  return out;
}

/**
 * The filtered scanlines (filter byte + row) of an image, optionally Adam7-interlaced, with row
 * filters chosen by `filter(rowIndex)` (default 0). Independent of the decoder under test.
 */
export function scanlines(opts: {
  width: number;
  height: number;
  depth: number;
  ctype: number;
  samples: number[];
  interlace?: boolean;
  filter?: (row: number) => number;
}): Uint8Array {
  const { width, height, depth, ctype, samples } = opts;
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[ctype] as number;
  const bpp = Math.max(1, (channels * depth) >> 3);
  const rows: number[] = [];
  let rowIndex = 0;
  for (const [x0, y0, dx, dy] of opts.interlace ? ADAM7 : [[0, 0, 1, 1]]) {
    const pw = Math.ceil(Math.max(0, width - x0) / dx);
    const ph = Math.ceil(Math.max(0, height - y0) / dy);
    if (pw === 0 || ph === 0) continue;
    const rowBytes = Math.ceil((pw * channels * depth) / 8);
    let prev: Uint8Array | null = null;
    for (let y = 0; y < ph; y++) {
      const cur = new Uint8Array(rowBytes);
      for (let x = 0; x < pw; x++)
        for (let c = 0; c < channels; c++) {
          const v = samples[((y0 + y * dy) * width + x0 + x * dx) * channels + c];
          const k = x * channels + c;
          if (depth === 16) {
            cur[2 * k] = v >> 8;
            cur[2 * k + 1] = v & 255;
          } else if (depth === 8) cur[k] = v;
          else cur[(k * depth) >> 3] |= v << (8 - depth - ((k * depth) & 7));
        }
      const type = opts.filter?.(rowIndex++) ?? 0;
      rows.push(type, ...filterRow(type, cur, prev, bpp));
      prev = cur;
    }
  }
  return Uint8Array.from(rows);
}

/** A PNG from its parts: IHDR fields, extra chunks before the data, and the zlib stream (whole or split over several IDATs). */
export function assemblePNG(
  h: { width: number; height: number; depth: number; ctype: number; interlace?: number },
  idat: Uint8Array | Uint8Array[],
  before: Uint8Array[] = [],
): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, h.width);
  dv.setUint32(4, h.height);
  ihdr.set([h.depth, h.ctype, 0, 0, h.interlace ?? 0], 8);
  const data = Array.isArray(idat) ? idat : [idat];
  return Buffer.concat([
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    ...before,
    ...data.map((d) => chunk("IDAT", d)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/** Build a PNG from raw samples (row-major, channels interleaved, values as integers of `depth` bits). */
export function makePNG(opts: {
  width: number;
  height: number;
  depth: number;
  ctype: number;
  samples: number[];
  palette?: number[][];
  trns?: number[];
  interlace?: boolean;
  filter?: (row: number) => number;
}): Uint8Array {
  const before: Uint8Array[] = [];
  if (opts.palette) before.push(chunk("PLTE", Uint8Array.from(opts.palette.flat())));
  if (opts.trns) before.push(chunk("tRNS", Uint8Array.from(opts.trns)));
  return assemblePNG({ ...opts, interlace: opts.interlace ? 1 : 0 }, deflateSync(scanlines(opts)), before);
}

/**
 * A zlib stream of `mib` MiB of zeros (valid PNG scanlines of filter 0, black), built in
 * milliseconds by repeating one sync-flushed deflate block: about 1 KB per MiB.
 */
export function zeroStream(mib: number): Uint8Array {
  const block = deflateRawSync(new Uint8Array(1 << 20), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const parts: Uint8Array[] = [Uint8Array.from([0x78, 0xda])];
  for (let i = 0; i < mib; i++) parts.push(block);
  parts.push(Uint8Array.from([0x03, 0x00])); // final empty fixed-Huffman block
  const adler = new Uint8Array(4);
  new DataView(adler.buffer).setUint32(0, ((((mib * 2 ** 20) % 65521) << 16) | 1) >>> 0); // Adler-32 of zeros: a = 1, b = n mod 65521
  parts.push(adler);
  return Buffer.concat(parts);
}

/** An 8-bit RGB PNG of a smooth test pattern (a colour ramp with a disc). */
export function patternPNG(width: number, height: number): Uint8Array {
  const samples: number[] = [];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const disc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 4) ** 2;
      samples.push(Math.round((255 * x) / Math.max(1, width - 1)), disc ? 230 : 40, Math.round((255 * y) / Math.max(1, height - 1)));
    }
  return makePNG({ width, height, depth: 8, ctype: 2, samples });
}
