/**
 * @module
 * The schemas of `coordnet/node`'s entries (runs, the study, reports, checkpoints): what each
 * takes, checked before any file is touched. The pieces are `args.ts`'s and the config's.
 */

import { z } from "zod";
import { checkOptimizerState } from "../backends/checks.js";
import { type Config, parseConfig } from "../config.js";
import { CoordnetError, InvalidArgumentError, ModelFileError, quote } from "../errors.js";
import type { Checkpoint } from "../io/model-format.js";
import { checkPosition } from "../io/position.js";
import { networkSpec } from "../network.js";
import { anObject, callback, checkArg, checkModelParts, finite, flag, rgbImage, text, thrownText, whole } from "./args.js";

const num = z.custom<number>((v) => typeof v === "number", { error: "must be a number" });
const numOrNull = z.custom<number | null>((v) => v === null || typeof v === "number", { error: "must be a number or null" });
const bytes = z.number({ error: "must be a number of bytes ≥ 0" }).min(0, { error: "must be a number of bytes ≥ 0" });

/** `runTraining`'s options; the config and a checkpoint to resume are checked on their own (see {@link checkRunOptions}). */
const runOptions = z.strictObject(
  {
    config: anObject("must be a config object (see parseConfig)"),
    image: rgbImage,
    imageSource: text("must be a string saying where the image came from"),
    backend: text('must be a backend name such as "auto" or "wasm"'),
    outDir: text("must be a folder name"),
    snapshots: z.array(whole(1), { error: "must be a list of epochs (whole numbers ≥ 1)" }),
    version: text("must be a version string"),
    resume: anObject("must be a checkpoint (from loadCheckpoint)").optional(),
    force: flag().optional(),
    checkpointEvery: finite("must be a number of seconds ≥ 0").min(0, { error: "must be a number of seconds ≥ 0" }).optional(),
    shouldStop: callback().optional(),
    onProgress: callback().optional(),
    storedInputsMaxBytes: bytes.optional(),
  },
  { error: "must be the run's options { config, image, imageSource, backend, outDir, snapshots, version, … }" },
);

/** `runTraining`'s options checked: the fields, the config resolved, a checkpoint to resume checked whole. */
export function checkRunOptions<T extends { config: Config; resume?: Checkpoint }>(options: T): T {
  const checked = checkArg("runTraining", "options", runOptions, options) as unknown as T;
  const config = configOf("runTraining", checked.config);
  if (checked.resume !== undefined) checkCheckpoint("runTraining", "options.resume", checked.resume);
  return { ...checked, config };
}

const comparison = z.looseObject(
  {
    label: text("must be a non-empty string"),
    source: text("must be a string", true),
    width: whole(1),
    height: whole(1),
    epochs: whole(1),
    runs: z.array(z.looseObject({ name: text("must be a string", true), seed: whole(0), mse: num, psnr: num }), { error: "must be a list of runs" }),
  },
  { error: "must be a comparison (from parseComparison)" },
);

const paperOptions = z.strictObject(
  {
    image: rgbImage,
    imageSource: text("must be a string saying where the image came from"),
    epochs: whole(0, 1_000_000),
    backend: text('must be a backend name such as "wasm"'),
    outDir: text("must be a folder name"),
    version: text("must be a version string"),
    presets: z.array(text("must be a preset name"), { error: "must be a list of preset names" }).min(1, { error: "must name at least one preset" }).optional(),
    seeds: whole(1).optional(),
    compare: comparison.optional(),
    shouldStop: callback().optional(),
    onPreset: callback().optional(),
    onProgress: callback().optional(),
    storedInputsMaxBytes: bytes.optional(),
  },
  { error: "must be the study's options { image, imageSource, epochs, backend, outDir, version, … }" },
);

/** `runPaper`'s options checked. */
export function checkPaperOptions<T>(options: T): T {
  return checkArg("runPaper", "options", paperOptions, options) as T;
}

const spreadSchema = z
  .looseObject({ n: whole(0), mean: num, sd: numOrNull, min: num, max: num }, { error: "must be a spread { n, mean, sd, min, max } or null" })
  .nullable();

