/**
 * @module
 * The network's inputs for every sample of an image: either stored, already encoded (the usual
 * case), or kept as coordinates and encoded a batch at a time ({@link EncodedOnDemand}) where the
 * encoded matrix would be too large to hold — the Gaussian preset's 512 features of a 512×512 image
 * are 537 MB of float32. Both give bit-identical rows: encodings work point by point.
 */

import { InvalidArgumentError, quote } from "../errors.js";
import type { FloatArray } from "../reference/dtype.js";
import { checkEncoder, checkFloats, checkWhole } from "./check.js";
import type { Encoder } from "./types.js";

/**
 * Coordinates [N][2] and the encoder that turns them into the network's inputs on demand.
 *
 * @example
 * ```ts
 * const inputs = new EncodedOnDemand(pixelCoordinates(512, 512, "01") as Float32Array, encoder);
 * ```
 *
 * @group Network inputs
 */
export class EncodedOnDemand {
  /** input features per sample (the encoder's) */
  readonly features: number;
  /** samples */
  readonly count: number;
  private scratch = new Float32Array(0);

  /**
   * @param coords - normalised coordinates, row-major [N][2]
   * @param encoder - the encoding that turns them into the network's inputs
   */
  constructor(
    readonly coords: Float32Array,
    readonly encoder: Encoder,
  ) {
    if (!(coords instanceof Float32Array) || coords.length % 2 !== 0)
      throw new InvalidArgumentError(`EncodedOnDemand: coords must be a Float32Array of (x, y) pairs, [N][2], got ${quote(coords)}`);
    checkEncoder("EncodedOnDemand", encoder);
    this.features = encoder.features;
    this.count = coords.length / 2;
  }

  /** Throw unless the inputs have `features` features (the network's input width). */
  expectFeatures(features: number): void {
    if (this.features !== features) throw new RangeError(`the inputs have ${this.features} features, the network takes ${features}`);
  }

  /** Copy the coordinates of samples `order[start + k]` (or `start + k` without an order), k < n, into `points` [n][2]. */
  gatherPoints(points: FloatArray, n: number, start: number, order?: Uint32Array): void {
    for (let k = 0; k < n; k++) {
      const s = order ? order[start + k] : start + k;
      points[2 * k] = this.coords[2 * s];
      points[2 * k + 1] = this.coords[2 * s + 1];
    }
  }

  /** Encode samples `order[start + k]` (or `start + k` without an order), k < n, into `out` [n][features]. */
  encodeRows(out: FloatArray, n: number, start: number, order?: Uint32Array): void {
    if (this.scratch.length < 2 * n) this.scratch = new Float32Array(2 * n);
    this.gatherPoints(this.scratch, n, start, order);
    this.encoder.encode(this.scratch, out, n);
  }
}

/**
 * The network's inputs for N samples: a row-major [N][features] array, or coordinates encoded on
 * demand.
 *
 * @group Network inputs
 */
export type NetworkInputs = Float32Array | EncodedOnDemand;

/**
 * Fill `out` [n][features] with the inputs of samples `order[start + k]` (or `start + k` without an
 * order), k < n.
 *
 * @example
 * ```ts
 * gatherInputs(inputs, 2, batchX, 1024, 0, order); // the first batch of an epoch
 * ```
 *
 * @group Network inputs
 */
export function gatherInputs(inputs: NetworkInputs, features: number, out: FloatArray, n: number, start: number, order?: Uint32Array): void {
  checkWhole("gatherInputs", "features", features, 1);
  checkWhole("gatherInputs", "n", n, 0);
  checkWhole("gatherInputs", "start", start, 0);
  checkFloats("gatherInputs", "out", out, n * features);
  if (order !== undefined && !(order instanceof Uint32Array && order.length >= start + n))
    throw new InvalidArgumentError(`gatherInputs: order must be a Uint32Array of at least start + n = ${start + n} sample indices, got ${quote(order)}`);
  if (!(inputs instanceof EncodedOnDemand)) checkFloats("gatherInputs", "inputs", inputs, order === undefined ? (start + n) * features : 0);
  if (inputs instanceof EncodedOnDemand) {
    inputs.expectFeatures(features);
    inputs.encodeRows(out, n, start, order);
    return;
  }
  if (!order) {
    out.set(inputs.subarray(start * features, (start + n) * features));
    return;
  }
  for (let k = 0; k < n; k++) {
    const s = order[start + k];
    for (let i = 0; i < features; i++) out[k * features + i] = inputs[s * features + i];
  }
}
