/**
 * @module
 * From a config's `encoding` block to a ready-to-use encoder, and the inputs of every pixel.
 */

import { type EncodingConfig, parseEncoding } from "../config.js";
import { InvalidArgumentError, quote } from "../errors.js";
import type { DType, FloatArray } from "../reference/dtype.js";
import { Rng } from "../reference/rng.js";
import { allocateOrRefuse, checkDType, checkEncoder, checkWhole, MAX_SIDE } from "./check.js";
import { gaussianForward, gaussianMatrix } from "./gaussian.js";
import { EncodedOnDemand, type NetworkInputs } from "./inputs.js";
import { pixelCoordinates } from "./normalize.js";
import { positionalFeatures, positionalForward } from "./positional.js";
import { sapeForward, sapeInitialState, sapeMask, sapeParts, sapeStateLength, sapeStateProblem } from "./sape.js";
import type { Encoder } from "./types.js";

/**
 * How many input features an encoding makes from a 2-D coordinate.
 *
 * @example
 * ```ts
 * encodedFeatures({ type: "positional", range: "01", frequencies: 5, includeInput: false }); // 20
 * ```
 *
 * @group Encoders
 */
export function encodedFeatures(encodingConfig: EncodingConfig): number {
  const encoding = parseEncoding(encodingConfig, "encodedFeatures");
  switch (encoding.type) {
    case "none":
      return 2;
    case "positional":
      return positionalFeatures(2, encoding);
    case "gaussian":
      return 2 * encoding.features;
    case "sape":
      return 2 + 2 * encoding.features;
  }
}

export type { Encoder } from "./types.js";

/**
 * Build the encoder for a config's `encoding` block. A Gaussian encoding draws its matrix B from
 * the seed's `"gaussian"` stream unless `matrix` is given (as when loading a saved model); a SAPE
 * encoding draws the same B, sorts its rows, and starts every progression at 0, unless `matrix`
 * gives its state.
 *
 * @example
 * ```ts
 * const enc = createEncoder({ type: "positional", range: "01", frequencies: 5, includeInput: false }, 0);
 * enc.features; // 20
 * ```
 *
 * @group Encoders
 */
export function createEncoder(encoding: EncodingConfig, seed: number, matrix?: FloatArray, dtype: DType = "float32"): Encoder {
  const config = parseEncoding(encoding, "createEncoder");
  checkWhole("createEncoder", "seed", seed, 0, 0xffffffff);
  checkDType("createEncoder", dtype);
  if (matrix !== undefined && !(matrix instanceof Float32Array || matrix instanceof Float64Array))
    throw new InvalidArgumentError(`createEncoder: matrix must be a Float32Array or a Float64Array (B, [m][2]) or absent, got ${quote(matrix)}`);
  const features = encodedFeatures(config);
  switch (config.type) {
    case "none":
      return { config, features, matrix: null, encode: (p, out, count) => out.set(p.subarray(0, count * 2)) };
    case "positional":
      return { config, features, matrix: null, encode: (p, out, count) => positionalForward(p, out, count, 2, config) };
    case "gaussian": {
      const B = matrix ?? gaussianMatrix(config.features, 2, config.sigma, new Rng(seed, "gaussian"), dtype);
      if (B.length !== config.features * 2)
        throw new InvalidArgumentError(
          `createEncoder: the Gaussian matrix has ${B.length} entries; ${config.features} features need ${config.features * 2} ([m][2])`,
        );
      return { config, features, matrix: B, encode: (p, out, count) => gaussianForward(p, out, count, 2, B) };
    }
    case "sape": {
      // the state (B sorted, the progressions, the going flags) is the encoder's `matrix`: it is
      // saved with the model, and training advances it in place (training/sape.ts)
      const shape = { features: config.features, grid: config.grid };
      const state = matrix ?? sapeInitialState(shape, config.sigma, new Rng(seed, "gaussian"));
      if (state.length !== sapeStateLength(shape) || !(state instanceof Float32Array))
        throw new InvalidArgumentError(
          `createEncoder: a SAPE state is a Float32Array of ${sapeStateLength(shape)} values (B [${config.features}][2], then two [${config.grid}][${config.grid}] grids), got ${state.length}`,
        );
      const problem = sapeStateProblem(state, shape);
      if (problem !== null) throw new InvalidArgumentError(`createEncoder: a SAPE state's ${problem}`);
      const { B } = sapeParts(state, shape);
      let alpha = new Float32Array(0);
      const encode = (p: FloatArray, out: FloatArray, count: number) => {
        // row-major [count][m]: the mask where the points are, from the progressions as they are now
        if (alpha.length < count * config.features) alpha = new Float32Array(count * config.features);
        sapeMask(p, count, state, shape, config.range, alpha);
        sapeForward(p, B, alpha, out, count);
      };
      return { config, features, matrix: state, encode };
    }
  }
}

/**
 * The encoded inputs for every pixel of a W×H image, row-major [H·W][features], in the
 * sample order of {@link pixelCoordinates}.
 *
 * @example
 * ```ts
 * const inputs = encodeImageGrid(createEncoder(config.encoding, 0), 64, 64); // [4096][features]
 * ```
 *
 * @group Encoders
 */
export function encodeImageGrid(encoder: Encoder, width: number, height: number, dtype: DType = "float32"): FloatArray {
  checkEncoder("encodeImageGrid", encoder);
  const coords = pixelCoordinates(width, height, encoder.config.range, dtype);
  const out = allocateOrRefuse("encodeImageGrid", dtype, width * height * encoder.features, `${width}×${height} pixels of ${encoder.features} features`);
  encoder.encode(coords, out, width * height);
  return out;
}

/**
 * Encoded inputs larger than this many bytes are not stored: {@link imageInputs} keeps the
 * coordinates and encodes each batch when it is gathered (256 MiB: a 512×512 image with up to 256
 * features is stored).
 *
 * @example
 * ```ts
 * imageInputs(encoder, 512, 512, 2 * STORED_INPUTS_MAX_BYTES); // store up to 512 MiB instead
 * ```
 *
 * @group Encoders
 */
export const STORED_INPUTS_MAX_BYTES = 256 * 2 ** 20;

/**
 * The network's inputs for every pixel of a width × height image, row-major: encoded up front, or,
 * where that would take more than `maxBytes`, coordinates encoded a batch at a time.
 *
 * @example
 * ```ts
 * const inputs = imageInputs(encoder, 512, 512); // Float32Array [262144][features], or EncodedOnDemand
 * ```
 *
 * @group Encoders
 */
export function imageInputs(encoder: Encoder, width: number, height: number, maxBytes = STORED_INPUTS_MAX_BYTES): NetworkInputs {
  checkEncoder("imageInputs", encoder);
  checkWhole("imageInputs", "width", width, 1, MAX_SIDE);
  checkWhole("imageInputs", "height", height, 1, MAX_SIDE);
  if (typeof maxBytes !== "number" || !(maxBytes >= 0)) throw new InvalidArgumentError(`imageInputs: maxBytes must be a number ≥ 0, got ${quote(maxBytes)}`);
  if (4 * width * height * encoder.features <= maxBytes) return encodeImageGrid(encoder, width, height) as Float32Array;
  return new EncodedOnDemand(pixelCoordinates(width, height, encoder.config.range) as Float32Array, encoder);
}
