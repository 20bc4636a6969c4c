/**
 * @module
 * Spectral bias, measured over training: how much of the error sits at each frequency after each
 * epoch. Two setups: Rahaman et al.'s (2019) 1-D signal, a sum of sines of equal amplitude at known
 * frequencies, learnt by a network with one input; and the image, its error's energy in radial
 * bands of the 2-D DFT. Each gives a frequency × epoch matrix per input kind.
 */

import { createEncoder, encodeImageGrid } from "../encoding/encoder.js";
import { InvalidArgumentError, quote } from "../errors.js";
import type { RGBImage } from "../image/png.js";
import { networkSpec, OUTPUT_CHANNELS } from "../network.js";
import { Rng } from "../reference/rng.js";
import { amplitudes, type Band, bandOfBins, power2D, radialBands } from "./dft.js";
import { checkKinds, encoder1D, type InputKind, initialWeightsFor, KIND_PRESETS, kindConfig } from "./kinds.js";
import { trainWatched } from "./train.js";

/**
 * One input kind's error over training: `error[f][e]` is the error at frequency (or band) f after
 * epoch e (e = 0: at initialisation), relative to the target's own amplitude there, so 1 means
 * "not learnt at all" and 0 "learnt exactly".
 *
 * @group Spectral bias
 */
export interface SpectrumMatrix {
  /** the preset the kind trains with */
  readonly preset: string;
  /** the backend that ran */
  readonly backend: string;
  /** row-major [frequency][epoch + 1] */
  readonly error: number[][];
  /** per frequency, the first epoch whose error is below the threshold, or null if none is */
  readonly learnedAt: (number | null)[];
  /** the training loss (MSE over every sample) at each epoch, from 0 */
  readonly loss: number[];
}

/**
 * Options shared by {@link signalSpectrum} and {@link imageSpectrum}.
 *
 * @group Spectral bias
 */
export interface SpectrumOptions {
  /** input kinds to compare (default: all of {@link INPUT_KINDS}) */
  readonly kinds?: readonly InputKind[];
  /** epochs to train each (default: 200 for the signal, 30 for the image) */
  readonly epochs?: number;
  /** backend name or `auto` (default) */
  readonly backend?: string;
  /** seed of weights, encodings, shuffles and the signal's phases (default 0) */
  readonly seed?: number;
  /** "learnt" means an error below this (default 0.5: half the target's amplitude) */
  readonly threshold?: number;
  /** told after each epoch of each kind */
  readonly onEpoch?: (kind: InputKind, epoch: number, epochs: number) => void;
}

/**
 * Options of {@link signalSpectrum}.
 *
 * @group Spectral bias
 */
export interface SignalOptions extends SpectrumOptions {
  /** frequencies of the target's sines, in cycles over [0, 1) (default {@link SIGNAL_FREQUENCIES}) */
  readonly frequencies?: readonly number[];
  /** samples on [0, 1) (default 256; more than twice the highest frequency) */
  readonly samples?: number;
  /** samples per step (default 32: 8 steps an epoch) */
  readonly batchSize?: number;
}

/**
 * The 1-D experiment's result.
 *
 * @group Spectral bias
 */
export interface SignalSpectrum {
  /** the target's frequencies, cycles over [0, 1), the rows of every matrix */
  readonly frequencies: number[];
  /** the amplitude of each sine */
  readonly amplitude: number;
  /** the phase of each sine, radians */
  readonly phases: number[];
  /** samples on [0, 1) */
  readonly samples: number;
  /** epochs trained */
  readonly epochs: number;
  /** the error threshold of `learnedAt` */
  readonly threshold: number;
  /** one matrix per input kind */
  readonly inputs: Partial<Record<InputKind, SpectrumMatrix>>;
}

/**
 * 2, 4, …, 20 cycles over [0, 1): ten frequencies from low to high, evenly spread — Rahaman et al.'s
 * setup (their κ = 5, 10, …, 50) scaled down 2.5×, because the study's 4×128 network with its
 * preset's Adam 1e-3 learns their lowest three only after 375, 735 and 923 epochs of 256 samples
 * (measured), too slow for a command that should take a minute; at 2 … 20 raw coordinates show the
 * same ladder within 200 epochs.
 *
 * @example
 * ```ts
 * const { y } = sineTarget(SIGNAL_FREQUENCIES, 256, 0); // ten sines, 2 to 20 cycles over [0, 1)
 * ```
 *
 * @group Spectral bias
 */
