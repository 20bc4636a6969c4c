/**
 * @module
 * Text in an image: a 5×7 bitmap font and a captioned strip of panels (the demo's strip.png).
 *
 * Browser-safe: no `node:` module. The one npm bitmap-font package (js-pixel-fonts) brings pngjs,
 * loglevel and @types/pngjs as run-time dependencies to draw a few dozen glyphs; the glyphs below
 * are the classic 5×7 dot-matrix shapes (as in the HD44780 character ROM), one string per row.
 */

import type { RGBImage } from "./png.js";

/** Glyph rows, top to bottom: 7 strings of 5 characters each, `#` = ink. */
const GLYPHS: Record<string, readonly string[]> = {
  " ": [".....", ".....", ".....", ".....", ".....", ".....", "....."],
  ".": [".....", ".....", ".....", ".....", ".....", ".##..", ".##.."],
  ",": [".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."],
  "-": [".....", ".....", ".....", "#####", ".....", ".....", "....."],
  "+": [".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."],
  "=": [".....", ".....", "#####", ".....", "#####", ".....", "....."],
  "(": ["...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."],
  ")": [".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."],
  "%": ["##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"],
  "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
  "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
  "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
  "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
  "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
  "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
  "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
  "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
  "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
  "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
  A: [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
  B: ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
  C: [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
  D: ["###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."],
  E: ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
  F: ["#####", "#....", "#....", "####.", "#....", "#....", "#...."],
  G: [".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"],
  H: ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
  I: [".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
  J: ["..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."],
  K: ["#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"],
  L: ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
  M: ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
  N: ["#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"],
  O: [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
  P: ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
  Q: [".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"],
  R: ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
  S: [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
  T: ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
  U: ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
  V: ["#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."],
  W: ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."],
  X: ["#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"],
  Y: ["#...#", "#...#", "#...#", ".#.#.", "..#..", "..#..", "..#.."],
  Z: ["#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"],
  a: [".....", ".....", ".###.", "....#", ".####", "#...#", ".####"],
  b: ["#....", "#....", "#.##.", "##..#", "#...#", "#...#", "####."],
  c: [".....", ".....", ".###.", "#....", "#....", "#...#", ".###."],
  d: ["....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####"],
  e: [".....", ".....", ".###.", "#...#", "#####", "#....", ".###."],
  f: ["..##.", ".#..#", ".#...", "###..", ".#...", ".#...", ".#..."],
  g: [".....", ".####", "#...#", "#...#", ".####", "....#", ".###."],
  h: ["#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#"],
  i: ["..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###."],
  j: ["...#.", ".....", "..##.", "...#.", "...#.", "#..#.", ".##.."],
  k: ["#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#."],
  l: [".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
  m: [".....", ".....", "##.#.", "#.#.#", "#.#.#", "#...#", "#...#"],
  n: [".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"],
  o: [".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."],
  p: [".....", ".....", "####.", "#...#", "####.", "#....", "#...."],
  q: [".....", ".....", ".##.#", "#..##", ".####", "....#", "....#"],
  r: [".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."],
  s: [".....", ".....", ".###.", "#....", ".###.", "....#", "####."],
  t: [".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##."],
  u: [".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"],
  v: [".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#.."],
  w: [".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#."],
  x: [".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"],
  y: [".....", ".....", "#...#", "#...#", ".####", "....#", ".###."],
  z: [".....", ".....", "#####", "...#.", "..#..", ".#...", "#####"],
};

/** Glyph cell: 5 columns of ink and 1 of space, 7 rows. */
const GLYPH_WIDTH = 5;
const GLYPH_HEIGHT = 7;
const ADVANCE = GLYPH_WIDTH + 1;

/** Width in pixels of `text` drawn at `scale` (no trailing space after the last glyph). */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * ADVANCE - 1) * scale;
}

/**
 * Draw `text` into `image` with its top-left corner at (x, y), each font dot a `scale`×`scale`
 * square of `colour` (RGB in [0, 1]); only ink is written, dots outside the image are dropped.
 * A character without a glyph is a RangeError (the labels are ours: a new one needs its glyph).
 */
export function drawText(image: RGBImage, text: string, x: number, y: number, scale = 1, colour: readonly [number, number, number] = [0, 0, 0]): void {
  const { width, height, data } = image;
  for (const [k, ch] of [...text].entries()) {
    const glyph = GLYPHS[ch];
    if (glyph === undefined) throw new RangeError(`no glyph for ${JSON.stringify(ch)} in the 5×7 font`);
    // dot (r, c) of glyph k covers pixels [x + (k·6 + c)·s, +s) × [y + r·s, +s)
    for (let r = 0; r < GLYPH_HEIGHT; r++)
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (glyph[r][c] !== "#") continue;
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) {
            const px = x + (k * ADVANCE + c) * scale + dx;
            const py = y + r * scale + dy;
            if (px < 0 || py < 0 || px >= width || py >= height) continue;
            data.set(colour, (py * width + px) * 3);
          }
      }
  }
}

/** Pixels between panels, and the caption band's margin above and below the text. */
export const STRIP_GAP = 4;

/**
 * Panels side by side on white, `STRIP_GAP` pixels apart, each captioned underneath in black:
 * the panels' pixels are copied unchanged into the top rows, and a white band below them holds
 * the captions (scaled with the panels' height, cut at the panel's width). All panels must have
 * the first one's height.
 */
export function captionedStrip(panels: { image: RGBImage; caption: string }[]): RGBImage {
  const { height } = panels[0].image;
  if (panels.some((p) => p.image.height !== height)) throw new RangeError("captionedStrip: every panel needs the same height");
  // 1 dot per pixel up to 128 rows, then one more per 128 rows: readable at 64² and at 1024²
  const scale = Math.max(1, Math.floor(height / 128));
  const band = captioned(panels) ? (GLYPH_HEIGHT + 4) * scale : 0;
  const width = panels.reduce((w, p) => w + p.image.width, 0) + STRIP_GAP * (panels.length - 1);
  // row-major [height + band][width][3], white
  const data = new Float32Array(width * (height + band) * 3).fill(1);
  const strip = { width, height: height + band, data };
  let x0 = 0;
  for (const { image, caption } of panels) {
    for (let y = 0; y < height; y++) data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), (y * width + x0) * 3);
    // as many characters as fit the panel's width after a one-dot indent: fit·6·scale ≤ width
    const fit = Math.floor(image.width / scale / ADVANCE);
    drawText(strip, caption.slice(0, fit), x0 + scale, height + 2 * scale, scale);
    x0 += image.width + STRIP_GAP;
  }
  return strip;
}

const captioned = (panels: { caption: string }[]) => panels.some((p) => p.caption.length > 0);
