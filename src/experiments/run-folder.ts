/**
 * @module
 * One run in a folder an experiment owns (`paper`'s `PRESET/seed-N/`, `sweep`'s `sigma-S/`):
 * resumed from its checkpoint where that continues a run on this very image, else trained afresh.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.js";
import { loadCheckpoint } from "../io/model-file.js";
import { continuesRun, type RunOptions, type RunRecord, runTraining } from "../training/runner.js";

/** What every run of an experiment shares. */
export type FolderRunOptions = Pick<
  RunOptions,
  "image" | "imageSource" | "backend" | "version" | "shouldStop" | "onProgress" | "storedInputsMaxBytes" | "inputs"
>;

/**
 * Train `config` in `dir`, resuming its checkpoint when {@link continuesRun} says it continues
 * this run; `onStart` hears which it does before training starts.
 */
export async function trainInRunFolder(
  options: FolderRunOptions,
  config: Config,
  dir: string,
  snapshots: readonly number[],
  onStart: (action: "resume" | "run") => void,
): Promise<RunRecord> {
  const checkpointFile = join(dir, "checkpoint.safetensors");
  const checkpoint = existsSync(checkpointFile) ? loadCheckpoint(checkpointFile) : undefined;
  const resume = checkpoint !== undefined && continuesRun(checkpoint, config, options.image, options.imageSource) ? checkpoint : undefined;
  onStart(resume === undefined ? "run" : "resume");
  return runTraining({
    config,
    image: options.image,
    imageSource: options.imageSource,
    backend: options.backend,
    outDir: dir,
    snapshots: [...snapshots],
    version: options.version,
    resume,
    // the folder is the experiment's own: a stale run there (other epochs, image or config) is replaced
    force: true,
    shouldStop: options.shouldStop,
    onProgress: options.onProgress,
    storedInputsMaxBytes: options.storedInputsMaxBytes,
    inputs: options.inputs,
  });
}
