/**
 * @module
 * The training loop that `fit` (in memory) and `runTraining` (with files) share: a session holds
 * the trainer, every pixel's inputs and targets, the shuffle generator and the history; one call
 * of {@link trainOneEpoch} trains one epoch (or the rest of one) and can stop after any batch.
 * Browser-safe: no file, no Node module.
 */

import { requireBackend } from "../backends/registry.js";
import type { LayerWeights, OptimizerSnapshot, Trainer } from "../backends/types.js";
import type { Config } from "../config.js";
import { createEncoder, type Encoder, imageInputs, STORED_INPUTS_MAX_BYTES } from "../encoding/encoder.js";
import { EncodedOnDemand, type NetworkInputs } from "../encoding/inputs.js";
import { pixelCoordinates } from "../encoding/normalize.js";
import { CoordnetError } from "../errors.js";
import { split as drawSplit, type HoldoutSplit, pixelError } from "../holdout.js";
import type { RGBImage } from "../image/png.js";
import type { EpochRecord, TrainingPosition } from "../io/model-file.js";
import { initialWeights, networkSpec } from "../network.js";
import { Rng, type RngState } from "../reference/rng.js";
import { stepLR } from "../reference/schedule.js";
import { epochOrder } from "../reference/shuffle.js";
import { advanceSape, type SapeTraining, sapeInputs } from "./sape.js";

/**
 * What a session starts from.
 *
 * @group Training loop
 */
export interface SessionOptions {
  /** the resolved config */
  readonly config: Config;
  /** the target image, at training size */
  readonly image: RGBImage;
  /** registry name of the backend, or `auto` */
  readonly backend: string;
  /** stored encoded inputs up to this many bytes, wider ones encoded a batch at a time */
  readonly storedInputsMaxBytes?: number;
  /** continue from here: weights, Adam's state, the Gaussian matrix and the position */
  readonly resume?: {
    /** the weights to continue from */
    readonly weights: LayerWeights[];
    /** Adam's moments and step count */
    readonly optimizer: OptimizerSnapshot;
    /** the Gaussian encoding's matrix B, or null for the other encodings */
    readonly matrix: Float32Array | null;
    /** where the run stood */
    readonly state: TrainingState;
  };
}

/**
 * Where a training run stands, enough to continue it bit for bit (a checkpoint's position, less its run setup).
 *
 * @group Training loop
 */
export type TrainingState = Omit<TrainingPosition, "run">;

/**
 * Training diverged: a loss, a weight, one of Adam's moments or a prediction of the network is not
 * finite. Never a result: `fit` rejects with it and `coordnet train` exits 1 with it, before any
 * file that would present the run as done.
 *
 * @example
 * ```ts
 * try { await fit(image, { lr: 10 }); } catch (e) { if (e instanceof DivergenceError) console.error(e.message); }
 * ```
 */
export class DivergenceError extends CoordnetError {
  override readonly exitCode = 1;
}

/** The error for a run that diverged in (1-based) epoch `epoch`: `what` says which value is not finite. */
export function divergence(epoch: number, what: string): DivergenceError {
  return new DivergenceError(`training diverged in epoch ${epoch}: ${what}; try a lower learning rate`);
}

/** "layers.1.weight[3] is NaN" for the first weight or bias that is not finite, or null when all are. */
export function nonFiniteWeight(weights: readonly LayerWeights[]): string | null {
  for (let l = 0; l < weights.length; l++)
    for (const [name, data] of [
      ["weight", weights[l].weight],
      ["bias", weights[l].bias],
    ] as const) {
      const k = firstNonFinite(data);
      if (k >= 0) return `layers.${l}.${name}[${k}] is ${data[k]}`;
    }
  return null;
}

function firstNonFinite(data: ArrayLike<number>): number {
  for (let k = 0; k < data.length; k++) if (!Number.isFinite(data[k])) return k;
  return -1;
}

/**
 * A training run in memory: the trainer, the data, and where it stands.
 *
 * @group Training loop
 */
