/**
 * @module
 * `fit`: train a coordinate network on an image, in memory. No file is read or written; progress
 * comes through a callback, and an AbortSignal stops it.
 */

import { z } from "zod";
import { applyOverrides, type Config, type ConfigOverrides, OVERRIDE_KEYS } from "../config.js";
import { InvalidArgumentError, quote } from "../errors.js";
import { resample } from "../image/resample.js";
import { loadPreset } from "../presets.js";
import { finalImage, startSession, trainOneEpoch } from "../training/loop.js";
import { callback, checkArg, text, thrownText, whole } from "./args.js";
import { type ImageLike, toRGBImage } from "./image.js";
import { Model } from "./model.js";

/**
 * What `onEpoch` is told after each epoch.
 *
 * @group Training
 */
export interface EpochInfo {
  /** 1-based epoch just completed */
  readonly epoch: number;
  /** epochs in the run */
  readonly epochs: number;
  /** mean training loss of the epoch */
  readonly loss: number;
  /** learning rate of the epoch */
  readonly lr: number;
  /** seconds the epoch took */
  readonly seconds: number;
}

/**
 * A width and a height in pixels.
 *
 * @group Training
 */
export interface Size {
  /** pixels per row */
  readonly width: number;
  /** rows */
  readonly height: number;
}

/**
 * Options of {@link fit}. Every one is optional: the defaults are the study's network (4×128
 * ReLU, sigmoid output, inputs in [0,1], Adam 1e-3, batch 1024, 200 epochs). A `preset` (or a
 * `config` object) is the starting point; the other fields change it.
 *
 * @group Training
 */
export interface FitOptions extends ConfigOverrides {
  /** a preset to start from: `relu-sigmoid`, `positional`, `siren`, … (see `presetNames()`) */
  readonly preset?: string;
  /** a config object to start from (the JSON that `coordnet train --config` reads) */
  readonly config?: unknown;
  /** backend name, or `auto` (default): the fastest that runs here */
  readonly backend?: string;
  /** resample the image to this size before training (area averaging when shrinking) */
  readonly size?: Size;
  /** refuse images (after `size`) with more pixels (default 16 megapixels) */
  readonly maxPixels?: number;
  /** stops training after the current batch; `fit` then rejects with the signal's reason */
  readonly signal?: AbortSignal;
  /** called after each epoch (may return a Promise, which `fit` awaits) */
  readonly onEpoch?: (info: EpochInfo) => void | Promise<void>;
}

const KNOWN_OPTIONS = new Set<string>(["preset", "config", "backend", "size", "maxPixels", "signal", "onEpoch", ...OVERRIDE_KEYS]);

/** 16 megapixels, the command line's default limit too (DEFAULT_MAX_PIXELS of coordnet/node). */
const DEFAULT_MAX_PIXELS = 16_000_000;

/** The resolved config of a call's options (preset or config, then the changes). */
function configOf(options: FitOptions): Config {
  if (options.preset !== undefined && options.config !== undefined) throw new InvalidArgumentError("give fit a preset or a config, not both");
  const base = options.preset !== undefined ? loadPreset(options.preset).config : (options.config ?? {});
  return applyOverrides(base, options);
}

/** An AbortSignal, from this realm or another (what `fit` uses of it: `aborted` and `throwIfAborted`). */
const abortSignal = z.custom<AbortSignal>(
  (v) => v !== null && typeof v === "object" && typeof (v as AbortSignal).aborted === "boolean" && typeof (v as AbortSignal).throwIfAborted === "function",
  { error: "must be an AbortSignal (from an AbortController)" },
);

/** `fit`'s options, as far as they are not the config's (the config's fields are checked by `parseConfig`). */
const optionsSchema = z.looseObject({
  preset: text('must be a preset name such as "positional"').optional(),
  config: z.unknown().optional(),
  backend: text('must be a backend name such as "auto" or "wasm"').optional(),
  size: z.object({ width: whole(1, 65536), height: whole(1, 65536) }, { error: "must be { width, height } in pixels" }).optional(),
  maxPixels: z
    .number({ error: "must be a positive integer" })
    .int({ error: "must be a positive integer" })
    .min(1, { error: "must be a positive integer" })
    .optional(),
  signal: abortSignal.optional(),
  onEpoch: callback("must be a function").optional(),
});

/** The options, checked and copied (each getter read once). */
function check(options: unknown): FitOptions {
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new InvalidArgumentError(`fit's options must be an object, got ${quote(options)}`);
  let keys: string[];
  try {
    keys = Object.keys(options);
  } catch (e) {
    throw new InvalidArgumentError(`fit: options could not be read: ${thrownText(e)}`);
  }
  for (const key of keys)
    if (!KNOWN_OPTIONS.has(key)) throw new InvalidArgumentError(`fit has no option ${quote(key)}; options: ${[...KNOWN_OPTIONS].join(", ")}`);
  return checkArg("fit", "options", optionsSchema, options) as FitOptions;
}

/**
 * Train a coordinate network on an image, in memory, and return the {@link Model}.
 *
 * @param image - `{ width, height, data }` shaped like ImageData: RGBA or RGB, 8-bit or floats in [0, 1]
 * @throws InvalidArgumentError or ConfigError (one readable line) for bad options or images;
 *   BackendUnavailableError when the backend cannot run here; DivergenceError when a loss, a weight,
 *   a prediction or the final MSE is not finite (training diverged); the signal's reason when aborted
 *
 * @example
 * ```ts
 * const model = await fit(image, { preset: "positional", epochs: 50, backend: "auto", seed: 0,
 *                                  onEpoch: ({ epoch, loss }) => console.log(epoch, loss) });
 * model.training?.psnr; // e.g. 25.3 (dB)
 * // train on a quarter of the pixels (even x and y), test on the rest
 * const held = await fit(image, { preset: "positional", epochs: 50, holdout: "every-other" });
 * held.training?.testPsnr; // the PSNR of the pixels it never saw
 * ```
 *
 * @group Training
 */
export async function fit(image: ImageLike, fitOptions: FitOptions = {}): Promise<Model> {
  const options = check(fitOptions);
  const config = configOf(options);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  let target = toRGBImage(image, options.size === undefined ? maxPixels : Number.MAX_SAFE_INTEGER);
  if (options.size !== undefined) {
    const { width, height } = options.size;
    if (width * height > maxPixels)
      throw new InvalidArgumentError(`fit: options.size is ${width}×${height} = ${width * height} pixels, over the limit of ${maxPixels} (maxPixels)`);
    target = resample(target, width, height);
  }
  const { signal } = options;
  signal?.throwIfAborted();
  const session = await startSession({ config, image: target, backend: options.backend ?? "auto" });
  try {
    const { epochs } = config.training;
    while (session.state.epoch < epochs) {
      const { completed } = await trainOneEpoch(session, () => signal?.aborted ?? false);
      signal?.throwIfAborted();
      if (completed !== null) await options.onEpoch?.({ epoch: completed.epoch, epochs, loss: completed.loss, lr: completed.lr, seconds: completed.seconds });
    }
    const { mse, psnr, test } = (await finalImage(session, target)).metrics;
    const { history, seconds } = session.state;
    return new Model(config, await session.trainer.getWeights(), session.encoder.matrix as Float32Array | null, {
      backend: session.trainer.info,
      history,
      seconds,
      mse,
      psnr,
      ...(test === null ? {} : { testMse: test.mse, testPsnr: test.psnr }),
    });
  } finally {
    await session.trainer.dispose();
  }
}
