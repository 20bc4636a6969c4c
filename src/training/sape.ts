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
import { EncodedOnDemand, gatherInputs, type NetworkInputs } from "../encoding/inputs.js";
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
  // with held-out pixels only the training pixels' errors steer the mask (the held-out colours stay
  // unseen), and only they are predicted
  const cellCoords = train === undefined ? coords : trainingPoints(coords, train);
  const n = cellCoords.length / 2;
  const pred = train === undefined ? await trainer.predict(inputs, n) : await predictSamples(trainer, inputs, cellCoords, train, coords.length / 2);
  const C = pred.length / n;
  // [n]: each sample's squared error, mean over channels
  const errors = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const t = train === undefined ? k : train[k];
    let s = 0;
    for (let c = 0; c < C; c++) s += (pred[k * C + c] - targets[t * C + c]) ** 2;
    errors[k] = s / C;
  }
  const step = config.features / Math.max(1, Math.ceil(config.unlockBy * epochs));
  sapeAdvance(state, config, sapeCellErrors(cellCoords, errors, config.grid, config.range), config.epsilon, step);
  if (!(inputs instanceof EncodedOnDemand)) maskStored(sape, inputs);
  return true;
}

/** Rows of stored inputs gathered and predicted at a time: a bounded copy, not one of every training row. */
const PREDICT_ROWS = 8192;

/**
 * The predictions of the samples `train` lists, in its order, row-major [n][C]: on demand, the
 * encoder over their points; stored, their rows gathered a block at a time.
 */
async function predictSamples(trainer: Trainer, inputs: NetworkInputs, points: Float32Array, train: Uint32Array, N: number): Promise<Float32Array> {
  const n = train.length;
  if (inputs instanceof EncodedOnDemand) return trainer.predict(new EncodedOnDemand(points, inputs.encoder), n);
  const F = inputs.length / N;
  // row-major [rows][F]: one block of training rows
  const block = new Float32Array(Math.min(PREDICT_ROWS, n) * F);
  let pred = new Float32Array(0);
  for (let start = 0; start < n; start += PREDICT_ROWS) {
    const rows = Math.min(PREDICT_ROWS, n - start);
    gatherInputs(inputs, F, block, rows, start, train);
    const p = await trainer.predict(block.subarray(0, rows * F), rows);
    // row-major [n][C], C known from the first block
    if (start === 0) pred = new Float32Array((p.length / rows) * n);
    pred.set(p, (start * p.length) / rows);
  }
  return pred;
}

/** The points of the samples `train` lists, in its order, row-major [n][2]. */
function trainingPoints(coords: Float32Array, train: Uint32Array): Float32Array {
  const points = new Float32Array(2 * train.length);
  for (let k = 0; k < train.length; k++) {
    points[2 * k] = coords[2 * train[k]];
    points[2 * k + 1] = coords[2 * train[k] + 1];
  }
  return points;
}
