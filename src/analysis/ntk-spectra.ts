/**
 * @module
 * The NTK of each input kind's network on a 1-D grid and a small 2-D one, at initialisation and
 * after training: what `coordnet ntk` computes and writes.
 */

import { createEncoder, encodeImageGrid } from "../encoding/encoder.js";
import { InvalidArgumentError, quote } from "../errors.js";
import type { RGBImage } from "../image/png.js";
import { networkSpec } from "../network.js";
import { checkKinds, encoder1D, float64MLP, type InputKind, initialWeightsFor, KIND_PRESETS, kindConfig } from "./kinds.js";
import { type Eigen, ntkKernel, symmetricEigen } from "./ntk.js";
import { SIGNAL_FREQUENCIES, sineTarget } from "./spectrum.js";
import { trainWatched } from "./train.js";

/**
 * The grids the NTK is computed on: `1d` (points n/N on [0, 1), a network with one input and one
 * output) and `2d` (a side × side pixel grid, the image network, RGB out).
 *
 * @group Neural tangent kernel
 */
export type NtkGrid = "1d" | "2d";

/**
 * One kernel's spectrum: where, when, and its eigen-decomposition.
 *
 * @group Neural tangent kernel
 */
export interface NtkSpectrum extends Eigen {
  /** the grid */
  readonly grid: NtkGrid;
  /** `init` (the seed's initial weights) or `trained` (after `trainedEpochs`) */
  readonly state: "init" | "trained";
  /** the grid's points */
  readonly points: number;
  /** trace of K: the sum of the eigenvalues */
  readonly trace: number;
}

/**
 * Options of {@link ntkSpectra}.
 *
 * @group Neural tangent kernel
 */
export interface NtkOptions {
  /** input kinds (default: all four) */
  readonly kinds?: readonly InputKind[];
  /** grids (default both) */
  readonly grids?: readonly NtkGrid[];
  /** points of the 1-D grid (default 64) */
  readonly points1D?: number;
  /** side of the 2-D grid (default 16: 256 points) */
  readonly side2D?: number;
  /** epochs to train before the second kernel; 0 skips it (default 20) */
  readonly trainedEpochs?: number;
  /** the image the 2-D network trains on (the grid spans it); required with the `2d` grid and trainedEpochs > 0 */
  readonly image?: RGBImage;
  /** units per hidden layer (default: the presets', 128) */
  readonly width?: number;
  /** leading eigenvectors to keep (default 8) */
  readonly leading?: number;
  /** backend name or `auto` (default) to train on; the kernel itself is always the reference's */
  readonly backend?: string;
  /** seed (default 0) */
  readonly seed?: number;
  /** told when a kind starts on a grid */
  readonly onStep?: (kind: InputKind, grid: NtkGrid, state: "init" | "trained") => void;
}

/**
 * Each kind's kernels, in the order grid × state.
 *
 * @group Neural tangent kernel
 */
export interface NtkResult {
  /** the grids computed */
  readonly grids: NtkGrid[];
  /** epochs trained before the `trained` kernels */
  readonly trainedEpochs: number;
  /** per kind: its preset and its kernels' spectra */
  readonly inputs: Partial<Record<InputKind, KindKernels>>;
}

/**
 * One input kind's kernels.
 *
 * @group Neural tangent kernel
 */
export interface KindKernels {
  /** the preset the kind's network comes from */
  readonly preset: string;
  /** its kernels' spectra, grid by grid, initialisation then trained */
  readonly kernels: NtkSpectrum[];
}

/**
 * The empirical NTK of each kind's network on each grid, at initialisation and after training
 * (the 1-D network on the 1-D sines of `signalSpectrum`, 256 samples; the 2-D network on `image`),
 * and its eigenvalues and leading eigenvectors.
 *
 * @example
 * ```ts
 * const r = await ntkSpectra({ kinds: ["raw", "positional"], grids: ["1d"], trainedEpochs: 0 });
 * r.inputs.raw?.kernels[0].eigenvalues; // descending
 * ```
 *
 * @group Neural tangent kernel
 */