export interface TrainingSession {
  /** the resolved config */
  readonly config: Config;
  /** the trainer (owns the weights and Adam's state) */
  readonly trainer: Trainer;
  /** the encoder (its Gaussian matrix is part of the model) */
  readonly encoder: Encoder;
  /** every pixel's inputs, row-major [N][features] (or encoded on demand) */
  readonly inputs: NetworkInputs;
  /** every pixel's colour, row-major [N][3] */
  readonly targets: Float32Array;
  /** the pixels trained on and those held out (`config.training.holdout`), or null when every pixel trains */
  readonly split: HoldoutSplit | null;
  /** samples per epoch: the pixels trained on (the image's, less any held out) */
  readonly samples: number;
  /** batch size (at most the sample count) */
  readonly batch: number;
  /**
   * SAPE runs: the coordinates and unmasked features its progression updates need; null otherwise
   * (the loop's own bookkeeping, so left out of the API docs)
   *
   * @internal
   */
  readonly sape: SapeTraining | null;
  /** where the run stands (replaced after each call of {@link trainOneEpoch}) */
  state: TrainingState;
}

/**
 * Set up a run: the backend's trainer with the config's initial weights (or the resumed ones),
 * and every pixel's inputs and targets.
 *
 * @example
 * ```ts
 * const session = await startSession({ config, image, backend: "auto" });
 * ```
 *
 * @group Training loop
 */
export async function startSession(options: SessionOptions): Promise<TrainingSession> {
  const { config, image, resume } = options;
  const { holdout, seed } = config.training;
  // a holdout's split is drawn from the config alone, so a resumed run trains on the same pixels
  const split = holdout === undefined ? null : drawSplit(holdout, image.width, image.height, seed);
  const samples = split === null ? image.width * image.height : split.train.length;
  const encoder = createEncoder(config.encoding, config.training.seed, resume?.matrix ?? undefined);
  const batch = Math.min(config.training.batchSize, samples); // a batch larger than the training pixels is all of them
  const backend = await requireBackend(options.backend);
  const trainer = await backend.create({
    spec: networkSpec(config),
    adam: config.optimizer,
    weights: resume?.weights ?? initialWeights(config),
    maxBatch: batch,
  });
  let inputs: NetworkInputs;
  let sape: SapeTraining | null = null;
  try {
    if (config.encoding.type === "sape") {
      // masked on the host (training/sape.ts): stored when one copy fits the limit, as for every
      // encoding — SAPE then keeps two, the masked and the unmasked (at 256×256: 2 × 135 MB); a copy
      // holds every pixel's features, held-out ones too, so the limit is weighed on the whole image
      // (as imageInputs and the CLI's preflight weigh it), not on the training pixels
      const stored = 4 * image.width * image.height * encoder.features <= (options.storedInputsMaxBytes ?? STORED_INPUTS_MAX_BYTES);
      ({ inputs, sape } = sapeInputs(encoder, pixelCoordinates(image.width, image.height, config.encoding.range) as Float32Array, stored));
    } else {
      // stored inputs encoded by the trainer's kernels where it has them (the same bits as the encoder's)
      const encode = trainer.encode?.bind(trainer);
      const encodeWith: Encoder = encode ? { ...encoder, encode: (p, out, n) => encode(encoder, p as Float32Array, out as Float32Array, n) } : encoder;
      inputs = imageInputs(encodeWith, image.width, image.height, options.storedInputsMaxBytes);
      // inputs encoded on demand keep the encoder itself (the trainer's batches encode in its kernels anyway)
      if (inputs instanceof EncodedOnDemand) inputs = new EncodedOnDemand(inputs.coords, encoder);
    }
  } catch (e) {
    await trainer.dispose();
    throw e;
  }
  if (resume) trainer.setOptimizerState(resume.optimizer);
  const state: TrainingState = resume?.state ?? {
    epoch: 0,
    next: 0,
    lossSum: 0,
    rngState: new Rng(config.training.seed, "shuffle").state(),
    history: [],
    seconds: 0,
  };
  return { config, trainer, encoder, inputs, targets: image.data, split, samples, batch, state, sape };
}

