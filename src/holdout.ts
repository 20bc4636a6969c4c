/**
 * @module
 * Held-out pixels: which pixels of an image a run trains on and which it keeps back to test
 * whether the network generalises between them. Training error alone rewards memorisation; the
 * error on pixels the network never saw is what "render at any resolution" relies on.
 *
 * Two protocols:
 * - `"every-other"` (Tancik et al. 2020): train on the pixels with even x and even y (a quarter of
 *   the image, a half-resolution grid), test on all the others;
 * - a fraction F in (0, 1): round(F·N) pixels of the N, drawn at random from the run's seed (its own
 *   `holdout` stream, so the split never shifts the weights' or the shuffle's numbers), are held out.
 *
 * Browser-safe: no file, no Node module.
 */

import type { Holdout } from "./config.js";
import { InvalidArgumentError, quote } from "./errors.js";
import { Rng } from "./reference/rng.js";
import { didYouMean } from "./suggest.js";

/** The most pixels a split is drawn for: 64 megapixels (four times the command line's default image limit). */
const MAX_PIXELS = 2 ** 26;

/** The arguments of the public functions, checked before anything is allocated. */
function checkArgs(fn: string, holdout: unknown, width: unknown, height: unknown): void {
  if (holdout !== undefined && holdout !== "every-other" && !(typeof holdout === "number" && holdout > 0 && holdout < 1))
    throw new InvalidArgumentError(
      `${fn}: holdout must be "every-other" or a fraction in (0, 1), got ${quote(holdout)}${didYouMean(holdout, ["every-other"])}`,
    );
  for (const [name, v] of [
    ["width", width],
    ["height", height],
  ] as const)
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1)
      throw new InvalidArgumentError(`${fn}: ${name} must be a whole number ≥ 1, got ${quote(v)}`);
  if ((width as number) * (height as number) > MAX_PIXELS)
    throw new InvalidArgumentError(`${fn}: ${width}×${height} is more than ${MAX_PIXELS} pixels (64 megapixels)`);
}

/**
 * Which pixels train and which test: indices `y·W + x` into the image, each list ascending.
 *
 * @group Training
 */
export interface HoldoutSplit {
  /** the pixels trained on, ascending */
  readonly train: Uint32Array;
  /** the held-out pixels, ascending (empty without a holdout) */
  readonly test: Uint32Array;
}

/**
 * How many pixels of a `width`×`height` image train and how many are held out, without drawing the
 * split (what a checkpoint's check and a memory estimate need).
 *
 * @throws {@link InvalidArgumentError} for an image too small to hold a pixel out and keep one to train on
 *
 * @example
 * ```ts
 * holdoutCounts("every-other", 256, 256); // { train: 16384, test: 49152 }
 * holdoutCounts(0.1, 100, 100); // { train: 9000, test: 1000 }
 * ```
 *
 * @group Training
 */
export function holdoutCounts(
  holdout: Holdout | undefined,
  width: number,
  height: number,
): {
  /** pixels trained on */
  train: number;
  /** pixels held out */
  test: number;
} {
  checkArgs("holdoutCounts", holdout, width, height);
  return counts(holdout, width, height);
}

/**
 * {@link holdoutCounts} for sizes already checked (a checkpoint's, a session's): no limit on the
 * pixels, which the caller's own check names better.
 */
export function counts(holdout: Holdout | undefined, width: number, height: number): { train: number; test: number } {
  const pixels = width * height;
  if (holdout === undefined) return { train: pixels, test: 0 };
  if (pixels < 2)
    throw new InvalidArgumentError(`holdout ${holdout} needs an image of at least 2 pixels, to train on one and test on another; got ${width}×${height}`);
  // even x and even y: ⌈W/2⌉ columns of ⌈H/2⌉ rows
  const train = holdout === "every-other" ? Math.ceil(width / 2) * Math.ceil(height / 2) : pixels - heldOut(holdout, pixels);
  return { train, test: pixels - train };
}

/** Pixels a fraction `f` holds out of `pixels`: round(f·N), at least one, and at least one left to train on. */
function heldOut(f: number, pixels: number): number {
  return Math.min(pixels - 1, Math.max(1, Math.round(f * pixels)));
}

/**
 * The split of a `width`×`height` image's pixels for a `holdout` setting; every pixel trains when
 * it is undefined. The same (holdout, size, seed) always gives the same split, on every machine.
 *
 * @param seed - the run's seed (`config.training.seed`); only a fraction draws from it
 * @throws {@link InvalidArgumentError} for an image too small to hold a pixel out and keep one to train on
 *
 * @example
 * ```ts
 * const { train, test } = holdoutSplit("every-other", 4, 2); // train [0, 2], test [1, 3, 4, 5, 6, 7]
 * ```
 *
 * @group Training
 */
export function holdoutSplit(holdout: Holdout | undefined, width: number, height: number, seed: number): HoldoutSplit {
  checkArgs("holdoutSplit", holdout, width, height);
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new InvalidArgumentError(`holdoutSplit: seed must be a whole number from 0 to 4294967295, got ${quote(seed)}`);
  return split(holdout, width, height, seed);
}

/** {@link holdoutSplit} for a config and an image already checked (a training session's): no limit on the pixels. */
export function split(holdout: Holdout | undefined, width: number, height: number, seed: number): HoldoutSplit {
  const pixels = width * height;
  const { train: trainCount, test: testCount } = counts(holdout, width, height);
  // held[k] = 1 when pixel k = y·W + x is held out
  const held = new Uint8Array(pixels);
  if (holdout === "every-other") {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) held[y * width + x] = x % 2 === 1 || y % 2 === 1 ? 1 : 0;
  } else if (holdout !== undefined) {
    // the first round(F·N) pixels of a seeded permutation of all of them
    const order = new Rng(seed, "holdout").shuffle(Uint32Array.from({ length: pixels }, (_, k) => k));
    for (let k = 0; k < testCount; k++) held[order[k]] = 1;
  }
  const train = new Uint32Array(trainCount);
  const test = new Uint32Array(testCount);
  let a = 0;
  let b = 0;
  for (let k = 0; k < pixels; k++) {
    if (held[k] === 1) test[b++] = k;
    else train[a++] = k;
  }
  return { train, test };
}

/**
 * Mean squared error of a prediction over some pixels: Σ over those pixels and their 3 channels of
 * (prediction − target)², divided by 3 × their count.
 *
 * @param prediction - row-major [pixels][3]
 * @param target - row-major [pixels][3]
 * @param pixels - the pixel indices to average over
 *
 * @example
 * ```ts
 * const testMse = pixelError(prediction.data, image.data, split.test);
 * ```
 *
 * @group Training
 */
export function pixelError(prediction: Float32Array, target: Float32Array, pixels: Uint32Array): number {
  let sum = 0;
  // Σₖ Σ_c (p[k][c] − t[k][c])² over the chosen pixels k
  for (const k of pixels) for (let c = 0; c < 3; c++) sum += (prediction[k * 3 + c] - target[k * 3 + c]) ** 2;
  return sum / (3 * pixels.length);
}
