/**
 * @module
 * A training run: data set from an image, the epoch loop with its schedule and seeded shuffles,
 * snapshots, final metrics, and every output file written whole.
 *
 * Files written to the output folder:
 * - `run.json`: resolved config, backend that ran, per-epoch history, final loss, MSE, PSNR, seconds
 * - `model.safetensors`: the trained weights (PyTorch layout) with the config in its metadata
 * - `epoch-NNNN.png`: the network's image after the chosen epochs
 * - `final.png`: the network's image after training
 * - `loss.svg`: the loss curve (log scale)
 * - `checkpoint.safetensors`: only while a run is interrupted; removed when it completes
 */

import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { requireBackend, type Trainer } from "../backends/registry.js";
import type { Config } from "../config.js";
import { createEncoder, imageInputs, type NetworkInputs, type STORED_INPUTS_MAX_BYTES } from "../encoding/index.js";
import { encodePNG, type RGBImage } from "../image/png.js";
import { writeFileAtomic } from "../io/atomic.js";
import { type Checkpoint, type EpochRecord, saveCheckpoint, saveModel, type TrainingPosition } from "../io/model-file.js";
import { initialWeights, networkSpec } from "../model.js";
import { Rng, type RngState } from "../reference/rng.js";
import { stepLR } from "../reference/schedule.js";
import { lossChart } from "../report/plot.js";
import { epochOrder } from "./shuffle.js";

/** Longest stretch of training between two looks at the event loop (signals, timers). */
const SLICE_MS = 100;

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What a run needs. */
export interface RunOptions {
  /** the fully resolved config */
  readonly config: Config;
  /** the target image, already at training size */
  readonly image: RGBImage;
  /** where the image came from (recorded in run.json) */
  readonly imageSource: string;
  /** registry name of the backend to train on */
  readonly backend: string;
  /** output folder (created if missing) */
  readonly outDir: string;
  /** 1-based epochs after which to write `epoch-NNNN.png` */
  readonly snapshots: readonly number[];
  /** coordnet's version, written into files */
  readonly version: string;
  /** continue from this checkpoint instead of starting afresh */
  readonly resume?: Checkpoint;
  /** asked after every batch: return true to stop, checkpoint and return (Ctrl-C) */
  readonly shouldStop?: () => boolean;
  /** told about progress: samples done of the total, the current epoch, the last epoch's loss */
  readonly onProgress?: (p: Progress) => void;
  /**
   * keep the encoded inputs in memory up to this many bytes; wider encodings are encoded a batch
   * at a time (default {@link STORED_INPUTS_MAX_BYTES})
   */
  readonly storedInputsMaxBytes?: number;
}

/** Progress of a run, for a progress bar. */
export interface Progress {
  /** samples processed so far, over all epochs */
  readonly samplesDone: number;
  /** samples the whole run processes */
  readonly samplesTotal: number;
  /** 1-based epoch in progress */
  readonly epoch: number;
  /** epochs in the run */
  readonly epochs: number;
  /** mean loss of the last completed epoch (NaN before the first) */
  readonly loss: number;
  /** training samples per second so far */
  readonly samplesPerSecond: number;
}

/** Which image a run learned, at which size. */
export interface ImageInfo {
  /** image path, or `default` for the built-in photograph */
  readonly source: string;
  /** training width */
  readonly width: number;
  /** training height */
  readonly height: number;
}

/** The backend that ran. */
export interface BackendRecord {
  /** registry name */
  readonly name: string;
  /** executor, adapter and the like */
  readonly details: Readonly<Record<string, string>>;
}

/** Image-level error metrics. */
export interface ImageMetrics {
  /** mean squared error over all pixels and channels */
  readonly mse: number;
  /** peak signal-to-noise ratio in dB, 10·log10(1/MSE) */
  readonly psnr: number;
}

/** The record of a run, written as `run.json` (and printed by `--json`). */
export interface RunRecord {
  /** `complete`, or `interrupted` (a checkpoint was written) */
  readonly status: "complete" | "interrupted";
  /** coordnet's version */
  readonly version: string;
  /** image path (or `default`) and training size */
  readonly image: ImageInfo;
  /** the fully resolved config */
  readonly config: Config;
  /** the backend that actually ran, and its details (executor, adapter) */
  readonly backend: BackendRecord;
  /** one entry per completed epoch */
  readonly history: EpochRecord[];
  /** mean training loss of the last epoch (null with 0 epochs) */
  readonly finalLoss: number | null;
  /** MSE of the whole image, prediction clamped to [0, 1] (complete runs) */
  readonly mse: number | null;
  /** PSNR in dB, 10·log10(1/MSE) (complete runs) */
  readonly psnr: number | null;
  /** seconds spent in training epochs (excluding snapshots and file writing) */
  readonly trainingSeconds: number;
  /** files written, relative to the output folder */
  readonly files: string[];
}

