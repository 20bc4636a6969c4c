/**
 * @module
 * A training run: data set from an image, the epoch loop with its schedule and seeded shuffles,
 * snapshots, final metrics, and every output file written whole.
 *
 * Files written to the output folder:
 * - `run.json`: resolved config, backend that ran, per-epoch history, final loss, MSE, PSNR (and
 *   the held-out pixels' with a holdout), seconds
 * - `model.safetensors`: the trained weights (PyTorch layout) with the config in its metadata
 * - `epoch-NNNN.png`: the network's image after the chosen epochs
 * - `final.png`: the network's image after training
 * - `loss.svg`: the loss curve (log scale)
 * - `checkpoint.safetensors`: Adam's state and where training stands — written when the run is
 *   interrupted, every `checkpointEvery` seconds while it trains (so a killed run loses at most that
 *   much), and at the end (so a finished run can be extended with more epochs)
 *
 * The folder is locked while the run writes to it (`.coordnet.lock`, see `io/out-dir.ts`); a new
 * run refuses a folder that holds another run's files unless `force` is set.
 */

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { LayerWeights, OptimizerSnapshot } from "../backends/types.js";
import type { Config } from "../config.js";
import type { STORED_INPUTS_MAX_BYTES } from "../encoding/index.js";
import { encodePNG, type RGBImage } from "../image/png.js";
import { writeFileAtomic } from "../io/atomic.js";
import { type Checkpoint, type RunSetup, saveCheckpoint, saveModel } from "../io/model-file.js";
import { claimRunFolder } from "../io/out-dir.js";
import { lossChart } from "../plot/charts.js";
import {
  divergence,
  finalImage,
  nonFiniteWeight,
  type RunMetrics,
  renderSession,
  sessionError,
  startSession,
  type TrainingSession,
  type TrainingState,
  trainOneEpoch,
} from "./loop.js";

import { type RunRecord, snapshotName } from "./record.js";

export { DivergenceError, type ImageMetrics, imageError, renderImage } from "./loop.js";
export type { BackendRecord, HoldoutRecord, ImageInfo, RunRecord } from "./record.js";

/** The files every run writes (besides its `epoch-NNNN.png` snapshots). */
const RUN_OUTPUTS = ["run.json", "model.safetensors", "checkpoint.safetensors", "final.png", "loss.svg"];

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
  /** a new run into a folder holding another run's files removes them (otherwise it is refused) — only files a run there wrote */
  readonly force?: boolean;
  /** the files this run was made from (image, config): refused if they are among the files it writes in `outDir` */
  readonly inputs?: readonly string[];
  /** write a checkpoint after this many seconds of training since the last one (0 or absent: only when stopped and at the end) */
  readonly checkpointEvery?: number;
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

/**
 * Run (or resume) training and write every output file. Returns the run record; with
 * `status: "interrupted"` when `shouldStop` asked to stop (a checkpoint was written).
 *
 * @throws {@link DivergenceError} when a loss, a weight, one of Adam's moments, a prediction or the
 *   final MSE is not finite: no file that presents the run as done (final.png, model.safetensors,
 *   run.json) is written, and no checkpoint of the diverged state; snapshots and checkpoints written
 *   before, of finite states, are kept
 *
 * @example
 * ```ts
 * const record = await runTraining({ config, image, imageSource: "photo.png", backend: "reference", outDir: "out", snapshots: [10, 50], version: "0.1.0" });
 * ```
 */