const orders = new WeakMap<TrainingSession, { epoch: number; order: Uint32Array; after: RngState }>();

/**
 * What one call of {@link trainOneEpoch} did.
 *
 * @group Training loop
 */
export interface EpochOutcome {
  /** the epoch that was completed, or null when it stopped part-way */
  readonly completed: EpochRecord | null;
  /** samples trained in this call */
  readonly samplesTrained: number;
}

/**
 * Train the session's current epoch from where it stands: shuffle (from the generator state at
 * the epoch's start, so a resumed epoch sees the same order), then batches until the epoch ends or
 * `afterBatch` returns true. Updates `session.state`.
 *
 * @throws {@link DivergenceError} when the loss (so far, or of the epoch) or, at the epoch's end, a
 *   weight is not finite: a step that ends the epoch (or the run) with NaN weights still reports the
 *   finite loss it computed before its update
 *
 * @example
 * ```ts
 * while (session.state.epoch < config.training.epochs) await trainOneEpoch(session);
 * ```
 *
 * @group Training loop
 */
export async function trainOneEpoch(session: TrainingSession, afterBatch?: (next: number) => boolean): Promise<EpochOutcome> {
  const { config, trainer, samples } = session;
  const start = session.state;
  const lr = stepLR(config.optimizer.lr, start.epoch, config.schedule.every, config.schedule.factor);
  // the epoch's order, drawn once per epoch (a call that continues an epoch reuses it)
  let drawn = orders.get(session);
  if (drawn === undefined || drawn.epoch !== start.epoch || start.next === 0) {
    const rng = Rng.fromState(start.rngState);
    const order = epochOrder(samples, rng, drawn?.order);
    // with a holdout, position k of the epoch is training pixel train[order[k]]: a shuffle of those alone
    const train = session.split?.train;
    if (train !== undefined) for (let k = 0; k < order.length; k++) order[k] = train[order[k]];
    drawn = { epoch: start.epoch, order, after: rng.state() };
    orders.set(session, drawn);
  }
  const { order } = drawn;
  const started = performance.now();
  const progress = await trainer.epoch(session.inputs, session.targets, order, session.batch, lr, { from: start.next, lossSum: start.lossSum, afterBatch });
  const seconds = (performance.now() - started) / 1000;
  const samplesTrained = progress.next - start.next;
  // losses are ≥ 0: once the sum is NaN or ∞ the epoch's loss is too, so say so now
  if (!Number.isFinite(progress.lossSum)) throw divergence(start.epoch + 1, `the loss is ${progress.lossSum}`);
  if (progress.next < samples) {
    session.state = { ...start, next: progress.next, lossSum: progress.lossSum, seconds: start.seconds + seconds };
    return { completed: null, samplesTrained };
  }
  const loss = progress.lossSum / samples;
  // each step's loss is taken before its update, so the last step's NaN weights show only here
  const bad = nonFiniteWeight(await trainer.getWeights());
  if (bad !== null) throw divergence(start.epoch + 1, bad);
  // SAPE: the progression moves between epochs (not after the last: the model keeps the mask it trained with); its time is the epoch's
  const sapeStarted = performance.now();
  if (session.sape !== null && start.epoch + 1 < config.training.epochs)
    await advanceSape(session.sape, trainer, session.inputs, session.targets, config.training.epochs, session.split?.train);
  // the epoch's seconds are all of its slices (a run is cut into many: progress, checkpoints, a
  // resume), so the total at this boundary less the total at the last one, which the history holds
  const total = start.seconds + seconds + (performance.now() - sapeStarted) / 1000;
  const before = start.history.reduce((sum, h) => sum + h.seconds, 0);
  const record: EpochRecord = { epoch: start.epoch + 1, loss, lr, seconds: Math.max(0, total - before) };
  session.state = { epoch: start.epoch + 1, next: 0, lossSum: 0, rngState: drawn.after, history: [...start.history, record], seconds: total };
  return { completed: record, samplesTrained };
}