export const SIGNAL_FREQUENCIES: readonly number[] = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20];

/**
 * The 1-D target of {@link sineTarget}.
 *
 * @group Spectral bias
 */
export interface SineTarget {
  /** the sample points n/N, [N] */
  readonly x: Float32Array;
  /** the target at each point, row-major [N][1] */
  readonly y: Float32Array;
  /** the amplitude of each sine */
  readonly amplitude: number;
  /** the phase of each sine, radians */
  readonly phases: number[];
}

/**
 * The 1-D target: y(x) = 0.5 + A·Σ_k sin(2π·k·x + φ_k) at x = n/N, with A = 0.4/K for K frequencies
 * (so y stays in [0.1, 0.9], inside the sigmoid output's range) and phases φ_k drawn from the
 * seed's `"phases"` stream (so the peaks do not all line up at x = 0).
 *
 * @example
 * ```ts
 * const { x, y, amplitude } = sineTarget([5, 10, 50], 256, 0); // amplitude = 0.4 / 3
 * ```
 *
 * @group Spectral bias
 */
export function sineTarget(frequencies: readonly number[], samples: number, seed: number): SineTarget {
  const amplitude = 0.4 / frequencies.length;
  const rng = new Rng(seed, "phases");
  const phases = frequencies.map(() => rng.uniform(0, 2 * Math.PI));
  // x[n] = n/N on [0, 1), one period of every sine; y row-major [N][1]
  const x = Float32Array.from({ length: samples }, (_, n) => n / samples);
  const y = Float32Array.from(x, (xn) => 0.5 + amplitude * frequencies.reduce((s, k, i) => s + Math.sin(2 * Math.PI * k * xn + phases[i]), 0));
  return { x, y, amplitude, phases };
}

/**
 * Rahaman et al.'s experiment: each input kind's network, with one input and one output, learns
 * {@link sineTarget}; after each epoch, the error's amplitude at each of the target's frequencies,
 * |DFT(prediction − target)[k]|·2/N, divided by the target's amplitude A.
 *
 * @example
 * ```ts
 * const s = await signalSpectrum({ kinds: ["raw", "positional"], epochs: 30 });
 * s.inputs.raw?.learnedAt; // per frequency, the epoch its error fell below half, or null
 * ```
 *
 * @group Spectral bias
 */
export async function signalSpectrum(options: SignalOptions = {}): Promise<SignalSpectrum> {
  const kinds = checkKinds("signalSpectrum", options.kinds ?? ["raw", "positional", "gaussian", "siren"]);
  const frequencies = [...(options.frequencies ?? SIGNAL_FREQUENCIES)];
  const samples = options.samples ?? 256;
  const { epochs, seed, threshold, backend } = common("signalSpectrum", options, 200);
  for (const k of frequencies)
    if (!Number.isInteger(k) || k < 1 || 2 * k >= samples)
      throw new InvalidArgumentError(`signalSpectrum: each frequency must be a whole number from 1 to below samples/2 = ${samples / 2}, got ${quote(k)}`);
  const { x, y, amplitude, phases } = sineTarget(frequencies, samples, seed);
  const inputs: Partial<Record<InputKind, SpectrumMatrix>> = {};
  for (const kind of kinds) {
    const config = kindConfig(kind, { seed });
    const encoder = encoder1D(config);
    const spec = { ...networkSpec(config), inputs: encoder.features, outputs: 1 };
    // row-major [N][features]
    const encoded = new Float32Array(samples * encoder.features);
    encoder.encode(x, encoded, samples);
    const error: number[][] = frequencies.map(() => []);
    const loss: number[] = [];
    const run = await trainWatched(
      { config, spec, weights: initialWeightsFor(spec, config), inputs: encoded, targets: y, samples, epochs, backend, batchSize: options.batchSize ?? 32 },
      (epoch, prediction) => {
        // e[n] = f(x[n]) − y[n]
        const e = Float64Array.from(prediction, (p, n) => p - y[n]);
        for (const [i, a] of amplitudes(e, frequencies).entries()) error[i].push(a / amplitude);
        loss.push(e.reduce((s, v) => s + v * v, 0) / samples);
        if (epoch > 0) options.onEpoch?.(kind, epoch, epochs);
      },
    );
    inputs[kind] = { preset: KIND_PRESETS[kind], backend: run.backend, error, learnedAt: learnedAt(error, threshold), loss };
  }
  return { frequencies, amplitude, phases, samples, epochs, threshold, inputs };
}