export async function runTraining(options: RunOptions): Promise<RunRecord> {
  const { config, image, outDir, resume } = options;
  const session = await startSession({
    config,
    image,
    backend: options.backend,
    storedInputsMaxBytes: options.storedInputsMaxBytes,
    resume: resume && { weights: resume.weights, optimizer: resume.optimizer, matrix: resume.matrix, state: resume.position },
  });
  let release: (() => void) | undefined;
  try {
    release = claimRunFolder(outDir, {
      resume: resume !== undefined,
      force: options.force ?? false,
      inputs: options.inputs,
      // recorded before the first of them is written, so that --force later removes exactly these
      outputs: [...RUN_OUTPUTS, ...options.snapshots.map(snapshotName)],
    });
    const files = new Set<string>();
    for (const s of options.snapshots) if (s <= session.state.epoch && existsSync(join(outDir, snapshotName(s)))) files.add(snapshotName(s));
    const { epochs } = config.training;
    const samplesTotal = epochs * session.samples;
    const at = (state: TrainingState) => state.epoch * session.samples + state.next;
    const startedAt = { samples: at(session.state), seconds: session.state.seconds };
    const setup = runSetup(options);
    const checkpointMs = (options.checkpointEvery ?? 0) * 1000;
    let lastCheckpoint = performance.now();
    const checkpointDue = () => checkpointMs > 0 && performance.now() - lastCheckpoint >= checkpointMs;
    let sliceStart = performance.now();
    let callStart = sliceStart;
    // one look at the event loop (signals, timers) per SLICE_MS of training, and a stop when a checkpoint is due
    const afterBatch = (next: number) => {
      const now = performance.now();
      const { epoch, history } = session.state;
      const samplesDone = epoch * session.samples + next;
      const elapsed = session.state.seconds + (now - callStart) / 1000 - startedAt.seconds;
      const samplesPerSecond = (samplesDone - startedAt.samples) / Math.max(1e-9, elapsed);
      options.onProgress?.({ samplesDone, samplesTotal, epoch: epoch + 1, epochs, loss: history.at(-1)?.loss ?? Number.NaN, samplesPerSecond });
      return now - sliceStart > SLICE_MS || checkpointDue() || (options.shouldStop?.() ?? false);
    };
    while (session.state.epoch < epochs) {
      // a stop asked for between epochs (backends that run whole epochs per call stop only there)
      if (session.state.next === 0 && at(session.state) > startedAt.samples && options.shouldStop?.()) return await interrupt(session, options, setup, files);
      callStart = performance.now();
      const { completed } = await trainOneEpoch(session, afterBatch);
      if (completed === null) {
        if (options.shouldStop?.()) return await interrupt(session, options, setup, files);
      } else if (options.snapshots.includes(completed.epoch)) {
        const snapshot = await renderSession(session, image.width, image.height);
        write(outDir, files, snapshotName(completed.epoch), encodePNG(snapshot));
        if (session.split !== null) noteSnapshotError(session, sessionError(session, snapshot, image));
      }
      if (checkpointDue() && session.state.epoch < epochs) {
        await checkpoint(session, options, setup, files);
        lastCheckpoint = performance.now();
      }
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEvents();
        sliceStart = performance.now();
      }
    }
    return await finishRun(session, options, setup, files);
  } finally {
    release?.();
    await session.trainer.dispose();
  }
}

/**
 * The SHA-256 of an image's pixels (its float32 RGB values, row by row), kept in checkpoints so
 * `--resume` can tell when the source image changed.
 *
 * @example
 * ```ts
 * imageHash(readPng("photo.png")); // "9f86d0…"
 * ```
 */
export function imageHash(image: RGBImage): string {
  const { data } = image;
  return createHash("sha256")
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex");
}

/**
 * Whether `checkpoint` continues a run of `config` on this very image — the same source, size and
 * pixels — so that resuming it gives the run a fresh start would. `coordnet paper` and `sweep` ask
 * this before resuming a run folder of theirs; otherwise they train it afresh.
 *
 * @example
 * ```ts
 * if (continuesRun(checkpoint, config, image, "default")) resume = checkpoint;
 * ```
 */
export function continuesRun(checkpoint: Checkpoint, config: Config, image: RGBImage, imageSource: string): boolean {
  const { run } = checkpoint.position;
  return (
    JSON.stringify(checkpoint.config) === JSON.stringify(config) &&
    run.image === imageSource &&
    run.width === image.width &&
    run.height === image.height &&
    // checkpoints written before the hash was kept have none: their size and source must do
    (run.imageHash === undefined || run.imageHash === imageHash(image))
  );
}

function runSetup(options: RunOptions): RunSetup {
  const { image } = options;
  return {
    image: options.imageSource,
    width: image.width,
    height: image.height,
    backend: options.backend,
    snapshots: [...options.snapshots],
    imageHash: imageHash(image),
  };
}

/**
 * Put a snapshot's train and test PSNR on the epoch's record (the last one): they cost nothing
 * beside the snapshot's own prediction. An exact fit's PSNR is infinite, which JSON cannot hold (it
 * writes null, and a checkpoint whose history holds a null is refused on resume): it is left out.
 */
function noteSnapshotError(session: TrainingSession, metrics: RunMetrics): void {
  const { history } = session.state;
  const last = history[history.length - 1];
  const finite = (psnr: number | undefined) => (psnr !== undefined && Number.isFinite(psnr) ? psnr : undefined);
  const noted = { ...last, psnr: finite(metrics.psnr), testPsnr: finite(metrics.test?.psnr) };
  session.state = { ...session.state, history: [...history.slice(0, -1), noted] };
}

