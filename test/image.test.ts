import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodePNG, encodePNG, ImageError, type RGBImage, resample, view } from "../src/image/index.js";
import { makePNG, patternPNG } from "./png-helpers.js";

const expectImageError = (f: () => unknown, pattern: RegExp) => {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ImageError);
  expect((error as Error).message).toMatch(pattern);
  expect((error as Error).message).not.toContain("\n");
};

describe("PNG decoding", () => {
  it("reads 8-bit RGB as floats in [0, 1], row-major [y][x][c]", () => {
    const img = decodePNG(makePNG({ width: 2, height: 1, depth: 8, ctype: 2, samples: [255, 0, 51, 0, 102, 255] }));
    expect(img.width).toBe(2);
    expect(Array.from(img.data)).toEqual([1, 0, 0.2, 0, 0.4, 1].map(Math.fround));
    expect(view(img).get(0, 1, 1)).toBeCloseTo(0.4, 6);
  });

  it("keeps 16-bit precision", () => {
    const img = decodePNG(makePNG({ width: 1, height: 1, depth: 16, ctype: 2, samples: [65535, 1, 32768] }));
    expect(img.data[1]).toBeCloseTo(1 / 65535, 9);
    expect(img.data[2]).toBeCloseTo(32768 / 65535, 7);
  });

  it("copies grey to all channels, at 1, 2, 4, 8 and 16 bits", () => {
    for (const depth of [1, 2, 4, 8, 16]) {
      const max = 2 ** depth - 1;
      const img = decodePNG(makePNG({ width: 3, height: 1, depth, ctype: 0, samples: [0, max, max >> 1] }));
      expect(Array.from(img.data.subarray(3, 6))).toEqual([1, 1, 1]);
      expect(img.data[6]).toBeCloseTo((max >> 1) / max, 6);
      expect(img.data[7]).toBe(img.data[6]);
    }
  });

  it("looks up palette colours", () => {
    const img = decodePNG(
      makePNG({
        width: 2,
        height: 1,
        depth: 4,
        ctype: 3,
        samples: [1, 0],
        palette: [
          [255, 0, 0],
          [0, 0, 255],
        ],
      }),
    );
    expect(Array.from(img.data)).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it("composites alpha over white, for RGBA, grey+alpha (8 and 16 bit) and palette transparency", () => {
    const rgba = decodePNG(makePNG({ width: 1, height: 1, depth: 8, ctype: 6, samples: [0, 0, 0, 0] }));
    expect(Array.from(rgba.data)).toEqual([1, 1, 1]); // fully transparent black → white
    const half = decodePNG(makePNG({ width: 1, height: 1, depth: 16, ctype: 6, samples: [0, 65535, 0, 32768] }));
    const a = 32768 / 65535;
    expect(half.data[0]).toBeCloseTo(1 - a, 6);
    expect(half.data[1]).toBeCloseTo(1, 6);
    const ga = decodePNG(makePNG({ width: 1, height: 1, depth: 8, ctype: 4, samples: [0, 255] }));
    expect(Array.from(ga.data)).toEqual([0, 0, 0]);
    const pal = decodePNG(makePNG({ width: 1, height: 1, depth: 8, ctype: 3, samples: [0], palette: [[0, 0, 0]], trns: [0] }));
    expect(Array.from(pal.data)).toEqual([1, 1, 1]);
  });

  it("round-trips through encodePNG (8-bit)", () => {
    const img = decodePNG(patternPNG(13, 7));
    const again = decodePNG(encodePNG(img));
    expect(again.width).toBe(13);
    expect(again.height).toBe(7);
    expect(Array.from(again.data)).toEqual(Array.from(img.data));
  });
});

describe("PNG errors: one clear line, never a hang", () => {
  const good = patternPNG(8, 8);

  it("rejects non-PNG data", () => {
    expectImageError(() => decodePNG(Buffer.from("hello, this is text")), /not a PNG/);
    expectImageError(() => decodePNG(new Uint8Array(0)), /not a PNG/);
  });

  it("rejects every truncation of a valid file", () => {
    for (let n = 0; n < good.length; n += 1) expectImageError(() => decodePNG(good.subarray(0, n)), /not a PNG|truncated|corrupt/);
  });

  it("rejects a flipped byte anywhere after the signature (CRC)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const bad = Uint8Array.from(good);
        bad[at] ^= xor;
        expectImageError(() => decodePNG(bad), /truncated|corrupt/);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects random bytes, with or without the PNG signature", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, withSignature) => {
        const data = withSignature ? Buffer.concat([good.subarray(0, 8), bytes]) : bytes;
        expectImageError(() => decodePNG(data), /not a PNG|truncated|corrupt/);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects zero-size images and images above the pixel limit, before decompressing", () => {
    expectImageError(() => decodePNG(makePNG({ width: 0, height: 3, depth: 8, ctype: 2, samples: [] })), /0×3 pixels/);
    expectImageError(() => decodePNG(patternPNG(20, 10), 199), /20×10 .*above the limit/);
    expect(decodePNG(patternPNG(20, 10), 200).width).toBe(20);
  });
});

describe("resampling", () => {
  const constant = (w: number, h: number, v: number): RGBImage => ({ width: w, height: h, data: new Float32Array(w * h * 3).fill(v) });

  it("area-averages when shrinking (the mean is preserved exactly for whole multiples)", () => {
    const img = decodePNG(patternPNG(8, 8));
    const small = resample(img, 2, 2);
    // top-left output pixel = mean of the 4×4 top-left source block
    let sum = 0;
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) sum += view(img).get(y, x, 0);
    expect(view(small).get(0, 0, 0)).toBeCloseTo(sum / 16, 6);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(small.data)).toBeCloseTo(mean(img.data), 6);
  });

  it("handles fractional footprints and keeps constant images constant", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        (w, h, W, H) => {
          const out = resample(constant(w, h, 0.3), W, H);
          for (const v of out.data) expect(v).toBeCloseTo(0.3, 5);
        },
      ),
    );
  });

  it("interpolates bilinearly when enlarging", () => {
    const img: RGBImage = { width: 2, height: 1, data: Float32Array.of(0, 0, 0, 1, 1, 1) };
    const big = resample(img, 4, 1);
    // centres at 0.25·(2i+1)·… : sample positions −0.25, 0.25, 0.75, 1.25 → clamped 0, 0.25, 0.75, 1
    expect(Array.from(big.data.filter((_, k) => k % 3 === 0))).toEqual([0, 0.25, 0.75, 1]);
  });
});
