/**
 * @module
 * From a {@link Config} to a network: its shape and its seeded initial weights.
 */

import type { LayerWeights } from "./backends/types.js";
import type { Config } from "./config.js";
import { encodedFeatures } from "./encoding/encoder.js";
import { createMLP, type MLPSpec } from "./reference/mlp.js";
import { Rng } from "./reference/rng.js";

/**
 * Colour channels the network predicts (RGB).
 *
 * @example
 * ```ts
 * const targets = new Float32Array(width * height * OUTPUT_CHANNELS);
 * ```
 */
export const OUTPUT_CHANNELS = 3;

/**
 * The network shape a config describes.
 *
 * @example
 * ```ts
 * networkSpec(parseConfig({})); // { inputs: 2, outputs: 3, width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid" }
 * ```
 */
export function networkSpec(config: Config): MLPSpec {
  const { width, depth, activation, outputActivation } = config.network;
  return { inputs: encodedFeatures(config.encoding), outputs: OUTPUT_CHANNELS, width, depth, activation, outputActivation };
}

/**
 * The initial weights for a config, drawn from the `"init"` stream of `config.training.seed`
 * (see `initDense` for the draw order). The same config gives the same weights everywhere.
 *
 * @example
 * ```ts
 * const weights = initialWeights(parseConfig({ training: { seed: 7 } }));
 * ```
 */
export function initialWeights(config: Config): LayerWeights[] {
  const mlp = createMLP(networkSpec(config), new Rng(config.training.seed, "init"), config.network.init, "float32");
  return mlp.layers.map((layer) => ({ weight: layer.weight as Float32Array, bias: layer.bias as Float32Array }));
}