function write(outDir: string, files: Set<string>, name: string, data: string | Uint8Array): void {
  writeFileAtomic(join(outDir, name), data);
  files.add(name);
}

/** The trainer's weights and Adam's state, every value finite: what a checkpoint or a model file may hold. */
async function finiteState(session: TrainingSession): Promise<{ weights: LayerWeights[]; optimizer: OptimizerSnapshot }> {
  const { epoch, next } = session.state;
  const at = epoch + (next > 0 ? 1 : 0); // the epoch that made them
  const weights = await session.trainer.getWeights();
  const bad = nonFiniteWeight(weights);
  if (bad !== null) throw divergence(Math.max(1, at), bad);
  const optimizer = await session.trainer.getOptimizerState();
  // a gradient above ~1.8e19 squares to ∞ in v while the weights stay finite; a checkpoint cannot hold it
  for (const [label, moments] of [
    ["m", optimizer.m],
    ["v", optimizer.v],
  ] as const)
    for (let k = 0; k < moments.length; k++) {
      const i = moments[k].findIndex((x) => !Number.isFinite(x));
      if (i >= 0) throw divergence(Math.max(1, at), `Adam's adam.${label}.${k}[${i}] is ${moments[k][i]} (a gradient overflowed)`);
    }
  return { weights, optimizer };
}

/** Write a checkpoint where the session stands (refused, with a DivergenceError, for a state that is not finite). */
async function checkpoint(
  session: TrainingSession,
  options: RunOptions,
  run: RunSetup,
  files: Set<string>,
  known?: { weights: LayerWeights[]; optimizer: OptimizerSnapshot },
): Promise<void> {
  const state = known ?? (await finiteState(session));
  saveCheckpoint(
    join(options.outDir, "checkpoint.safetensors"),
    {
      config: options.config,
      weights: state.weights,
      matrix: session.encoder.matrix as Float32Array | null,
      optimizer: state.optimizer,
      position: { ...session.state, run },
    },
    options.version,
  );
  files.add("checkpoint.safetensors");
}

/** Write a checkpoint where the session stands and an `interrupted` run.json. */
async function interrupt(session: TrainingSession, options: RunOptions, run: RunSetup, files: Set<string>): Promise<RunRecord> {
  await checkpoint(session, options, run, files);
  const record = makeRecord("interrupted", options, session, null, [...files, "run.json"]);
  write(options.outDir, files, "run.json", `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** The last files of a complete run: final.png, model.safetensors, loss.svg, the final checkpoint, run.json. */
async function finishRun(session: TrainingSession, options: RunOptions, run: RunSetup, files: Set<string>): Promise<RunRecord> {
  const { config, image, outDir } = options;
  // everything checked finite before the first file is written
  const state = await finiteState(session);
  const { image: final, metrics } = await finalImage(session, image);
  write(outDir, files, "final.png", encodePNG(final));
  saveModel(join(outDir, "model.safetensors"), { config, weights: state.weights, matrix: session.encoder.matrix as Float32Array | null }, options.version);
  files.add("model.safetensors");
  const { history } = session.state;
  if (history.length > 0)
    write(
      outDir,
      files,
      "loss.svg",
      await lossChart(
        history.map((h) => ({ series: "loss", epoch: h.epoch, loss: h.loss })),
        "Training loss",
      ),
    );
  // the final state, so that `--resume --epochs N` can extend the run
  await checkpoint(session, options, run, files, state);
  const record = makeRecord("complete", options, session, metrics, [...files, "run.json"].sort());
  write(outDir, files, "run.json", `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

function makeRecord(status: RunRecord["status"], options: RunOptions, session: TrainingSession, metrics: RunMetrics | null, files: string[]): RunRecord {
  const { history, seconds } = session.state;
  const { holdout } = options.config.training;
  const { split } = session;
  return {
    status,
    version: options.version,
    image: { source: options.imageSource, width: options.image.width, height: options.image.height, hash: imageHash(options.image) },
    config: options.config,
    backend: { name: session.trainer.info.backend, details: session.trainer.info.details },
    history,
    finalLoss: history.at(-1)?.loss ?? null,
    holdout: holdout === undefined || split === null ? null : { setting: holdout, trainPixels: split.train.length, testPixels: split.test.length },
    mse: metrics?.mse ?? null,
    psnr: metrics?.psnr ?? null,
    testMse: metrics?.test?.mse ?? null,
    testPsnr: metrics?.test?.psnr ?? null,
    trainingSeconds: seconds,
    files,
  };
}
