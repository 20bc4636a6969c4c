/**
 * @module
 * The input kinds the analyses compare — raw coordinates, positional encoding, Gaussian Fourier
 * features and SIREN — each the network and optimiser of one preset, and their 1-D variant: the
 * same encoding with one coordinate instead of two.
 */

import type { LayerWeights } from "../backends/types.js";
import { applyOverrides, type Config, type ConfigOverrides } from "../config.js";
import { gaussianForward, gaussianMatrix } from "../encoding/gaussian.js";
import { positionalFeatures, positionalForward } from "../encoding/positional.js";
import { InvalidArgumentError, quote } from "../errors.js";
import { loadPreset } from "../presets.js";
import type { FloatArray } from "../reference/dtype.js";
import { createMLP, type MLP, type MLPSpec } from "../reference/mlp.js";
import { Rng } from "../reference/rng.js";

/**
 * The input kinds `coordnet spectrum` and `coordnet ntk` compare.
 *
 * @example
 * ```ts
 * INPUT_KINDS; // ["raw", "positional", "gaussian", "siren"]
 * ```
 *
 * @group Spectral bias
 */
export const INPUT_KINDS = ["raw", "positional", "gaussian", "siren"] as const;

/**
 * One of {@link INPUT_KINDS}.
 *
 * @group Spectral bias
 */
export type InputKind = (typeof INPUT_KINDS)[number];

/**
 * The preset whose network, encoding and optimiser each input kind uses: raw coordinates are the
 * study's first network (ReLU + sigmoid, [0,1]); the others are their presets.
 *
 * @example
 * ```ts
 * KIND_PRESETS.raw; // "relu-sigmoid"
 * ```
 *
 * @group Spectral bias
 */
export const KIND_PRESETS: Readonly<Record<InputKind, string>> = { raw: "relu-sigmoid", positional: "positional", gaussian: "gaussian", siren: "siren" };

/**
 * Refuse anything but a list of distinct input kinds.
 *
 * @throws InvalidArgumentError naming `fn`
 *
 * @example
 * ```ts
 * checkKinds("signalSpectrum", ["raw", "positional"]);
 * ```
 *
 * @group Spectral bias
 */
export function checkKinds(fn: string, kinds: unknown): InputKind[] {
  if (!Array.isArray(kinds) || kinds.length === 0)
    throw new InvalidArgumentError(`${fn}: kinds must be a non-empty list of ${INPUT_KINDS.join(", ")}, got ${quote(kinds)}`);
  for (const k of kinds)
    if (!(INPUT_KINDS as readonly unknown[]).includes(k))
      throw new InvalidArgumentError(`${fn}: unknown input kind ${quote(k)}; kinds: ${INPUT_KINDS.join(", ")}`);
  if (new Set(kinds).size !== kinds.length) throw new InvalidArgumentError(`${fn}: kinds must be distinct, got ${quote(kinds)}`);
  return kinds as InputKind[];
}

/**
 * The config of an input kind: its preset, with `overrides` applied (`width`, `epochs`, `seed`, …).
 *
 * @example
 * ```ts
 * kindConfig("positional", { width: 64 }).network.width; // 64
 * ```
 *
 * @group Spectral bias
 */
export function kindConfig(kind: InputKind, overrides: ConfigOverrides = {}): Config {
  return applyOverrides(loadPreset(KIND_PRESETS[kind]).config, overrides);
}

/**
 * A 1-D encoding: `features` per point, and `encode(x [count], out [count][features], count)`.
 *
 * @group Spectral bias
 */
export interface Encoder1D {
  /** features per point */
  readonly features: number;
  /** encode points x ∈ [0, 1), row-major [count], into `out` [count][features], mapped to the config's range first */
  encode(x: FloatArray, out: FloatArray, count: number): void;
}

/**
 * The config's encoding for one coordinate instead of two: the same frequencies (positional) or a
 * Gaussian B of one column drawn from the seed's `"gaussian"` stream; points in [0, 1) are first
 * mapped to the config's range ([−1, 1) for SIREN).
 *
 * @example
 * ```ts
 * encoder1D(kindConfig("positional")).features; // 10: sin and cos at 5 frequencies
 * ```
 *
 * @group Spectral bias
 */
export function encoder1D(config: Config): Encoder1D {
  const enc = config.encoding;
  const toRange = (x: FloatArray, count: number): FloatArray => {
    const p = x.slice(0, count);
    if (enc.range === "11") for (let n = 0; n < count; n++) p[n] = 2 * p[n] - 1;
    return p;
  };
  switch (enc.type) {
    case "none":
      return { features: 1, encode: (x, out, count) => out.set(toRange(x, count)) };
    case "positional":
      return { features: positionalFeatures(1, enc), encode: (x, out, count) => positionalForward(toRange(x, count), out, count, 1, enc) };
    case "gaussian": {
      const B = gaussianMatrix(enc.features, 1, enc.sigma, new Rng(config.training.seed, "gaussian"));
      return { features: 2 * enc.features, encode: (x, out, count) => gaussianForward(toRange(x, count), out, count, 1, B) };
    }
    case "sape":
      // SAPE's mask follows the training's per-region error, which these analyses do not run
      throw new InvalidArgumentError("the spectrum and NTK analyses do not cover sape (its mask depends on the training's per-region errors)");
  }
}

/**
 * The config's network with `inputs` inputs and `outputs` outputs, initialised from the seed's
 * `"init"` stream (the config's scheme), as float32 weights.
 *
 * @example
 * ```ts
 * const weights = initialWeightsFor(spec, config);
 * ```
 *
 * @group Spectral bias
 */
export function initialWeightsFor(spec: MLPSpec, config: Config): LayerWeights[] {
  const mlp = createMLP(spec, new Rng(config.training.seed, "init"), config.network.init, "float32");
  return mlp.layers.map((layer) => ({ weight: layer.weight as Float32Array, bias: layer.bias as Float32Array }));
}

/**
 * A float64 reference MLP holding `weights` (float32 weights widened exactly), for the NTK.
 *
 * @example
 * ```ts
 * const mlp = float64MLP(spec, await trainer.getWeights());
 * ```
 *
 * @group Neural tangent kernel
 */
export function float64MLP(spec: MLPSpec, weights: readonly LayerWeights[]): MLP {
  const mlp = createMLP(spec, new Rng(0, "unused"), "torch", "float64");
  mlp.layers.forEach((layer, l) => {
    layer.weight.set(weights[l].weight);
    layer.bias.set(weights[l].bias);
  });
  return mlp;
}
