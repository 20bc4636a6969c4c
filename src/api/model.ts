/**
 * @module
 * A trained coordinate network in memory: a continuous image you can sample anywhere, render at
 * any size, and save as safetensors (which `coordnet render` and PyTorch read).
 */

import type { LayerWeights, TrainerInfo } from "../backends/types.js";
import { type Config, parseConfig } from "../config.js";
import { createEncoder, type Encoder } from "../encoding/encoder.js";
import { normalizeCoordinate } from "../encoding/normalize.js";
import { CoordnetError, InvalidArgumentError, quote, readingArgument } from "../errors.js";
import { decodeModel, type EpochRecord, encodeModel } from "../io/model-format.js";
import { networkSpec } from "../model.js";
import { createTape, type MLP, mlpForward, type Tape } from "../reference/mlp.js";
import { VERSION } from "../version.js";
import { checkModelParts, thrownText } from "./args.js";
import { type RGBAImage, toRGBA } from "./image.js";

/** How a model was trained, when it came from `fit`. */
export interface TrainingSummary {
  /** the backend that trained it, as it reported itself */
  readonly backend: TrainerInfo;
  /** one entry per epoch */
  readonly history: EpochRecord[];
  /** seconds spent in training epochs */
  readonly seconds: number;
  /** MSE of the whole training image (prediction clamped to [0, 1]) */
  readonly mse: number;
  /** PSNR in dB, 10·log10(1/MSE) */
  readonly psnr: number;
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

/** Points evaluated per forward pass when rendering. */
const CHUNK = 4096;

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
 */
export class Model {
  /** the resolved config it was trained with */
  readonly config: Config;
  /** the weights, input layer first, PyTorch's layout ([out][in]) */
  readonly weights: LayerWeights[];
  /** Gaussian encodings: B, row-major [m][2]; otherwise null */
  readonly matrix: Float32Array | null;
  /** how it was trained (set by `fit`) */
  readonly training: TrainingSummary | null;
  private readonly encoder: Encoder;
  private readonly mlp: MLP;
  private tape: Tape | null = null;

  /**
   * @param config - the resolved config (see `parseConfig`)
   * @param weights - one entry per dense layer, shapes as the config implies
   * @param matrix - the Gaussian encoding's B, or null for other encodings
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
    const out = this.predictPoints(Float64Array.of(x, y), 1);
    return [out[0], out[1], out[2]];
  }

  /**
   * Colours at many coordinates: `points` row-major [count][2] of (x, y) in [0, 1]².
   *
   * @returns row-major [count][3]
   *
   * @example
   * ```ts
   * const rgb = model.predictMany(Float32Array.of(0, 0, 1, 1)); // two points → 6 values
   * ```
   */
  predictMany(points: ArrayLike<number>): Float32Array {
    const xy = readingArgument("predictMany", "points", () => pairs(points));
    return this.predictPoints(xy, xy.length / 2);
  }

  /**
   * The image at any size: the network evaluated at every pixel's centre, clamped to [0, 1], as
   * RGBA bytes in the shape of the browser's ImageData. Cost: one forward pass per pixel on the
   * reference (a 512×512 render of the study's network takes seconds).
   *
   * @example
   * ```ts
   * const { width, height, data } = model.render(256, 256);
   * ctx.putImageData(new ImageData(data, width, height), 0, 0); // in a browser
   * ```
   */
  render(width: number, height: number): RGBAImage {
    for (const [key, v] of [
      ["width", width],
      ["height", height],
    ] as const)
      if (!Number.isInteger(v) || v < 1 || v > 65536) throw new InvalidArgumentError(`render: ${key} must be an integer from 1 to 65536, got ${quote(v)}`);
    if (width * height > MAX_POINTS) throw new InvalidArgumentError(`render: ${width}×${height} is over 64 megapixels`);
    const points = new Float64Array(width * height * 2);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const k = (y * width + x) * 2;
        points[k] = normalizeCoordinate(x, width, "01");
        points[k + 1] = normalizeCoordinate(y, height, "01");
      }
    return toRGBA({ width, height, data: this.predictPoints(points, width * height) });
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

  /**
   * Encode `count` points ([count][2] in [0, 1]², float64) and run the network, a chunk at a time.
   * The range is applied before rounding to float32, as the training inputs were made.
   */
  private predictPoints(points: Float64Array, count: number): Float32Array {
    const { range } = this.config.encoding;
    const F = this.encoder.features;
    const out = new Float32Array(count * 3);
    const chunk = Math.min(CHUNK, count);
    if (this.tape === null || this.tape.maxBatch < chunk) this.tape = createTape(this.mlp, chunk);
    const p = new Float32Array(chunk * 2);
    const x = new Float32Array(chunk * F);
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      // [0, 1] → the config's range
      for (let k = 0; k < 2 * n; k++) p[k] = range === "01" ? points[2 * start + k] : 2 * points[2 * start + k] - 1;
      this.encoder.encode(p, x, n);
      out.set(mlpForward(this.mlp, this.tape, x, n), start * 3);
    }
    return out;
  }
}
