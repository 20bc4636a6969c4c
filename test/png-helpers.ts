/**
 * A minimal, independent PNG writer for tests: any bit depth and colour type, filter 0, no
 * interlace. It lets the tests produce 16-bit, grey, palette and alpha images that upng-js's
 * encoder does not write.
 */

import { crc32, deflateSync } from "node:zlib";

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

/** Build a PNG from raw samples (row-major, channels interleaved, values as integers of `depth` bits). */
export function makePNG(opts: {
  width: number;
  height: number;
  depth: number;
  ctype: number;
  samples: number[];
  palette?: number[][];
  trns?: number[];
}): Uint8Array {
  const { width, height, depth, ctype, samples } = opts;
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[ctype] as number;
  const rowBits = width * channels * depth;
  const rowBytes = Math.ceil(rowBits / 8);
  const raw = new Uint8Array(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) {
    const base = y * (rowBytes + 1) + 1; // filter byte 0 precedes each row
    for (let k = 0; k < width * channels; k++) {
      const v = samples[y * width * channels + k];
      if (depth === 16) {
        raw[base + 2 * k] = v >> 8;
        raw[base + 2 * k + 1] = v & 255;
      } else if (depth === 8) raw[base + k] = v;
      else {
        const bit = k * depth;
        raw[base + (bit >> 3)] |= v << (8 - depth - (bit & 7));
      }
    }
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([depth, ctype, 0, 0, 0], 8);
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr)];
  if (opts.palette) parts.push(chunk("PLTE", Uint8Array.from(opts.palette.flat())));
  if (opts.trns) parts.push(chunk("tRNS", Uint8Array.from(opts.trns)));
  parts.push(chunk("IDAT", deflateSync(raw)), chunk("IEND", new Uint8Array(0)));
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