/**
 * Options of {@link imageSpectrum}.
 *
 * @group Spectral bias
 */
export interface ImageSpectrumOptions extends SpectrumOptions {
  /** radial bands from 0 to the Nyquist frequency (default 8) */
  readonly bands?: number;
  /** samples per step (default 256: a 64×64 image is then 16 steps an epoch, where the presets' 1024 would make it 4) */
  readonly batchSize?: number;
}

/**
 * The image experiment's result.
 *
 * @group Spectral bias
 */
export interface ImageSpectrum {
  /** the image's size (the size it was trained at) */
  readonly width: number;
  /** rows */
  readonly height: number;
  /** the radial bands, the rows of every matrix */
  readonly bands: Band[];
  /** epochs trained */
  readonly epochs: number;
  /** the error threshold of `learnedAt` */
  readonly threshold: number;
  /** one matrix per input kind */
  readonly inputs: Partial<Record<InputKind, SpectrumMatrix>>;
}

/**
 * Each input kind's network (its preset, RGB out) learns the image; after each epoch, the error's
 * energy in each radial band of the 2-D DFT, relative to the image's own: √(Σ_band |DFT(f − y)|² /
 * Σ_band |DFT(y)|²), summed over the three channels. The constant term (the mean colour) is in no
 * band (the mean is learnt in the first steps and would swamp the lowest band).
 *
 * @param image - the target, at the size to train at (keep it small: 64×64 trains in seconds)
 *
 * @example
 * ```ts
 * const s = await imageSpectrum(resample(image, 64, 64), { kinds: ["raw"], epochs: 20 });
 * s.inputs.raw?.error[0]; // the lowest band's error after each epoch
 * ```
 *
 * @group Spectral bias
 */
export async function imageSpectrum(image: RGBImage, options: ImageSpectrumOptions = {}): Promise<ImageSpectrum> {
  const kinds = checkKinds("imageSpectrum", options.kinds ?? ["raw", "positional", "gaussian", "siren"]);
  const { epochs, seed, threshold, backend } = common("imageSpectrum", options, 30);
  const count = options.bands ?? 8;
  if (!Number.isInteger(count) || count < 1 || count > 64)
    throw new InvalidArgumentError(`imageSpectrum: bands must be a whole number from 1 to 64, got ${quote(count)}`);
  const { width, height, data: target } = image;
  const samples = width * height;
  const band = bandOfBins(width, height, count);
  // the target's energy per band, Σ over channels of |DFT(y)|²
  const targetEnergy = bandEnergy(target, width, height, band, count);
  const inputs: Partial<Record<InputKind, SpectrumMatrix>> = {};
  for (const kind of kinds) {
    const config = kindConfig(kind, { seed });
    const spec = networkSpec(config);
    const encoded = encodeImageGrid(createEncoder(config.encoding, seed), width, height) as Float32Array;
    const error: number[][] = Array.from({ length: count }, () => []);
    const loss: number[] = [];
    const run = await trainWatched(
      {
        config,
        spec,
        weights: initialWeightsFor(spec, config),
        inputs: encoded,
        targets: target,
        samples,
        epochs,
        backend,
        batchSize: options.batchSize ?? 256,
      },
      (epoch, prediction) => {
        // e = f − y, row-major [H][W][3]
        const e = Float64Array.from(prediction, (p, k) => p - target[k]);
        for (const [b, relative] of relativeErrors(e, targetEnergy, width, height, band, count).entries()) error[b].push(relative);
        loss.push(e.reduce((s, v) => s + v * v, 0) / e.length);
        if (epoch > 0) options.onEpoch?.(kind, epoch, epochs);
      },
    );
    inputs[kind] = { preset: KIND_PRESETS[kind], backend: run.backend, error, learnedAt: learnedAt(error, threshold), loss };
  }
  return { width, height, bands: radialBands(count), epochs, threshold, inputs };
}