/**
 * Training produced a non-finite loss.
 *
 * @example
 * ```ts
 * try { await runTraining(options); } catch (e) { if (e instanceof DivergenceError) console.error(e.message); }
 * ```
 */
export class DivergenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DivergenceError";
  }
}

/**
 * The network's image: predictions for every pixel, clamped to [0, 1].
 *
 * @example
 * ```ts
 * const image = await renderImage(trainer, imageInputs(encoder, 1024, 1024), 1024, 1024);
 * ```
 */
export async function renderImage(trainer: Trainer, inputs: NetworkInputs, width: number, height: number): Promise<RGBImage> {
  const data = await trainer.predict(inputs, width * height);
  for (let k = 0; k < data.length; k++) data[k] = Math.min(1, Math.max(0, data[k]));
  return { width, height, data };
}

/**
 * MSE between two same-size images and the PSNR it implies (peak 1).
 *
 * @example
 * ```ts
 * const { mse, psnr } = imageError(prediction, target);
 * ```
 */
export function imageError(a: RGBImage, b: RGBImage): ImageMetrics {
  let sum = 0;
  for (let k = 0; k < a.data.length; k++) sum += (a.data[k] - b.data[k]) ** 2;
  const mse = sum / a.data.length;
  return { mse, psnr: 10 * Math.log10(1 / mse) };
}

/**
 * Run (or resume) training and write every output file. Returns the run record; with
 * `status: "interrupted"` when `shouldStop` asked to stop (a checkpoint was written).
 *
 * @throws {@link DivergenceError} when an epoch's loss is not finite
 *
 * @example
 * ```ts
 * const record = await runTraining({ config, image, imageSource: "photo.png", backend: "reference", outDir: "out", snapshots: [10, 50], version: "0.1.0" });
 * ```
 */
