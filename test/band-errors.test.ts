// bandErrors: imageSpectrum's column for one prediction (the playground's live heatmap draws it).
import { describe, expect, it } from "vitest";
import { bandErrors, InvalidArgumentError } from "../dist/index.js";

/** A 16×12 RGB image of a few sinusoids and noise-free ramps, row-major [H][W][3]. */
function image(width: number, height: number): Float32Array {
  return Float32Array.from({ length: width * height * 3 }, (_, k) => {
    const p = Math.floor(k / 3);
    const x = p % width;
    const y = Math.floor(p / width);
    return 0.5 + 0.2 * Math.sin((2 * Math.PI * (x + 2 * (k % 3))) / width) + 0.1 * Math.cos((2 * Math.PI * 5 * y) / height) + 0.01 * x;
  });
}

describe("bandErrors", () => {
  const [W, H] = [16, 12];
  const target = image(W, H);

  it("is 0 in every band for the target itself, and 1 for its mean colour (the constant term is in no band)", () => {
    expect(bandErrors(target, target, W, H, 4)).toEqual([0, 0, 0, 0]);
    const mean = [0, 1, 2].map((c) => target.filter((_, k) => k % 3 === c).reduce((s, v) => s + v, 0) / (W * H));
    const flat = Float32Array.from(target, (_, k) => mean[k % 3]);
    // f − y = mean − y: its DFT is −DFT(y) off the constant term, so every band's ratio is 1
    for (const v of bandErrors(flat, target, W, H, 4)) expect(v).toBeCloseTo(1, 5);
  });

  it("scales with the error: half the target's deviation left unlearnt is 0.5 in every band", () => {
    const half = Float32Array.from(target, (v) => v + 0.5 * (0.5 - v));
    const errors = bandErrors(half, target, W, H, 8);
    expect(errors).toHaveLength(8);
    // f − y = 0.5·(0.5 − y): −0.5·DFT(y) off the constant term, in every band with energy
    for (const v of errors.filter(Number.isFinite)) expect(v).toBeCloseTo(0.5, 5);
  });

  it("refuses a size that does not match, and bands out of range, in one line", () => {
    expect(() => bandErrors(target, target, W + 1, H)).toThrow(InvalidArgumentError);
    expect(() => bandErrors(target, target, W, H, 0)).toThrow(/bands must be a whole number from 1 to 64/);
    expect(() => bandErrors(target.subarray(3), target, W, H)).toThrow(/must each hold 16×12×3 = 576 numbers/);
  });
});
