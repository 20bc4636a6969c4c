/**
 * Encodings: turn normalised 2-D coordinates into the network's input features, as chosen by a
 * config's `encoding` block. This file only re-exports. Why encodings work is the tutorial
 * [Why encodings work](../../docs/encodings.md).
 *
 * @groupDescription Encoders
 * One object per config `encoding` block: how many features, and the function that makes them.
 *
 * @groupDescription Coordinates
 * Pixel indices to the config's range, [0, 1] or [−1, 1].
 *
 * @groupDescription Positional features
 * sin and cos of 2^k·π·p: see [The fix](../../docs/encodings.md#the-fix-give-the-network-high-frequencies-to-start-with).
 *
 * @groupDescription Gaussian features
 * sin and cos of 2π·B·p with a random B: see [Random Fourier features](../../docs/encodings.md#random-fourier-features).
 *
 * @groupDescription SAPE
 * Gaussian features unlocked band by band, per region, while the region's error is above ε: see [SAPE](../../docs/encodings.md#sape-unlock-frequencies-where-they-are-needed).
 *
 * @groupDescription Network inputs
 * Every pixel's features, stored or made a batch at a time.
 *
 * @module coordnet/encoding
 */

// CoordRange is the config's (config.ts), which the encodings build on
export type { CoordRange } from "../config.js";
export { createEncoder, type Encoder, encodedFeatures, encodeImageGrid, imageInputs, STORED_INPUTS_MAX_BYTES } from "./encoder.js";
export { gaussianBackward, gaussianForward, gaussianMatrix } from "./gaussian.js";
export { EncodedOnDemand, gatherInputs, type NetworkInputs } from "./inputs.js";
export { normalizeCoordinate, pixelCoordinates } from "./normalize.js";
export { type PositionalOptions, positionalBackward, positionalFeatures, positionalForward } from "./positional.js";
export {
  type SapeParts,
  type SapeShape,
  sapeAdvance,
  sapeBackward,
  sapeCanAdvance,
  sapeCellErrors,
  sapeForward,
  sapeInitialState,
  sapeMask,
  sapeMaskBackward,
  sapeMaskForward,
  sapeParts,
  sapeStateLength,
} from "./sape.js";
