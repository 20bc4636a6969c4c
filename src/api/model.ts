/**
 * @module
 * A trained coordinate network in memory: a continuous image you can sample anywhere, render at
 * any size, and save as safetensors (which `coordnet render` and PyTorch read).
 */

// the built-in backends registered, whichever entry point (or file) Model was imported from
import "../backends/index.js";
import { requireBackend } from "../backends/registry.js";
import type { LayerWeights, TrainerInfo } from "../backends/types.js";
import { type Config, parseConfig } from "../config.js";
import { createEncoder, type Encoder } from "../encoding/encoder.js";
import { normalizeCoordinate } from "../encoding/normalize.js";
import { CoordnetError, InvalidArgumentError, quote, readingArgument } from "../errors.js";
import { decodeModel, type EpochRecord, encodeModel } from "../io/model-format.js";
import { networkSpec } from "../network.js";
import { createTape, type MLP, mlpForward, type Tape } from "../reference/mlp.js";
import { VERSION } from "../version.js";
import { checkModelParts, thrownText } from "./args.js";
import { type RGBAImage, toRGBA } from "./image.js";

/**
 * How a model was trained, when it came from `fit`.
 *
 * @group Models
 */
export interface TrainingSummary {
  /** the backend that trained it, as it reported itself */
  readonly backend: TrainerInfo;
  /** one entry per epoch */
  readonly history: EpochRecord[];
  /** seconds spent in training epochs */
  readonly seconds: number;
  /**
   * MSE over the pixels trained on (prediction clamped to [0, 1]): the whole training image, or
   * the pixels a `holdout` left to train on
   */
  readonly mse: number;
  /** PSNR in dB, 10·log10(1/MSE) */
  readonly psnr: number;
  /** MSE over the held-out pixels (the same prediction): present when it trained with a `holdout` */
  readonly testMse?: number;
  /** PSNR in dB over the held-out pixels: present when it trained with a `holdout` */
  readonly testPsnr?: number;
}

/** The most points one call evaluates: 64 megapixels. */
const MAX_POINTS = 2 ** 26;

/**
 * The constructor's arguments checked: the config resolved again (so a config missing a field, or
 * holding a function, is named), the weights against the network it implies (one weight and bias
 * per layer, of the right lengths, finite), and the Gaussian matrix where the encoding has one.
 */
function checkModel(config: Config, weights: LayerWeights[], matrix: Float32Array | null): Config {
  let checked: Config;
  try {
    checked = parseConfig(config);
  } catch (e) {
    throw new InvalidArgumentError(`new Model: the config is not a resolved config: ${(e as Error).message}`);
  }
  try {
    checkModelParts(checked, weights, matrix);
  } catch (e) {
    if (e instanceof CoordnetError) throw new InvalidArgumentError(`new Model: ${e.message}`);
    throw new InvalidArgumentError(`new Model: the weights could not be read: ${thrownText(e)}`);
  }
  return checked;
}

/** The (x, y) pairs of `points` as float64, each a finite number; anything else refused in one line. */
function pairs(points: ArrayLike<number>): Float64Array {
  if (points === null || typeof points !== "object" || points instanceof BigInt64Array || points instanceof BigUint64Array)
    throw new InvalidArgumentError(`predictMany takes an array of (x, y) pairs: [x0, y0, x1, y1, …], got ${quote(points)}`);
  const { length } = points;
  if (!Number.isSafeInteger(length) || length < 0 || length % 2 !== 0 || length > 2 * MAX_POINTS)
    throw new InvalidArgumentError(`predictMany takes an even number of values (x, y pairs), at most ${2 * MAX_POINTS}; got a length of ${quote(length)}`);
  const xy = new Float64Array(length);
  for (let k = 0; k < length; k++) {
    const v = points[k];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new InvalidArgumentError(`predictMany: point value ${k} is ${quote(v)}, not a finite number`);
    xy[k] = v;
  }
  return xy;
}

/** Points encoded and evaluated per call of the backend (and per progress report): the batch `coordnet render`'s memory estimate assumes. */
const RENDER_CHUNK = 4096;

/**
 * How {@link Model.render} and {@link Model.predictMany} evaluate the network.
 *
 * @group Models
 */
export interface EvaluateOptions {
  /**
   * the backend that runs the forward passes, as `fit` takes it: `auto` (default) picks the fastest
   * that runs here (see `listBackends`); `reference` is the readable TypeScript MLP
   */
  readonly backend?: string;
  /** called after each chunk of 4,096 points with the points done and the total */
  readonly onProgress?: (done: number, total: number) => void;
  /** stops the evaluation between chunks (the promise rejects with the signal's reason) */
  readonly signal?: AbortSignal;
}