/** One (preset, seed) row of the study, as far as the reports read it. */
const row = z.looseObject(
  {
    preset: z.looseObject(
      {
        name: text("must be a string", true),
        title: text("must be a string", true),
        group: text("must be a string", true),
        note: text("must be a string", true),
      },
      { error: "must be a preset (from loadPreset)" },
    ),
    seed: whole(0),
    record: z.looseObject(
      {
        finalLoss: numOrNull,
        mse: numOrNull,
        psnr: numOrNull,
        trainingSeconds: num,
        backend: z.looseObject({ name: text("must be a string", true) }, { error: "must be { name }" }),
        history: z.array(z.looseObject({ epoch: num, loss: num }), { error: "must be a list of epoch records" }),
      },
      { error: "must be a run record (run.json)" },
    ),
    dir: text("must be a folder name", true),
  },
  { error: "must be a row { preset, seed, record, dir }" },
);

/** The schemas of the report functions' arguments, by function. */
export const reportArgs = {
  rows: z.array(row, { error: "must be a list of rows { preset, seed, record, dir }" }),
  stats: z.array(
    z.looseObject(
      {
        name: text("must be a string", true),
        title: text("must be a string", true),
        group: text("must be a string", true),
        seeds: z.array(num, { error: "must be a list of seeds" }),
        mse: spreadSchema,
        psnr: spreadSchema,
        seconds: num,
        backend: text("must be a string", true),
      },
      { error: "must be preset statistics (from presetStats)" },
    ),
    { error: "must be a list of preset statistics (from presetStats)" },
  ),
  values: z.array(numOrNull, { error: "must be a list of numbers (or nulls)" }),
  spread: spreadSchema,
  report: z.looseObject(
    {
      outDir: text("must be a folder name"),
      rows: z.array(row, { error: "must be a list of rows" }).min(1, { error: "must hold at least one row" }),
      snapshotEpochs: z.array(whole(1), { error: "must be a list of epochs" }),
      sourcePng: text("must be a file name"),
      image: z.looseObject({ source: text("must be a string", true), width: whole(1), height: whole(1) }, { error: "must be { source, width, height }" }),
      generator: text("must be a string", true),
      compare: comparison.optional(),
    },
    { error: "must be the report's input { outDir, rows, snapshotEpochs, sourcePng, image, generator }" },
  ),
  epochs: finite("must be a finite number of epochs"),
  epoch: whole(0),
  string: text("must be a string", true),
  path: text("must be a path (a non-empty string)"),
  version: text("must be a version string"),
};

/** A config, resolved, for `fn` (a {@link ConfigError} names the field). */
function configOf(fn: string, config: unknown): Config {
  try {
    return parseConfig(config);
  } catch (e) {
    throw new InvalidArgumentError(`${fn}: options.config is not a valid config: ${(e as Error).message}`);
  }
}

/**
 * A checkpoint as `saveCheckpoint` writes and `runTraining` resumes it, checked whole: its config,
 * weights and Gaussian matrix (as a model's), Adam's state against the network, and the training
 * position against the config.
 *
 * @throws {@link InvalidArgumentError} naming `fn`, `what` and the field
 */
export function checkCheckpoint(fn: string, what: string, checkpoint: unknown): void {
  if (checkpoint === null || typeof checkpoint !== "object")
    throw new InvalidArgumentError(`${fn}: ${what} must be a checkpoint (from loadCheckpoint), got ${quote(checkpoint)}`);
  try {
    const c = checkpoint as Checkpoint;
    const config = parseConfig(c.config);
    checkModelParts(config, c.weights, c.matrix);
    const spec = networkSpec(config);
    checkOptimizerState(spec, c.optimizer);
    if (c.position === null || typeof c.position !== "object") throw new ModelFileError(`its position is ${quote(c.position)}, not an object`);
    checkPosition({ ...c.position, adamStep: c.optimizer.step }, config);
  } catch (e) {
    if (e instanceof CoordnetError) throw new InvalidArgumentError(`${fn}: ${what}: ${e.message}`);
    throw new InvalidArgumentError(`${fn}: ${what} could not be read: ${thrownText(e)}`);
  }
}