export async function runTraining(options: RunOptions): Promise<RunRecord> {
  const { config, image, outDir, resume } = options;
  const { epochs, batchSize, seed } = config.training;
  const N = image.width * image.height;
  const encoder = createEncoder(config.encoding, seed, resume?.matrix ?? undefined);
  // every pixel's inputs, made once (or, for very wide encodings, a batch at a time)
  const inputs = imageInputs(encoder, image.width, image.height, options.storedInputsMaxBytes);
  const targets = image.data;
  const backend = await requireBackend(options.backend);
  const batch = Math.min(batchSize, N); // a batch larger than the image is the whole image
  const trainer = await backend.create({
    spec: networkSpec(config),
    adam: config.optimizer,
    weights: resume?.weights ?? initialWeights(config),
    maxBatch: batch,
  });
  try {
    if (resume) trainer.setOptimizerState(resume.optimizer);
    mkdirSync(outDir, { recursive: true });
    const files = new Set<string>();
    const write = (name: string, data: string | Uint8Array) => {
      writeFileAtomic(join(outDir, name), data);
      files.add(name);
    };
    const history: EpochRecord[] = resume ? [...resume.position.history] : [];
    const rng = resume ? Rng.fromState(resume.position.rngState) : new Rng(seed, "shuffle");
    let seconds = resume?.position.seconds ?? 0;
    const order = new Uint32Array(N);
    const samplesTotal = epochs * N;
    const startEpoch = resume?.position.epoch ?? 0;
    const samplesAtStart = startEpoch * N + (resume?.position.next ?? 0);
    const secondsAtStart = seconds;
    for (const s of options.snapshots) if (s <= startEpoch && existsSync(join(outDir, snapshotName(s)))) files.add(snapshotName(s));

    /** Write a checkpoint at (epoch, next) and an `interrupted` run.json. */
    const interrupt = (epoch: number, next: number, lossSum: number, rngState: RngState): RunRecord => {
      const position: TrainingPosition = {
        epoch,
        next,
        lossSum,
        rngState,
        history,
        seconds,
        run: { image: options.imageSource, width: image.width, height: image.height, backend: options.backend, snapshots: [...options.snapshots] },
      };
      saveCheckpoint(
        join(outDir, "checkpoint.safetensors"),
        { config, weights: trainer.getWeights(), matrix: encoder.matrix as Float32Array | null, optimizer: trainer.getOptimizerState(), position },
        options.version,
      );
      files.add("checkpoint.safetensors");
      const record = makeRecord("interrupted", options, trainer, history, seconds, null, [...files, "run.json"]);
      write("run.json", `${JSON.stringify(record, null, 2)}\n`);
      return record;
    };

    let sliceStart = performance.now();
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEvents();
        sliceStart = performance.now();
      }
      // a stop asked for at an epoch's end (backends that run whole epochs per call stop only there)
      const atBoundary = !(resume !== undefined && epoch === resume.position.epoch && resume.position.next > 0);
      if (atBoundary && epoch > startEpoch && options.shouldStop?.()) return interrupt(epoch, 0, 0, rng.state());
      const lr = stepLR(config.optimizer.lr, epoch, config.schedule.every, config.schedule.factor);
      const rngState = rng.state();
      epochOrder(N, rng, order);
      const resuming = resume !== undefined && epoch === resume.position.epoch;
      const started = performance.now();
      const secondsBefore = seconds;
      const lastLoss = history.length > 0 ? history[history.length - 1].loss : Number.NaN;
      const afterBatch = (next: number) => {
        const now = performance.now();
        const elapsed = secondsBefore + (now - started) / 1000;
        const samplesDone = epoch * N + next;
        const samplesPerSecond = (samplesDone - samplesAtStart) / Math.max(1e-9, elapsed - secondsAtStart);
        options.onProgress?.({ samplesDone, samplesTotal, epoch: epoch + 1, epochs, loss: lastLoss, samplesPerSecond });
        // hand control back every SLICE_MS so that Ctrl-C (an event) is seen mid-epoch
        return now - sliceStart > SLICE_MS || (options.shouldStop?.() ?? false);
      };
      let progress = { next: resuming ? resume.position.next : 0, lossSum: resuming ? resume.position.lossSum : 0 };
      for (;;) {
        progress = await trainer.epoch(inputs, targets, order, batch, lr, { from: progress.next, lossSum: progress.lossSum, afterBatch });
        if (progress.next >= N || options.shouldStop?.()) break;
        await yieldToEvents();
        sliceStart = performance.now();
      }
      seconds += (performance.now() - started) / 1000;
      const lossSum = progress.lossSum;
      if (progress.next < N) return interrupt(epoch, progress.next, lossSum, rngState);
      const loss = lossSum / N;
      if (!Number.isFinite(loss)) throw new DivergenceError(`training diverged in epoch ${epoch + 1}: the loss is ${loss}; try a lower learning rate (--lr)`);
      history.push({ epoch: epoch + 1, loss, lr, seconds: (performance.now() - started) / 1000 });
      if (options.snapshots.includes(epoch + 1)) write(snapshotName(epoch + 1), encodePNG(await renderImage(trainer, inputs, image.width, image.height)));
    }

    const final = await renderImage(trainer, inputs, image.width, image.height);
    const metrics = imageError(final, image);
    write("final.png", encodePNG(final));
    saveModel(join(outDir, "model.safetensors"), { config, weights: trainer.getWeights(), matrix: encoder.matrix as Float32Array | null }, options.version);
    files.add("model.safetensors");
    if (history.length > 0)
      write(
        "loss.svg",
        await lossChart(
          history.map((h) => ({ series: "loss", epoch: h.epoch, loss: h.loss })),
          "Training loss",
        ),
      );
    rmSync(join(outDir, "checkpoint.safetensors"), { force: true });
    const record = makeRecord("complete", options, trainer, history, seconds, metrics, [...files, "run.json"].sort());
    write("run.json", `${JSON.stringify(record, null, 2)}\n`);
    return record;
  } finally {
    await trainer.dispose();
  }
}

function makeRecord(
  status: RunRecord["status"],
  options: RunOptions,
  trainer: Trainer,
  history: EpochRecord[],
  seconds: number,
  metrics: ImageMetrics | null,
  files: string[],
): RunRecord {
  return {
    status,
    version: options.version,
    image: { source: options.imageSource, width: options.image.width, height: options.image.height },
    config: options.config,
    backend: { name: trainer.info.backend, details: trainer.info.details },
    history,
    finalLoss: history.length > 0 ? history[history.length - 1].loss : null,
    mse: metrics?.mse ?? null,
    psnr: metrics?.psnr ?? null,
    trainingSeconds: seconds,
    files,
  };
}

/**
 * The file name of the snapshot after a (1-based) epoch: `epoch-0010.png`.
 *
 * @example
 * ```ts
 * snapshotName(10); // "epoch-0010.png"
 * ```
 */
export function snapshotName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, "0")}.png`;
}