/** The options of render and predictMany, checked; anything else refused in one line. */
function evaluateOptions(fn: string, options: unknown): EvaluateOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object")
    throw new InvalidArgumentError(`${fn}: options must be { backend, onProgress, signal }, got ${quote(options)}`);
  const { backend, onProgress, signal } = options as Record<string, unknown>;
  if (backend !== undefined && (typeof backend !== "string" || backend === ""))
    throw new InvalidArgumentError(`${fn}: options.backend must be a backend name such as "auto" or "wasm", got ${quote(backend)}`);
  if (onProgress !== undefined && typeof onProgress !== "function")
    throw new InvalidArgumentError(`${fn}: options.onProgress must be a function, got ${quote(onProgress)}`);
  if (signal !== undefined && !(typeof AbortSignal !== "undefined" && signal instanceof AbortSignal))
    throw new InvalidArgumentError(`${fn}: options.signal must be an AbortSignal, got ${quote(signal)}`);
  return { backend: backend as string | undefined, onProgress: onProgress as EvaluateOptions["onProgress"], signal: signal as AbortSignal | undefined };
}

/**
 * A trained network and its encoding. Evaluation runs the reference MLP (the readable code of
 * `coordnet/reference`), in any JavaScript engine; training backends are only needed to train.
 *
 * @example
 * ```ts
 * const model = await fit(image, { preset: "positional", epochs: 50 });
 * model.predict(0.5, 0.5); // [r, g, b] at the centre
 * const png = model.render(1024, 1024); // { width, height, data: Uint8ClampedArray }
 * const bytes = model.toSafetensors(); // Model.fromSafetensors(bytes) reads it back
 * ```
 *
 * @group Models
 */
export class Model {
  /** the resolved config it was trained with */
  readonly config: Config;
  /** the weights, input layer first, PyTorch's layout ([out][in]) */
  readonly weights: LayerWeights[];
  /** Gaussian encodings: B, row-major [m][2]; SAPE: its state (B sorted, the progressions and going flags of its grid); otherwise null */
  readonly matrix: Float32Array | null;
  /** how it was trained (set by `fit`) */
  readonly training: TrainingSummary | null;
  private readonly encoder: Encoder;
  private readonly mlp: MLP;
  private tape: Tape | null = null;

  /**
   * @param config - the resolved config (see `parseConfig`)
   * @param weights - one entry per dense layer, shapes as the config implies
   * @param matrix - the Gaussian encoding's B, SAPE's state, or null for other encodings
   * @param training - how it was trained, if known
   */
  constructor(config: Config, weights: LayerWeights[], matrix: Float32Array | null = null, training: TrainingSummary | null = null) {
    const checked = checkModel(config, weights, matrix);
    this.config = checked;
    this.weights = weights;
    this.matrix = matrix;
    this.training = training;
    this.encoder = createEncoder(checked.encoding, checked.training.seed, matrix ?? undefined);
    const spec = networkSpec(checked);
    this.mlp = {
      spec,
      dtype: "float32",
      layers: weights.map((w) => ({ inputs: w.weight.length / w.bias.length, outputs: w.bias.length, weight: w.weight, bias: w.bias })),
    };
  }

  /**
   * The colour at a continuous coordinate: (0, 0) is the top-left pixel's centre, (1, 1) the
   * bottom-right one's; values between pixels (and, at your own risk, outside) are the network's.
   *
   * @returns `[r, g, b]`, as the network outputs them (the sigmoid output keeps them in [0, 1])
   *
   * @example
   * ```ts
   * const [r, g, b] = model.predict(0.25, 0.75);
   * ```
   */
  predict(x: number, y: number): [number, number, number] {
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new InvalidArgumentError(`predict(x, y) takes finite numbers, got (${quote(x)}, ${quote(y)})`);
    // one point: the reference, at once (a backend's start-up would cost more than the pass)
    const p = new Float32Array(2);
    this.fillPoints(Float64Array.of(x, y), 0, 1, p);
    const features = new Float32Array(this.encoder.features);
    this.encoder.encode(p, features, 1);
    if (this.tape === null) this.tape = createTape(this.mlp, 1);
    const out = mlpForward(this.mlp, this.tape, features, 1);
    return [out[0], out[1], out[2]];
  }

  /**
   * Colours at many coordinates: `points` row-major [count][2] of (x, y) in [0, 1]², evaluated on
   * a training backend (`options.backend`, default `auto`: the fastest that runs here).
   *
   * @returns row-major [count][3]
   *
   * @example
   * ```ts
   * const rgb = await model.predictMany(Float32Array.of(0, 0, 1, 1)); // two points → 6 values
   * ```
   */
  async predictMany(points: ArrayLike<number>, options?: EvaluateOptions): Promise<Float32Array> {
    const xy = readingArgument("predictMany", "points", () => pairs(points));
    const checked = readingArgument("predictMany", "options", () => evaluateOptions("predictMany", options));
    return this.evaluate(xy.length / 2, (start, n, p) => this.fillPoints(xy, start, n, p), checked);
  }

