/**
 * @module
 * The record of a training run, as `run.json` holds it (and `coordnet train --json` prints it),
 * and the names of the files a run writes beside it.
 */

import type { Config, Holdout } from "../config.js";
import type { EpochRecord } from "../io/model-format.js";

/** Which image a run learned, at which size. */
export interface ImageInfo {
  /** image path, or `default` for the built-in photograph */
  readonly source: string;
  /** training width */
  readonly width: number;
  /** training height */
  readonly height: number;
  /** sha-256 of the training-size pixels (`imageHash`); absent in records written before it was kept */
  readonly hash?: string;
}

/** The backend that ran. */
export interface BackendRecord {
  /** registry name */
  readonly name: string;
  /** executor, adapter and the like */
  readonly details: Readonly<Record<string, string>>;
}

/** A run's holdout: the setting and the pixels it left to train and to test. */
export interface HoldoutRecord {
  /** `every-other`, or the fraction held out */
  readonly setting: Holdout;
  /** pixels trained on */
  readonly trainPixels: number;
  /** pixels held out and tested on */
  readonly testPixels: number;
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
  /** the pixels held out of training (`config.training.holdout`) and how many train and test; null when every pixel trained */
  readonly holdout: HoldoutRecord | null;
  /** MSE over the pixels trained on — the whole image without a holdout —, prediction clamped to [0, 1] (complete runs) */
  readonly mse: number | null;
  /** PSNR in dB, 10·log10(1/MSE) (complete runs) */
  readonly psnr: number | null;
  /** MSE over the held-out pixels, the same prediction (complete runs with a holdout) */
  readonly testMse: number | null;
  /** PSNR in dB of the held-out pixels (complete runs with a holdout) */
  readonly testPsnr: number | null;
  /** seconds spent in training epochs (excluding snapshots and file writing) */
  readonly trainingSeconds: number;
  /** files written, relative to the output folder */
  readonly files: string[];
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
