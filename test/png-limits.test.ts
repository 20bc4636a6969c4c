import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodePNG, ImageError } from "../src/image/png.js";
import { assemblePNG, chunk, makePNG, scanlines, zeroStream } from "./png-helpers.js";

// Issue 10, "Files": hostile PNGs are refused in one line, with memory bounded by the header.

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ImageError);
    const message = (e as Error).message;
    expect(message).not.toContain("\n");
    expect(message).not.toMatch(/reading '|undefined|is not a function/);
    return message;
  }
  throw new Error("expected an ImageError, but the PNG decoded");
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

describe("PNG decoding: any depth, colour type, filter and interlacing", () => {
  // the expected floats of a pixel, from the samples, as the PNG spec defines them
  function expected(ctype: number, depth: number, px: number[], palette: number[][]): number[] {
    const max = 2 ** depth - 1;
    if (ctype === 3) return palette[px[0]].map((v) => v / 255);
    const rgb = CHANNELS[ctype] >= 3 ? px.slice(0, 3).map((v) => v / max) : [px[0] / max, px[0] / max, px[0] / max];
    const alpha = ctype === 4 ? px[1] / max : ctype === 6 ? px[3] / max : 1;
    return rgb.map((c) => alpha * c + (1 - alpha));
  }

  it("matches an independent writer for random images, row filters and Adam7", () => {
    const combos = Object.entries(DEPTHS).flatMap(([ctype, depths]) => depths.map((depth) => [Number(ctype), depth]));
    fc.assert(
      fc.property(
        fc.constantFrom(...combos),
        fc.integer({ min: 1, max: 19 }),
        fc.integer({ min: 1, max: 11 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 8 }),
        fc.infiniteStream(fc.nat()),
        ([ctype, depth], width, height, interlace, filters, randoms) => {
          const max = 2 ** depth - 1;
          const colours = Math.min(256, max + 1);
          const palette = Array.from({ length: colours }, (_, i) => [(i * 37) % 256, (i * 91) % 256, (i * 13) % 256]);
          const samples = Array.from({ length: width * height * CHANNELS[ctype] }, () => randoms.next().value % (ctype === 3 ? colours : max + 1));
          const png = makePNG({
            width,
            height,
            depth,
            ctype,
            samples,
            palette: ctype === 3 ? palette : undefined,
            interlace,
            filter: (r) => filters[r % filters.length],
          });
          const img = decodePNG(png);
          expect([img.width, img.height]).toEqual([width, height]);
          for (let p = 0; p < width * height; p++) {
            const want = expected(ctype, depth, samples.slice(p * CHANNELS[ctype], (p + 1) * CHANNELS[ctype]), palette);
            const got = Array.from(img.data.subarray(3 * p, 3 * p + 3));
            // float32 storage of a float64 formula: within one float32 ulp of values ≤ 1
            for (let c = 0; c < 3; c++) expect(Math.abs(got[c] - want[c])).toBeLessThanOrEqual(2 ** -24);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("splits the zlib stream over several IDAT chunks", () => {
    const samples = Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 7) % 256);
    const z = deflateSync(scanlines({ width: 5, height: 4, depth: 8, ctype: 2, samples }));
    const parts = [z.subarray(0, 3), z.subarray(3, 4), new Uint8Array(0), z.subarray(4)];
    expect(Array.from(decodePNG(assemblePNG({ width: 5, height: 4, depth: 8, ctype: 2 }, parts)).data)).toEqual(samples.map((v) => Math.fround(v / 255)));
  });
});

describe("PNG refusals (each failed on main: trained on garbage, or a raw JS message)", () => {
  const head = { width: 16, height: 16, depth: 8, ctype: 2 };
  const rows = (n: number, filter = 0) => {
    const raw = new Uint8Array(n * 49);
    for (let y = 0; y < n; y++) raw[y * 49] = filter;
    return raw;
  };

  it("a compression bomb: refused once the header's size is passed, without inflating the rest", () => {
    const bomb = zeroStream(256); // 256 KB that inflate to 256 MiB; the header implies 784 bytes
    expect(inflateSync(zeroStream(4)).length).toBe(4 * 2 ** 20); // the same construction, small: a valid zlib stream
    expect(refusal(() => decodePNG(assemblePNG(head, bomb)))).toMatch(/inflates to more than the 784 bytes its header implies/);
  });

  it("an APNG whose animation frames are bombs: the default image decodes, the frames are never inflated", () => {
    const samples = Array.from({ length: 16 * 16 * 3 }, (_, i) => i % 256);
    const fdat = new Uint8Array(4 + 300_000);
    fdat.set(zeroStream(256).subarray(0, 300_000), 4);
    const actl = new Uint8Array(8);
    new DataView(actl.buffer).setUint32(0, 2);
    const png = assemblePNG(head, deflateSync(scanlines({ ...head, samples })), [chunk("acTL", actl)]);
    // fcTL + fdAT after the image data, before IEND
    const withFrames = Buffer.concat([png.subarray(0, png.length - 12), chunk("fcTL", new Uint8Array(26)), chunk("fdAT", fdat), png.subarray(png.length - 12)]);
    expect(Array.from(decodePNG(withFrames).data)).toEqual(samples.map((v) => Math.fround(v / 255)));
  });

  it("data shorter than the header implies: half the rows, one byte short, a cut zlib stream, a tiny IDAT", () => {
    expect(refusal(() => decodePNG(assemblePNG(head, deflateSync(rows(8)))))).toMatch(/inflates to 392 bytes, shorter than the 784/);
    expect(refusal(() => decodePNG(assemblePNG(head, deflateSync(rows(16).subarray(1)))))).toMatch(/shorter than the 784/);
    const z = deflateSync(rows(16));
    for (const cut of [3, z.length >> 1, z.length - 5])
      expect(refusal(() => decodePNG(assemblePNG(head, z.subarray(0, cut))))).toMatch(/cut short|invalid|corrupt/);
    expect(refusal(() => decodePNG(assemblePNG({ ...head, width: 4000, height: 4000 }, deflateSync(new Uint8Array(10)))))).toMatch(/shorter than/);
  });

  it("data longer than the header implies, and bytes after the zlib stream", () => {
    expect(refusal(() => decodePNG(assemblePNG(head, deflateSync(rows(17)))))).toMatch(/more than the 784 bytes/);
    expect(refusal(() => decodePNG(assemblePNG(head, [deflateSync(rows(16)), Uint8Array.of(1, 2, 3)])))).toMatch(/after the end of the compressed/);
  });

  it("every header combination the PNG spec does not allow (colour type 5, RGB at bit depth 3, …)", () => {
    for (let ctype = 0; ctype < 9; ctype++)
      for (let depth = 0; depth < 18; depth++) {
        if (DEPTHS[ctype]?.includes(depth)) continue;
        const message = refusal(() => decodePNG(assemblePNG({ width: 2, height: 2, depth, ctype }, deflateSync(new Uint8Array(64)))));
        expect(message).toMatch(DEPTHS[ctype] ? new RegExp(`cannot have bit depth ${depth}`) : new RegExp(`colour type ${ctype} does not exist`));
      }
    const bad = (i: number, v: number) => {
      const png = assemblePNG(head, deflateSync(rows(16)));
      png[16 + i] = v; // IHDR data starts at byte 16
      new DataView(png.buffer, png.byteOffset).setUint32(29, crcOf(png.subarray(12, 29)));
      return png;
    };
    expect(refusal(() => decodePNG(bad(10, 1)))).toMatch(/compression method 1/);
    expect(refusal(() => decodePNG(bad(11, 1)))).toMatch(/filter method 1/);
    expect(refusal(() => decodePNG(bad(12, 2)))).toMatch(/interlace method 2/);
  });

  it("an invalid filter byte in any row", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 5, max: 255 }), (row, filter) => {
        const raw = rows(16);
        raw[row * 49] = filter;
        expect(refusal(() => decodePNG(assemblePNG(head, deflateSync(raw))))).toBe(`corrupt PNG: row ${row} has filter type ${filter} (0 to 4 exist)`);
      }),
      { numRuns: 50 },
    );
  });

  it("palette indices past the palette, at every bit depth", () => {
    for (const depth of [1, 2, 4, 8]) {
      const samples = [0, 0, 0, 1];
      const png = makePNG({ width: 4, height: 1, depth, ctype: 3, samples, palette: [[9, 9, 9]] });
      expect(refusal(() => decodePNG(png))).toBe("corrupt PNG: pixel (3, 0) uses palette entry 1, but the palette (PLTE) has 1 entry");
    }
  });

  it("a palette image without PLTE, a palette in a grey image, a misplaced or oversized tRNS", () => {
    expect(refusal(() => decodePNG(assemblePNG({ width: 600, height: 4, depth: 8, ctype: 3 }, deflateSync(new Uint8Array(4 * 601)))))).toMatch(
      /palette image without a palette/,
    );
    const grey = { width: 2, height: 1, depth: 8, ctype: 0 };
    const z = deflateSync(new Uint8Array(3));
    expect(refusal(() => decodePNG(assemblePNG(grey, z, [chunk("PLTE", new Uint8Array(3))])))).toMatch(/may not have a palette/);
    expect(refusal(() => decodePNG(assemblePNG(grey, z, [chunk("tRNS", new Uint8Array(6))])))).toMatch(/tRNS\) chunk is 6 bytes, not 2/);
    const pal = { width: 2, height: 1, depth: 8, ctype: 3 };
    expect(refusal(() => decodePNG(assemblePNG(pal, z, [chunk("PLTE", new Uint8Array(3)), chunk("tRNS", new Uint8Array(2))])))).toMatch(
      /more than the palette's 1/,
    );
    expect(refusal(() => decodePNG(assemblePNG(pal, z, [chunk("PLTE", new Uint8Array(4))])))).toMatch(/palette \(PLTE\) is 4 bytes/);
    expect(refusal(() => decodePNG(assemblePNG(grey, z, [chunk("ABCD", new Uint8Array(1))])))).toMatch(/critical chunk ABCD/);
  });
});

function crcOf(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe("a 3 MB bomb through the command, under a 2 GB address-space ceiling", () => {
  it("is refused with one line and exit 2 (main took 6.45 GB and trained)", () => {
    const dir = mkdtempSync(join(tmpdir(), "coordnet-bomb-"));
    const file = join(dir, "bomb.png");
    writeFileSync(file, assemblePNG({ width: 10, height: 10, depth: 8, ctype: 2 }, zeroStream(3000))); // 3 MB → 3 GB
    const bin = join(process.cwd(), "bin", "coordnet.js");
    const r = spawnSync(
      "bash",
      ["-c", `ulimit -v 2000000; exec "${process.execPath}" "${bin}" train --image "${file}" --backend reference --epochs 1 --out "${join(dir, "out")}"`],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(r.stderr).toBe(`coordnet: ${file}: corrupt PNG: its image data inflates to more than the 310 bytes its header implies\n`);
    expect(r.status).toBe(2);
  });
});