  /**
   * The image at any size: the network evaluated at every pixel's centre, clamped to [0, 1], as
   * RGBA bytes in the shape of the browser's ImageData. Runs on a training backend
   * (`options.backend`, default `auto`), which is what `coordnet render` does too: a 512×512 render
   * of the study's network is a fraction of a second on `wasm`, seconds on the reference.
   *
   * @example
   * ```ts
   * const { width, height, data } = await model.render(256, 256);
   * ctx.putImageData(new ImageData(data, width, height), 0, 0); // in a browser
   * ```
   */
  async render(width: number, height: number, options?: EvaluateOptions): Promise<RGBAImage> {
    for (const [key, v] of [
      ["width", width],
      ["height", height],
    ] as const)
      if (!Number.isInteger(v) || v < 1 || v > 65536) throw new InvalidArgumentError(`render: ${key} must be an integer from 1 to 65536, got ${quote(v)}`);
    if (width * height > MAX_POINTS) throw new InvalidArgumentError(`render: ${width}×${height} is over 64 megapixels`);
    const checked = readingArgument("render", "options", () => evaluateOptions("render", options));
    const { range } = this.config.encoding;
    // pixel (x, y)'s centre in the config's range, computed as the training inputs were
    const fill = (start: number, n: number, p: Float32Array) => {
      for (let i = 0; i < n; i++) {
        const k = start + i;
        p[2 * i] = normalizeCoordinate(k % width, width, range);
        p[2 * i + 1] = normalizeCoordinate(Math.floor(k / width), height, range);
      }
    };
    return toRGBA({ width, height, data: await this.evaluate(width * height, fill, checked) });
  }

  /**
   * The model as a safetensors file: tensors `layers.{i}.weight` ([out, in], as PyTorch's
   * `nn.Linear`) and `layers.{i}.bias` (and `encoding.B` for Gaussian features), with the config
   * in the metadata. `coordnet render` reads it; so does `Model.fromSafetensors`.
   *
   * @example
   * ```ts
   * writeFileSync("model.safetensors", model.toSafetensors()); // or saveModel from coordnet/node
   * ```
   */
  toSafetensors(): Uint8Array {
    return encodeModel({ config: this.config, weights: this.weights, matrix: this.matrix }, VERSION);
  }

  /**
   * Read a model from safetensors bytes (as written by {@link Model.toSafetensors} or
   * `coordnet train`).
   *
   * @throws ModelFileError with one readable line when the bytes are not a coordnet model
   *
   * @example
   * ```ts
   * const model = Model.fromSafetensors(new Uint8Array(await (await fetch("model.safetensors")).arrayBuffer()));
   * ```
   */
  static fromSafetensors(bytes: Uint8Array, name = "model"): Model {
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(`Model.fromSafetensors takes a Uint8Array, got ${quote(bytes)}`);
    if (typeof name !== "string") throw new InvalidArgumentError(`Model.fromSafetensors: name must be a string (it starts every message), got ${quote(name)}`);
    const { config, weights, matrix } = decodeModel(bytes, name);
    return new Model(config, weights, matrix);
  }

  /** Points `start … start + n` of `points` ([count][2] in [0, 1]², float64) in the config's range, as float32 into `p` (the range applied before rounding, as the training inputs were made). */
  private fillPoints(points: Float64Array, start: number, n: number, p: Float32Array): void {
    const { range } = this.config.encoding;
    for (let k = 0; k < 2 * n; k++) p[k] = range === "01" ? points[2 * start + k] : 2 * points[2 * start + k] - 1;
  }

  /**
   * Run the network on `count` points on the options' backend, a chunk at a time: `fill` writes a
   * chunk's coordinates, the encoder its features, the backend's trainer (made for this call, then
   * disposed) its outputs.
   */
  private async evaluate(count: number, fill: (start: number, n: number, p: Float32Array) => void, options: EvaluateOptions): Promise<Float32Array> {
    const out = new Float32Array(count * 3);
    if (count === 0) return out;
    const chunk = Math.min(RENDER_CHUNK, count);
    const backend = await requireBackend(options.backend ?? "auto");
    const config = this.config;
    const trainer = await backend.create({ spec: networkSpec(config), adam: config.optimizer, weights: this.weights, maxBatch: chunk });
    try {
      const F = this.encoder.features;
      const p = new Float32Array(chunk * 2);
      const x = new Float32Array(chunk * F);
      for (let start = 0; start < count; start += chunk) {
        options.signal?.throwIfAborted();
        const n = Math.min(chunk, count - start);
        fill(start, n, p);
        this.encoder.encode(p, x, n);
        out.set(await trainer.predict(x.subarray(0, n * F), n), start * 3);
        options.onProgress?.(start + n, count);
      }
    } finally {
      await trainer.dispose();
    }
    return out;
  }
}