export async function ntkSpectra(options: NtkOptions = {}): Promise<NtkResult> {
  const kinds = checkKinds("ntkSpectra", options.kinds ?? ["raw", "positional", "gaussian", "siren"]);
  const grids = [...(options.grids ?? ["1d", "2d"])];
  if (grids.length === 0 || grids.some((g) => g !== "1d" && g !== "2d") || new Set(grids).size !== grids.length)
    throw new InvalidArgumentError(`ntkSpectra: grids must be distinct among 1d, 2d, got ${quote(grids)}`);
  const points = options.points1D ?? 64;
  const side = options.side2D ?? 16;
  const trainedEpochs = options.trainedEpochs ?? 20;
  const leading = options.leading ?? 8;
  const seed = options.seed ?? 0;
  const backend = options.backend ?? "auto";
  for (const [name, v, lo, hi] of [
    ["points1D", points, 2, 1024],
    ["side2D", side, 2, 32],
    ["trainedEpochs", trainedEpochs, 0, 100_000],
    ["leading", leading, 1, 1024],
  ] as const)
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new InvalidArgumentError(`ntkSpectra: ${name} must be a whole number from ${lo} to ${hi}, got ${quote(v)}`);
  if (grids.includes("2d") && trainedEpochs > 0 && options.image === undefined)
    throw new InvalidArgumentError("ntkSpectra: the 2d grid's trained kernel needs an image to train on");
  const overrides = { seed, ...(options.width !== undefined ? { width: options.width } : {}) };
  const inputs: NtkResult["inputs"] = {};
  for (const kind of kinds) {
    const config = kindConfig(kind, overrides);
    const kernels: NtkSpectrum[] = [];
    const spectrum = (grid: NtkGrid, state: "init" | "trained", K: Float64Array, n: number): NtkSpectrum => {
      const eig = symmetricEigen(K, n, leading);
      let trace = 0;
      for (let i = 0; i < n; i++) trace += K[i * n + i];
      return { grid, state, points: n, trace, ...eig };
    };
    if (grids.includes("1d")) {
      const encoder = encoder1D(config);
      const spec = { ...networkSpec(config), inputs: encoder.features, outputs: 1 };
      // the grid x = n/N, encoded: row-major [N][features]
      const grid = new Float64Array(points * encoder.features);
      encoder.encode(
        Float64Array.from({ length: points }, (_, n) => n / points),
        grid,
        points,
      );
      const weights = initialWeightsFor(spec, config);
      options.onStep?.(kind, "1d", "init");
      kernels.push(spectrum("1d", "init", ntkKernel(float64MLP(spec, weights), grid, points), points));
      if (trainedEpochs > 0) {
        options.onStep?.(kind, "1d", "trained");
        const samples = 256;
        const { x, y } = sineTarget(SIGNAL_FREQUENCIES, samples, seed);
        const encoded = new Float32Array(samples * encoder.features);
        encoder.encode(x, encoded, samples);
        const run = { config, spec, weights, inputs: encoded, targets: y, samples, epochs: trainedEpochs, backend, batchSize: 32 };
        const trained = await trainWatched(run, () => {});
        kernels.push(spectrum("1d", "trained", ntkKernel(float64MLP(spec, trained.weights), grid, points), points));
      }
    }
    if (grids.includes("2d")) {
      const spec = networkSpec(config);
      const encoder = createEncoder(config.encoding, seed);
      // a side × side grid over the same coordinate range as the image: row-major [side²][features]
      const grid = encodeImageGrid(encoder, side, side, "float64");
      const weights = initialWeightsFor(spec, config);
      options.onStep?.(kind, "2d", "init");
      kernels.push(spectrum("2d", "init", ntkKernel(float64MLP(spec, weights), grid, side * side), side * side));
      if (trainedEpochs > 0 && options.image !== undefined) {
        options.onStep?.(kind, "2d", "trained");
        const { width, height, data } = options.image;
        const encoded = encodeImageGrid(encoder, width, height) as Float32Array;
        const run = { config, spec, weights, inputs: encoded, targets: data, samples: width * height, epochs: trainedEpochs, backend };
        const trained = await trainWatched(run, () => {});
        kernels.push(spectrum("2d", "trained", ntkKernel(float64MLP(spec, trained.weights), grid, side * side), side * side));
      }
    }
    inputs[kind] = { preset: KIND_PRESETS[kind], kernels };
  }
  return { grids, trainedEpochs, inputs };
}
