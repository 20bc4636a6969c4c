/**
 * @module
 * Encodings: turn normalised 2-D coordinates into the network's input features, as chosen by a
 * config's `encoding` block. This file only re-exports.
 */

export { createEncoder, type Encoder, encodedFeatures, encodeImageGrid, imageInputs, STORED_INPUTS_MAX_BYTES } from "./encoder.js";
export { gaussianBackward, gaussianForward, gaussianMatrix } from "./gaussian.js";
export { EncodedOnDemand, gatherInputs, type NetworkInputs } from "./inputs.js";
export { type CoordRange, normalizeCoordinate, pixelCoordinates } from "./normalize.js";
export { type PositionalOptions, positionalBackward, positionalFeatures, positionalForward } from "./positional.js";
