/**
 * @module
 * What an encoder is, on its own, so that the inputs made on demand (`inputs.ts`) and the encoders
 * (`encoder.ts`) both use it without importing each other.
 */

import type { EncodingConfig } from "../config.js";
import type { FloatArray } from "../reference/dtype.js";

/**
 * A ready-to-use encoding: how many features it makes, and the function that makes them.
 *
 * @group Encoders
 */
export interface Encoder {
  /** the config it was built from */
  readonly config: EncodingConfig;
  /** output features per point */
  readonly features: number;
  /** Gaussian encodings: B, row-major [m][2]; SAPE: its state (B sorted, progressions, going flags: see `sape.ts`), advanced in place by training; `null` otherwise */
  readonly matrix: FloatArray | null;
  /** encode `count` points, row-major [count][2], into `out`, row-major [count][features] */
  encode(points: FloatArray, out: FloatArray, count: number): void;
}