/**
 * The network's image: predictions for every pixel, clamped to [0, 1].
 *
 * @example
 * ```ts
 * const image = await renderImage(trainer, imageInputs(encoder, 1024, 1024), 1024, 1024);
 * ```
 *
 * @group Training loop
 */
export async function renderImage(trainer: Trainer, inputs: NetworkInputs, width: number, height: number): Promise<RGBImage> {
  return clamped(await trainer.predict(inputs, width * height), width, height);
}

/** Predictions, row-major [height][width][3], clamped to [0, 1] in place. */
function clamped(data: Float32Array, width: number, height: number): RGBImage {
  for (let k = 0; k < data.length; k++) data[k] = Math.min(1, Math.max(0, data[k]));
  return { width, height, data };
}

/**
 * The session's network's image of its training image ({@link renderImage}), refusing a prediction
 * that is not finite (clamping would turn ∞ into 1 and keep NaN).
 *
 * @throws {@link DivergenceError}
 */
export async function renderSession(session: TrainingSession, width: number, height: number): Promise<RGBImage> {
  const data = await session.trainer.predict(session.inputs, width * height);
  const k = firstNonFinite(data);
  if (k >= 0) {
    const pixel = Math.floor(k / 3);
    throw divergence(Math.max(1, session.state.epoch), `the network's output at pixel (${pixel % width}, ${Math.floor(pixel / width)}) is ${data[k]}`);
  }
  return clamped(data, width, height);
}

/**
 * The end of a run: the network's image of the target, and its error, checked finite.
 *
 * @throws {@link DivergenceError}
 */
export async function finalImage(session: TrainingSession, target: RGBImage): Promise<{ image: RGBImage; metrics: RunMetrics }> {
  const image = await renderSession(session, target.width, target.height);
  const metrics = sessionError(session, image, target);
  // finite predictions clamped to [0, 1] give a finite MSE unless a target is not finite; say it all the same
  if (!Number.isFinite(metrics.mse)) throw divergence(Math.max(1, session.state.epoch), `the final MSE is ${metrics.mse}`);
  if (metrics.test !== null && !Number.isFinite(metrics.test.mse))
    throw divergence(Math.max(1, session.state.epoch), `the final MSE of the held-out pixels is ${metrics.test.mse}`);
  return { image, metrics };
}

/**
 * The error of the network's image of the session's target: over the pixels trained on, and over
 * the held-out ones when the run holds some out (the same prediction, clamped to [0, 1], for both).
 *
 * @example
 * ```ts
 * const { psnr, test } = sessionError(session, await renderSession(session, w, h), image);
 * ```
 */
export function sessionError(session: TrainingSession, image: RGBImage, target: RGBImage): RunMetrics {
  if (session.split === null) return { ...imageError(image, target), test: null };
  return { ...metrics(pixelError(image.data, target.data, session.split.train)), test: metrics(pixelError(image.data, target.data, session.split.test)) };
}

const metrics = (mse: number): ImageMetrics => ({ mse, psnr: 10 * Math.log10(1 / mse) });

/**
 * Image-level error metrics.
 *
 * @group Training loop
 */
export interface ImageMetrics {
  /** mean squared error over all pixels and channels */
  readonly mse: number;
  /** peak signal-to-noise ratio in dB, 10·log10(1/MSE) */
  readonly psnr: number;
}

/** A run's error: over the pixels it trained on (all of them without a holdout), and over the held-out ones. */
export interface RunMetrics extends ImageMetrics {
  /** the error over the held-out pixels; null when every pixel trained */
  readonly test: ImageMetrics | null;
}

/**
 * MSE between two same-size images and the PSNR it implies (peak 1).
 *
 * @example
 * ```ts
 * const { mse, psnr } = imageError(prediction, target);
 * ```
 *
 * @group Training loop
 */
export function imageError(a: RGBImage, b: RGBImage): ImageMetrics {
  let sum = 0;
  for (let k = 0; k < a.data.length; k++) sum += (a.data[k] - b.data[k]) ** 2;
  const mse = sum / a.data.length;
  return { mse, psnr: 10 * Math.log10(1 / mse) };
}
