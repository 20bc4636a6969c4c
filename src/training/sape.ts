/**
 * @module
 * SAPE in the training loop (the encoding itself is `encoding/sape.ts`). The mask is applied on
 * the host, so every backend trains on the same bits and none needs a kernel of its own:
 *
 * - inputs stored: the session keeps the unmasked features next to the stored ones and, after
 *   each progression update, writes stored = unmasked ⊙ α in place (one multiply per feature; a
 *   backend that keeps the inputs on the GPU sees them change and uploads them again — webgpu
 *   compares a fingerprint each epoch);
 * - inputs encoded on demand: the encoder masks each batch with the progressions as they are.
 *
 * After each epoch but the last (whose mask is the one the model keeps), while some cell can still
 * advance: the network predicts every training sample, each sample's squared error (mean over
 * channels) goes to its cell, and {@link sapeAdvance} stops the cells at most ε and advances the
 * others by m / ⌈unlockBy · epochs⌉ bands. Browser-safe.
 */

import type { Trainer } from "../backends/types.js";
import type { SapeEncodingConfig } from "../config.js";
import type { Encoder } from "../encoding/encoder.js";
import { EncodedOnDemand, type NetworkInputs } from "../encoding/inputs.js";
import { sapeAdvance, sapeCanAdvance, sapeCellErrors, sapeForward, sapeMask, sapeMaskForward, sapeParts } from "../encoding/sape.js";

/** What a SAPE run keeps besides its inputs. */
export interface SapeTraining {
  /** the encoding block */
  readonly config: SapeEncodingConfig;
  /** the state the encoder reads and this module advances (the encoder's `matrix`) */
  readonly state: Float32Array;
  /** the training samples' points, row-major [N][2] */
  readonly coords: Float32Array;
  /** inputs stored: every sample's unmasked features, row-major [N][2 + 2m]; null when encoded on demand */
  readonly unmasked: Float32Array | null;
}

/**
 * The network's inputs for a SAPE run and what the run keeps to update them: stored inputs
 * (`coords` given, `stored` true) are the masked features of `coords` with the unmasked ones kept;
 * otherwise the coordinates encoded on demand.
 *
 * @example
 * ```ts
 * const { inputs, sape } = sapeInputs(encoder, pixelCoordinates(256, 256, "01") as Float32Array, true);
 * ```
 */
export function sapeInputs(encoder: Encoder, coords: Float32Array, stored: boolean): { inputs: NetworkInputs; sape: SapeTraining } {
  const config = encoder.config as SapeEncodingConfig;
  const state = encoder.matrix as Float32Array;
  const N = coords.length / 2;
  if (!stored) return { inputs: new EncodedOnDemand(coords, encoder), sape: { config, state, coords, unmasked: null } };
  // row-major [N][2 + 2m], every band open
  const unmasked = new Float32Array(N * encoder.features);
  sapeForward(coords, sapeParts(state, config).B, null, unmasked, N);
  const sape = { config, state, coords, unmasked };
  const inputs = new Float32Array(unmasked.length);
  maskStored(sape, inputs);
  return { inputs, sape };
}

/** stored = unmasked ⊙ α, with α from the progressions as they are now, a block of rows at a time. */
function maskStored(sape: SapeTraining, stored: Float32Array): void {
  const { config, state, coords, unmasked } = sape;
  if (unmasked === null) return;
  const m = config.features;
  const F = 2 + 2 * m;
  const N = coords.length / 2;
  const rows = 4096;
  // row-major [rows][m]: the block's mask
  const alpha = new Float32Array(rows * m);
  for (let start = 0; start < N; start += rows) {
    const n = Math.min(rows, N - start);
    sapeMask(coords.subarray(2 * start, 2 * (start + n)), n, state, config, config.range, alpha);
    sapeMaskForward(unmasked.subarray(start * F, (start + n) * F), alpha, stored.subarray(start * F, (start + n) * F), n, m);
  }
}

/**
 * One progression update after a completed epoch (see the module's note), and the stored inputs
 * masked again. Does nothing when no cell can advance.
 *
 * @returns whether the mask changed
 *
 * @example
 * ```ts
 * if (epoch < epochs) await advanceSape(sape, trainer, inputs, targets, epochs);
 * ```
 */
export async function advanceSape(
  sape: SapeTraining,
  trainer: Trainer,
  inputs: NetworkInputs,
  targets: Float32Array,
  epochs: number,
  train?: Uint32Array,
): Promise<boolean> {
  const { config, state, coords } = sape;
  if (!sapeCanAdvance(state, config)) return false;
  const N = coords.length / 2;
  const pred = await trainer.predict(inputs, N);
  const C = pred.length / N;
  // [N]: each sample's squared error, mean over channels
  const errors = new Float32Array(N);
  for (let n = 0; n < N; n++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += (pred[n * C + c] - targets[n * C + c]) ** 2;
    errors[n] = s / C;
  }
  const step = config.features / Math.max(1, Math.ceil(config.unlockBy * epochs));
  // with held-out pixels only the training pixels' errors steer the mask: the held-out colours stay unseen
  const [cellCoords, cellErrors] = train === undefined ? [coords, errors] : trainingOnly(coords, errors, train);
  sapeAdvance(state, config, sapeCellErrors(cellCoords, cellErrors, config.grid, config.range), config.epsilon, step);
  if (!(inputs instanceof EncodedOnDemand)) maskStored(sape, inputs);
  return true;
}

/** The coordinates and errors of the samples `train` lists, in its order. */
function trainingOnly(coords: Float32Array, errors: Float32Array, train: Uint32Array): [Float32Array, Float32Array] {
  const c = new Float32Array(2 * train.length);
  const e = new Float32Array(train.length);
  for (let k = 0; k < train.length; k++) {
    const n = train[k];
    c[2 * k] = coords[2 * n];
    c[2 * k + 1] = coords[2 * n + 1];
    e[k] = errors[n];
  }
  return [c, e];
}
