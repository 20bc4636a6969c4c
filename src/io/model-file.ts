/**
 * @module
 * Model files and checkpoints, both in safetensors.
 *
 * `model.safetensors` holds `layers.{i}.weight` (shape [out, in], as PyTorch's `nn.Linear`) and
 * `layers.{i}.bias` (shape [out]) for i = 0 … depth, plus `encoding.B` ([m, 2]) for a Gaussian
 * encoding; its `__metadata__` holds `format` = `coordnet`, the coordnet `version` and the fully
 * resolved `config` as JSON. `checkpoint.safetensors` adds Adam's moments (`adam.m.{k}`,
 * `adam.v.{k}` in the order W₀, b₀, W₁, …) and the training position in `__metadata__.state`.
 */

import { FileError, writeFileAtomic } from "./atomic.js";
import { type Checkpoint, decodeCheckpoint, decodeModel, encodeCheckpoint, encodeModel, type ModelFile, ModelFileError } from "./model-format.js";
import { READ_LIMITS, readBounded } from "./read.js";

export {
  type Checkpoint,
  decodeCheckpoint,
  decodeModel,
  type EpochRecord,
  encodeCheckpoint,
  encodeModel,
  type ModelFile,
  ModelFileError,
  type RunSetup,
  type TrainingPosition,
} from "./model-format.js";

/**
 * Write a model file atomically.
 *
 * @example
 * ```ts
 * saveModel("out/model.safetensors", { config, weights: await trainer.getWeights(), matrix: null }, "0.1.0");
 * ```
 */
export function saveModel(path: string, model: ModelFile, version: string): void {
  writeFileAtomic(path, encodeModel(model, version));
}

/**
 * Write a checkpoint atomically.
 *
 * @example
 * ```ts
 * saveCheckpoint("out/checkpoint.safetensors", checkpoint, "0.1.0");
 * ```
 */
export function saveCheckpoint(path: string, checkpoint: Checkpoint, version: string): void {
  writeFileAtomic(path, encodeCheckpoint(checkpoint, version));
}

/** A model file or checkpoint: a regular file (never a device, FIFO or folder) of at most 4 GiB. */
function read(path: string, what: string): Uint8Array {
  try {
    return readBounded(path, what, READ_LIMITS.model).bytes;
  } catch (e) {
    if (e instanceof FileError) throw new ModelFileError(e.message);
    throw e;
  }
}

/**
 * Read a model file written by {@link saveModel}.
 *
 * @throws {@link ModelFileError} with one readable line
 *
 * @example
 * ```ts
 * const { config, weights, matrix } = loadModel("out/model.safetensors");
 * ```
 */
export function loadModel(path: string): ModelFile {
  return decodeModel(read(path, "model file"), path);
}

/**
 * Read a checkpoint written by {@link saveCheckpoint}.
 *
 * @throws {@link ModelFileError} with one readable line
 *
 * @example
 * ```ts
 * const checkpoint = loadCheckpoint("out/checkpoint.safetensors");
 * ```
 */
export function loadCheckpoint(path: string): Checkpoint {
  return decodeCheckpoint(read(path, "checkpoint"), path);
}
