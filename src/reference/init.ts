/**
 * @module
 * Weight initialisation schemes.
 */

import { SIREN_OMEGA0 } from "./activations/sine.js";
import type { Dense } from "./dense.js";
import type { Rng } from "./rng.js";

/**
 * `torch`: PyTorch's `nn.Linear` default. `siren`: Sitzmann et al.'s scheme for sine networks.
 *
 * @group Network
 */
export type InitScheme = "torch" | "siren";

/**
 * Fill a layer's weights and biases with random values. Draw order (part of the reproducibility
 * contract): every weight in row-major [outputs][inputs] order, then every bias.
 *
 * - `torch`: W, b ~ U(−1/√fan_in, 1/√fan_in), which is what `nn.Linear.reset_parameters`
 *   (Kaiming-uniform with a = √5) works out to.
 * - `siren`: W ~ U(−1/fan_in, 1/fan_in) for the first layer and
 *   U(−√(6/fan_in)/ω₀, √(6/fan_in)/ω₀) for later ones (ω₀ = 30); b as `torch`, as in the
 *   SIREN authors' code.
 *
 * @param first - whether this is the network's first layer (matters for `siren`)
 *
 * @example
 * ```ts
 * const layer = createDense(2, 128, "float32");
 * initDense(layer, "torch", true, new Rng(0, "init"));
 * ```
 *
 * @group Network
 */
export function initDense(layer: Dense, scheme: InitScheme, first: boolean, rng: Rng): void {
  const fanIn = layer.inputs;
  const biasBound = 1 / Math.sqrt(fanIn);
  let weightBound = biasBound;
  if (scheme === "siren") weightBound = first ? 1 / fanIn : Math.sqrt(6 / fanIn) / SIREN_OMEGA0;
  for (let k = 0; k < layer.weight.length; k++) layer.weight[k] = rng.uniform(-weightBound, weightBound);
  for (let k = 0; k < layer.bias.length; k++) layer.bias[k] = rng.uniform(-biasBound, biasBound);
}
