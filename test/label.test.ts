import { describe, expect, it } from "vitest";
import { captionedStrip, drawText, STRIP_GAP, textWidth } from "../src/image/label.js";
import { decodePNG, encodePNG, type RGBImage } from "../src/image/png.js";

/** A panel of mid-grey noise (no pixel pure black or white), row-major [h][w][3]. */
const noise = (width: number, height: number, seed: number): RGBImage => {
  let s = seed;
  const data = Float32Array.from({ length: width * height * 3 }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return 0.2 + 0.6 * (s / 2 ** 31);
  });
  return { width, height, data };
};

/** The image's (x, y) pixel as [r, g, b]. */
const pixel = (im: RGBImage, x: number, y: number) => Array.from(im.data.subarray((y * im.width + x) * 3, (y * im.width + x) * 3 + 3));

/** Each row of the box [x, x + w) × [y, y + h) as a string, `#` for a black pixel, `.` otherwise. */
const ink = (im: RGBImage, x: number, y: number, w: number, h: number) =>
  Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, c) => (pixel(im, x + c, y + r).every((v) => v === 0) ? "#" : ".")).join(""));

describe("5×7 labels", () => {
  it("draws each glyph's dots, 6 pixels apart, at the scale asked", () => {
    const im = { width: 20, height: 9, data: new Float32Array(20 * 9 * 3).fill(1) };
    drawText(im, "L1", 1, 1);
    expect(ink(im, 1, 1, 11, 7)).toEqual(["#.......#..", "#......##..", "#.......#..", "#.......#..", "#.......#..", "#.......#..", "#####..###."]);
    // nothing outside the text's box
    expect(ink(im, 0, 0, 20, 9).join("").replaceAll(".", "").length).toBe(ink(im, 1, 1, 11, 7).join("").replaceAll(".", "").length);
    const big = { width: 12, height: 16, data: new Float32Array(12 * 16 * 3).fill(1) };
    drawText(big, "L", 0, 0, 2);
    expect(ink(big, 0, 0, 10, 14).at(-1)).toBe("##########");
    expect(ink(big, 0, 0, 10, 14)[0]).toBe("##........");
    expect(textWidth("ReLU 15.1 dB")).toBe(12 * 6 - 1);
  });

  it("refuses a character it has no glyph for", () => {
    const im = { width: 8, height: 8, data: new Float32Array(8 * 8 * 3) };
    expect(() => drawText(im, "é", 0, 0)).toThrow(/no glyph for "é"/);
  });

  it("captions each panel underneath and leaves the panels' pixels as they were", () => {
    const panels = [noise(64, 48, 1), noise(64, 48, 2), noise(64, 48, 3)];
    const copies = panels.map((p) => Float32Array.from(p.data));
    const captions = ["source", "ReLU 15.1 dB", "positional 23.4 dB"];
    const strip = captionedStrip(panels.map((image, i) => ({ image, caption: captions[i] })));
    expect(strip.width).toBe(3 * 64 + 2 * STRIP_GAP);
    expect(strip.height).toBeGreaterThanOrEqual(48 + 7);
    // panel i's pixels are unchanged (and its input untouched)
    for (const [i, p] of panels.entries()) {
      const x0 = i * (64 + STRIP_GAP);
      for (let y = 0; y < 48; y++)
        for (let x = 0; x < 64; x++) expect(pixel(strip, x0 + x, y)).toEqual(Array.from(p.data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)));
      expect(p.data).toEqual(copies[i]);
    }
    // the band below holds each caption's ink, as drawText draws it alone, cut to the panel's width
    for (const [i, caption] of captions.entries()) {
      const x0 = i * (64 + STRIP_GAP);
      const band = { width: 64, height: strip.height - 48, data: new Float32Array(64 * (strip.height - 48) * 3).fill(1) };
      const shown = caption.slice(0, Math.floor(64 / 6));
      drawText(band, shown, 1, 2);
      expect(ink(strip, x0, 48, 64, strip.height - 48)).toEqual(ink(band, 0, 0, 64, band.height));
      expect(ink(band, 0, 0, 64, band.height).join("")).toContain("#");
    }
    // "positional 23.4 dB" is cut to its first 10 characters at 64 pixels; the gaps stay white
    for (let y = 0; y < strip.height; y++) for (let x = 64; x < 64 + STRIP_GAP; x++) expect(pixel(strip, x, y)).toEqual([1, 1, 1]);
    // it survives the PNG round trip (ink is exactly black)
    const back = decodePNG(encodePNG(strip));
    expect(ink(back, 0, 48, strip.width, strip.height - 48)).toEqual(ink(strip, 0, 48, strip.width, strip.height - 48));
  });

  it("scales the captions with the panels' height", () => {
    const small = captionedStrip([{ image: noise(32, 32, 4), caption: "a" }]);
    const large = captionedStrip([{ image: noise(256, 256, 5), caption: "a" }]);
    expect(small.height - 32).toBe(11);
    expect(large.height - 256).toBe(22);
    expect(() =>
      captionedStrip([
        { image: noise(8, 8, 1), caption: "" },
        { image: noise(8, 9, 1), caption: "" },
      ]),
    ).toThrow(/same height/);
  });
});
