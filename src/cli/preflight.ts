/**
 * @module
 * The command line's checks before a run starts (on the limits of `src/limits.ts`): the
 * `--max-memory` option, and the memory a training run or a render needs on a backend, checked
 * before anything large is made.
 */

import { totalmem } from "node:os";
import { constrainedMemory } from "node:process";
import { Option } from "commander";
import { findBackend } from "../backends/registry.js";
import type { Config } from "../config.js";
import { encodedFeatures } from "../encoding/encoder.js";
import { STORED_INPUTS_MAX_BYTES } from "../encoding/index.js";
import {
  BudgetError,
  checkMemory,
  checkPixels,
  checkpointBytes,
  gib,
  MAX_BYTE_ARRAY,
  type MEMORY_ALLOWANCE,
  type MemoryPart,
  parameterCount,
  saveMemory,
  trainerMemory,
  withAllowance,
} from "../limits.js";
import { networkSpec } from "../network.js";
import { integer } from "./options.js";

/** The memory this process may use: the machine's, or its control group's limit where that is lower. */
function availableMemory(): number {
  const limit = constrainedMemory?.() ?? 0; // 0 or 2⁶⁴ where there is no limit
  return limit > 0 && limit < totalmem() ? limit : totalmem();
}

/**
 * Default of `--max-memory`, in MiB: 80% of this machine's memory (or of its control group's
 * limit, where a container sets a lower one).
 *
 * @example
 * ```ts
 * DEFAULT_MAX_MEMORY_MIB; // 19283 on a 24 GiB machine
 * ```
 */
export const DEFAULT_MAX_MEMORY_MIB = Math.floor((0.8 * availableMemory()) / 2 ** 20);

/**
 * The `--max-memory <MiB>` option.
 *
 * @example
 * ```ts
 * command.addOption(maxMemoryOption());
 * ```
 */
export function maxMemoryOption(): Option {
  return new Option("--max-memory <MiB>", "refuse runs whose estimated memory is larger")
    .argParser(integer(1))
    .default(DEFAULT_MAX_MEMORY_MIB, `${DEFAULT_MAX_MEMORY_MIB}: 80% of this machine's memory, or of its container's limit`);
}

/** The image-sized arrays of a job over `pixels` pixels: inputs (stored or a batch at a time), outputs, PNG bytes. */
function dataMemory(config: Config, pixels: number, batch: number, storedInputsMaxBytes: number, training: boolean): MemoryPart[] {
  const features = encodedFeatures(config.encoding);
  const stored = 4 * pixels * features <= storedInputsMaxBytes;
  return [
    {
      what: stored ? `encoded inputs (${features} per pixel)` : "pixel coordinates",
      bytes: stored ? 4 * pixels * features : 4 * pixels * 2 + 4 * batch * features,
    },
    { what: training ? "targets, predictions and shuffle order" : "predictions", bytes: 4 * pixels * 3 * (training ? 2 : 1) + (training ? 4 * pixels : 0) },
    { what: "PNG encoding", bytes: 7 * pixels },
    // SAPE trains on stored inputs masked from an unmasked copy it keeps (training/sape.ts)
    ...(training && stored && config.encoding.type === "sape" ? [{ what: "SAPE's unmasked inputs", bytes: 4 * pixels * features }] : []),
    // the pixels trained on and those held out, one u32 index each
    ...(training && config.training.holdout !== undefined ? [{ what: "held-out split", bytes: 4 * pixels }] : []),
  ];
}

/**
 * Refuse a training run of `config` at `width`×`height` on `backend` that needs more than
 * `maxMiB` of memory (or more pixels than `maxPixels`), or whose checkpoint could not be written,
 * naming what to change. The estimate covers the run's peak, which comes when it saves its
 * checkpoint: the trainer, the image-sized arrays, the copies the checkpoint is built from (and,
 * with `resuming`, the checkpoint the run continues from), plus {@link MEMORY_ALLOWANCE}.
 *
 * @throws {@link BudgetError}
 *
 * @example
 * ```ts
 * checkTraining(config, "wasm", 512, 512, { maxPixels: 16e6, maxMiB: 8192 });
 * ```
 */
export function checkTraining(
  config: Config,
  backend: string,
  width: number,
  height: number,
  limits: { maxPixels: number; maxMiB: number; storedInputsMaxBytes?: number; resuming?: boolean },
): void {
  checkPixels("the training size", width, height, limits.maxPixels);
  const spec = networkSpec(config);
  const pixels = width * height;
  const batch = Math.min(config.training.batchSize, pixels);
  const described = findBackend(backend);
  const trainer = trainerMemory(spec, described, batch);
  const trainerBytes = trainer.reduce((n, p) => n + p.bytes, 0);
  const limit = described?.memoryLimit;
  if (limit !== undefined && trainerBytes > limit.bytes)
    throw new BudgetError(
      `the ${backend} backend cannot hold this network with batches of ${batch}: it needs ${(trainerBytes / 2 ** 30).toFixed(1)} GiB of ${limit.what}, more than its ${gib(limit.bytes)}; use a smaller --batch-size or --width, or another --backend`,
    );
  const { width: units, depth } = config.network;
  const parts = withAllowance([
    ...trainer,
    ...dataMemory(config, pixels, batch, limits.storedInputsMaxBytes ?? STORED_INPUTS_MAX_BYTES, true),
    ...saveMemory(spec, limits.resuming ?? false),
  ]);
  checkMemory(
    parts,
    limits.maxMiB * 2 ** 20,
    `lower --batch-size (now ${config.training.batchSize}), --width (now ${units}) or --depth (now ${depth}), train at a smaller --size, or raise --max-memory (MiB)`,
  );
  const file = checkpointBytes(spec);
  if (file > MAX_BYTE_ARRAY)
    throw new BudgetError(
      `this network's checkpoint would be ${gib(file)}, more than one JavaScript byte array holds (${gib(MAX_BYTE_ARRAY)}), so the run could never save it; lower --width (now ${units}) or --depth (now ${depth})`,
    );
}

/**
 * Refuse a render of `config` at `width`×`height` that needs more than the limits allow: the
 * trainer, the model file read and decoded (its bytes and weights), the predictions and the PNG,
 * plus {@link MEMORY_ALLOWANCE}.
 *
 * @throws {@link BudgetError}
 *
 * @example
 * ```ts
 * checkRender(model.config, "reference", 4096, 4096, 4096, { maxPixels: 16e6, maxMiB: 8192 });
 * ```
 */
export function checkRender(
  config: Config,
  backend: string,
  width: number,
  height: number,
  batch: number,
  limits: { maxPixels: number; maxMiB: number },
): void {
  checkPixels("the render size", width, height, limits.maxPixels);
  const pixels = width * height;
  const spec = networkSpec(config);
  const parts = withAllowance([
    ...trainerMemory(spec, findBackend(backend), batch),
    ...dataMemory(config, pixels, batch, STORED_INPUTS_MAX_BYTES, false),
    { what: "the model file (its bytes and weights)", bytes: 2 * parameterCount(spec) * 4 },
  ]);
  checkMemory(parts, limits.maxMiB * 2 ** 20, "render at a smaller --size, or raise --max-memory (MiB)");
}
