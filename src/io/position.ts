/**
 * @module
 * A checkpoint's training position: what it holds (the epoch, the place in it, the shuffle's state,
 * the history, the run's setup) and its check (every field typed and in range, and agreeing with
 * the config). The checks of weights and Adam moments are the trainer boundary's
 * (`backends/checks.ts`), shared with every backend. Browser-safe; the file readers
 * (`model-file.ts`) add the file's name to the message.
 */

import { z } from "zod";
import type { Config } from "../config.js";
import { ModelFileError } from "../errors.js";
import { counts } from "../holdout.js";
import type { RngState } from "../reference/rng.js";

/** One epoch of training history. */
export interface EpochRecord {
  /** 1-based epoch number */
  readonly epoch: number;
  /** mean training loss over the epoch's samples */
  readonly loss: number;
  /** learning rate used */
  readonly lr: number;
  /** seconds the epoch took */
  readonly seconds: number;
  /** PSNR (dB) over the pixels trained on, after this epoch: at the snapshot epochs of a run that holds pixels out (absent where an exact fit made it infinite) */
  readonly psnr?: number;
  /** PSNR (dB) over the held-out pixels, after this epoch: at the snapshot epochs of a run that holds pixels out (absent where infinite) */
  readonly testPsnr?: number;
}

/** Where an interrupted run stands, to continue it exactly. */
export interface TrainingPosition {
  /** 0-based epoch in progress */
  readonly epoch: number;
  /** position within that epoch's order (a multiple of the batch size) */
  readonly next: number;
  /** Σ batch loss × batch size over the part of the epoch already done */
  readonly lossSum: number;
  /** the shuffle generator's state before this epoch's order was drawn */
  readonly rngState: RngState;
  /** the completed epochs */
  readonly history: EpochRecord[];
  /** training seconds spent so far */
  readonly seconds: number;
  /** what the run was trained on: image path, size, backend, snapshots */
  readonly run: RunSetup;
}

/** The parts of a run that are not in its config, kept in checkpoints so `--resume` needs nothing else. */
export interface RunSetup {
  /** image path, or `default` */
  readonly image: string;
  /** training width */
  readonly width: number;
  /** training height */
  readonly height: number;
  /** backend name */
  readonly backend: string;
  /** snapshot epochs */
  readonly snapshots: number[];
  /** SHA-256 of the training image's pixels (absent in checkpoints of coordnet 0.1) */
  readonly imageHash?: string;
}

const whole = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min)
    .max(max);
const finiteAtLeast0 = () => z.number({ error: "must be a finite number ≥ 0" }).min(0, { error: "must be a finite number ≥ 0" }).finite();

const positionSchema = z.looseObject({
  epoch: whole(0),
  next: whole(0),
  lossSum: finiteAtLeast0(),
  rngState: z
    .array(whole(0, 0xffffffff), { error: "must be 4 whole numbers from 0 to 4294967295" })
    .length(4, { error: "must be 4 whole numbers from 0 to 4294967295" })
    .refine((s) => s.some((w) => w !== 0), { error: "must not be all zeros (xoshiro128** would only ever return 0)" }),
  history: z.array(
    z.looseObject({
      epoch: whole(1),
      loss: finiteAtLeast0(),
      lr: z.number({ error: "must be a finite number > 0" }).positive({ error: "must be a finite number > 0" }).finite(),
      seconds: finiteAtLeast0(),
      psnr: z.number({ error: "must be a finite number" }).finite().optional(),
      testPsnr: z.number({ error: "must be a finite number" }).finite().optional(),
    }),
    { error: "must be a list of epoch records" },
  ),
  seconds: finiteAtLeast0(),
  run: z.looseObject({
    image: z.string({ error: "must be a file name" }).min(1, { error: "must be a file name" }),
    width: whole(1, 65536),
    height: whole(1, 65536),
    backend: z.string({ error: "must be a backend name" }).min(1, { error: "must be a backend name" }),
    snapshots: z.array(whole(1), { error: "must be a list of epochs" }),
  }),
  adamStep: whole(0),
});

/**
 * Check a checkpoint's training state (parsed JSON) against its config: every field typed and in
 * range (epoch within the run, position within the epoch at a batch boundary, a usable RNG state,
 * one history record per completed epoch, a training size of whole pixels, Adam's step count equal
 * to the batches trained up to the position). Returns it typed.
 *
 * @throws {@link ModelFileError} naming the field
 *
 * @example
 * ```ts
 * const { adamStep, ...position } = checkPosition(JSON.parse(metadata.state), config);
 * ```
 */
export function checkPosition(state: unknown, config: Config): TrainingPosition & { adamStep: number } {
  if (state === null || typeof state !== "object" || Array.isArray(state)) throw new ModelFileError("its training state is not a JSON object");
  const result = positionSchema.safeParse(state);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.map(String).join(".");
    throw new ModelFileError(`its training state's ${where || "value"} ${issue.message}`);
  }
  const p = result.data;
  // an epoch goes over the pixels trained on: all of them, or those a holdout leaves
  let pixels: number;
  try {
    pixels = counts(config.training.holdout, p.run.width, p.run.height).train;
  } catch (e) {
    throw new ModelFileError(`its training size ${p.run.width}×${p.run.height} cannot hold pixels out: ${(e as Error).message}`);
  }
  const batch = Math.min(config.training.batchSize, pixels);
  const { epochs } = config.training;
  if (p.epoch > epochs) throw new ModelFileError(`its training state's epoch is ${p.epoch}, past the run's ${epochs} epochs`);
  if (p.next >= pixels || p.next % batch !== 0)
    throw new ModelFileError(
      `its training state's position ${p.next} is not a batch boundary (a multiple of ${batch}) within the ${pixels} pixels of an epoch`,
    );
  if (p.history.length !== p.epoch || p.history.some((h, i) => h.epoch !== i + 1))
    throw new ModelFileError(`its training state's history does not list epochs 1 to ${p.epoch} in order`);
  if (p.run.snapshots.some((s) => s > epochs)) throw new ModelFileError(`its training state asks for snapshots after epoch ${epochs}, the last`);
  // Adam counts one step per batch: ⌈pixels / batch⌉ a (whole) epoch, next / batch into this one
  const steps = p.epoch * Math.ceil(pixels / batch) + p.next / batch;
  if (p.adamStep !== steps)
    throw new ModelFileError(
      `its training state's adamStep is ${p.adamStep}, but ${p.epoch} epochs of ${Math.ceil(pixels / batch)} batches and ${p.next / batch} more make ${steps}: Adam's step count must be the batches trained`,
    );
  return { ...p, rngState: p.rngState as [number, number, number, number] };
}