/**
 * The error of one prediction in each radial band of the 2-D DFT, relative to the target's own
 * energy there: √(Σ_band |DFT(prediction − target)|² / Σ_band |DFT(target)|²), summed over the
 * three channels, the constant term in no band — one column of {@link imageSpectrum}'s matrices
 * (1: not learnt at all, 0: learnt exactly). For a host that trains on its own and measures as it
 * goes (the playground's live heatmap).
 *
 * @param prediction - the network's image, row-major [H][W][3]
 * @param target - the image it learns, row-major [H][W][3]
 * @param bands - radial bands from 0 to the Nyquist frequency (default 8, {@link imageSpectrum}'s)
 * @returns one error per band, lowest first (a band where the target has no energy: NaN)
 *
 * @example
 * ```ts
 * const errors = bandErrors(prediction.data, image.data, image.width, image.height); // 8 numbers
 * ```
 *
 * @group Spectral bias
 */
export function bandErrors(prediction: ArrayLike<number>, target: ArrayLike<number>, width: number, height: number, bands = 8): number[] {
  if (!Number.isInteger(bands) || bands < 1 || bands > 64)
    throw new InvalidArgumentError(`bandErrors: bands must be a whole number from 1 to 64, got ${quote(bands)}`);
  for (const [name, v] of [
    ["width", width],
    ["height", height],
  ] as const)
    if (!Number.isSafeInteger(v) || v < 1) throw new InvalidArgumentError(`bandErrors: ${name} must be a whole number ≥ 1, got ${quote(v)}`);
  const n = width * height * OUTPUT_CHANNELS;
  if (prediction?.length !== n || target?.length !== n)
    throw new InvalidArgumentError(
      `bandErrors: prediction and target must each hold ${width}×${height}×3 = ${n} numbers, got ${prediction?.length} and ${target?.length}`,
    );
  const band = bandOfBins(width, height, bands);
  const targetEnergy = bandEnergy(target, width, height, band, bands);
  // e = f − y, row-major [H][W][3]
  const e = Float64Array.from({ length: n }, (_, k) => prediction[k] - target[k]);
  return relativeErrors(e, targetEnergy, width, height, band, bands);
}

/** √(error energy / target energy) per band. */
function relativeErrors(e: Float64Array, targetEnergy: number[], width: number, height: number, band: Uint16Array, count: number): number[] {
  return bandEnergy(e, width, height, band, count).map((energy, b) => Math.sqrt(energy / targetEnergy[b]));
}

/** Σ over channels and over the bins of each band of |DFT|² (the constant term left out). */
function bandEnergy(data: ArrayLike<number>, width: number, height: number, band: Uint16Array, count: number): number[] {
  // one slot more than there are bands: the constant term's, dropped
  const energy = new Array<number>(count + 1).fill(0);
  for (let c = 0; c < OUTPUT_CHANNELS; c++) {
    const power = power2D(data, width, height, OUTPUT_CHANNELS, c);
    for (let k = 0; k < power.length; k++) energy[band[k]] += power[k];
  }
  return energy.slice(0, count);
}

/**
 * Per row of `error` ([frequency][epoch]), the first epoch whose error is below `threshold`, or
 * null when none is.
 *
 * @example
 * ```ts
 * learnedAt([[1, 0.6, 0.4], [1, 0.9, 0.8]], 0.5); // [2, null]
 * ```
 *
 * @group Spectral bias
 */
export function learnedAt(error: readonly (readonly number[])[], threshold: number): (number | null)[] {
  return error.map((row) => {
    const e = row.findIndex((v) => v < threshold);
    return e < 0 ? null : e;
  });
}

function common(fn: string, options: SpectrumOptions, defaultEpochs: number): { epochs: number; seed: number; threshold: number; backend: string } {
  if (options === null || typeof options !== "object") throw new InvalidArgumentError(`${fn}: options must be an object, got ${quote(options)}`);
  const epochs = options.epochs ?? defaultEpochs;
  const seed = options.seed ?? 0;
  const threshold = options.threshold ?? 0.5;
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 100_000)
    throw new InvalidArgumentError(`${fn}: epochs must be a whole number from 1 to 100000, got ${quote(epochs)}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new InvalidArgumentError(`${fn}: seed must be a whole number from 0 to 2³²−1, got ${quote(seed)}`);
  if (typeof threshold !== "number" || !(threshold > 0)) throw new InvalidArgumentError(`${fn}: threshold must be a number > 0, got ${quote(threshold)}`);
  return { epochs, seed, threshold, backend: options.backend ?? "auto" };
}
