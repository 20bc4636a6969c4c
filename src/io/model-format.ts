/**
 * @module
 * coordnet's model and checkpoint format on top of safetensors, as bytes: no file system, so it
 * serves the browser as well as the command line (`model-file.ts` adds the files).
 *
 * Tensors: `layers.{i}.weight` ([out, in], as PyTorch's `nn.Linear`), `layers.{i}.bias`,
 * `encoding.B` for Gaussian features; checkpoints add `adam.m.{k}` / `adam.v.{k}`. Metadata:
 * `format` (`coordnet` or `coordnet-checkpoint`), `version`, `config` (the resolved config as
 * JSON), in checkpoints `state` (the training position as JSON), and `checksum`.
 *
 * `checksum` is `crc32:` and 8 hex digits: the CRC-32 of the other metadata (as the JSON of its
 * [key, value] pairs in key order) and of every tensor in name order (the JSON of [name, shape],
 * then its float32 bytes, little-endian). A flipped bit anywhere in what the file means is caught;
 * so is a file edited by hand or by another program that kept the old checksum. A file without a
 * `checksum` (written before coordnet had one, or by another program) is read unverified: a
 * checkpoint says so (`unverified`) and `coordnet train --resume` warns.
 */

import { checkOptimizerState, checkValues } from "../backends/checks.js";
import type { LayerWeights, OptimizerSnapshot } from "../backends/types.js";
import { type Config, parseConfig } from "../config.js";
import { sapeParts, sapeStateLength, sapeStateProblem } from "../encoding/sape.js";
import { ModelFileError, quote } from "../errors.js";
import { parseJson } from "../json.js";
import { networkSpec } from "../network.js";
import { layerSizes } from "../reference/mlp.js";
import { crc32 } from "./crc32.js";
import { checkPosition, type TrainingPosition } from "./position.js";
import { decodeSafeTensors, encodeSafeTensors, SafeTensorsError, type Tensor } from "./safetensors.js";

export { ModelFileError } from "../errors.js";

/** What a model file holds. */
export interface ModelFile {
  /** the fully resolved config the model was trained with */
  readonly config: Config;
  /** the weights, input layer first */
  readonly weights: LayerWeights[];
  /** Gaussian encodings: B, row-major [m][2]; SAPE: its state (`encoding/sape.ts`); otherwise null */
  readonly matrix: Float32Array | null;
}

export type { EpochRecord, RunSetup, TrainingPosition } from "./position.js";

/** A checkpoint: a model plus Adam's state and the training position. */
export interface Checkpoint extends ModelFile {
  /** Adam's state */
  readonly optimizer: OptimizerSnapshot;
  /** where training stands */
  readonly position: TrainingPosition;
  /** true when read from a file without a checksum (written before coordnet had them): its data could not be verified */
  readonly unverified?: boolean;
}

/** The metadata key of the checksum. */
const CHECKSUM = "checksum";

const IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A tensor's float32 values as the little-endian bytes a safetensors file holds. */
function littleEndianBytes(data: Float32Array): Uint8Array {
  if (IS_LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.length * 4);
  const dv = new DataView(out.buffer);
  for (let k = 0; k < data.length; k++) dv.setFloat32(4 * k, data[k], true);
  return out;
}

/** `crc32:xxxxxxxx` of a file's metadata (less its checksum) and tensors: see the module's comment. */
function checksumOf(tensors: ReadonlyMap<string, Tensor>, metadata: Readonly<Record<string, string>>): string {
  const text = new TextEncoder();
  const entries = Object.keys(metadata)
    .filter((key) => key !== CHECKSUM)
    .sort()
    .map((key) => [key, metadata[key]]);
  let crc = crc32(text.encode(JSON.stringify(entries)));
  for (const name of [...tensors.keys()].sort()) {
    const { shape, data } = tensors.get(name) as Tensor;
    crc = crc32(littleEndianBytes(data), crc32(text.encode(JSON.stringify([name, shape])), crc));
  }
  return `crc32:${crc.toString(16).padStart(8, "0")}`;
}

/** safetensors bytes of tensors and metadata, with the metadata's checksum. */
function encodeWithChecksum(tensors: Map<string, Tensor>, metadata: Record<string, string>): Uint8Array {
  return encodeSafeTensors(tensors, { ...metadata, [CHECKSUM]: checksumOf(tensors, metadata) });
}

/**
 * Verify a decoded file's checksum; false when it has none.
 *
 * @throws {@link ModelFileError} when it does not match
 */
function verifyChecksum(path: string, file: ReturnType<typeof decodeSafeTensors>): boolean {
  const recorded = file.metadata[CHECKSUM];
  if (recorded === undefined) return false;
  const computed = checksumOf(file.tensors, file.metadata);
  if (recorded !== computed)
    throw new ModelFileError(`${path}: its checksum does not match (${quote(recorded, 20)} recorded, ${computed} computed): the file is damaged`);
  return true;
}

function modelTensors(model: ModelFile): Map<string, Tensor> {
  const tensors = new Map<string, Tensor>();
  model.weights.forEach((w, i) => {
    tensors.set(`layers.${i}.weight`, { shape: [w.bias.length, w.weight.length / w.bias.length], data: w.weight });
    tensors.set(`layers.${i}.bias`, { shape: [w.bias.length], data: w.bias });
  });
  const { encoding } = model.config;
  if (encoding.type === "sape" && model.matrix !== null) {
    // SAPE's state as its three parts: B [m][2], the progressions [G][G], the going flags [G][G]
    const { B, progress, going } = sapeParts(model.matrix, encoding);
    tensors.set("encoding.B", { shape: [encoding.features, 2], data: B });
    tensors.set("encoding.progress", { shape: [encoding.grid, encoding.grid], data: progress });
    tensors.set("encoding.going", { shape: [encoding.grid, encoding.grid], data: going });
  } else if (model.matrix !== null) tensors.set("encoding.B", { shape: [model.matrix.length / 2, 2], data: model.matrix });
  return tensors;
}

/**
 * Serialise a model to safetensors bytes.
 *
 * @example
 * ```ts
 * writeFileSync("model.safetensors", encodeModel({ config, weights, matrix: null }, "0.1.0"));
 * ```
 */
export function encodeModel(model: ModelFile, version: string): Uint8Array {
  return encodeWithChecksum(modelTensors(model), { format: "coordnet", version, config: JSON.stringify(model.config) });
}

/**
 * The safetensors bytes of a checkpoint: the model, Adam's moments and the training position.
 *
 * @example
 * ```ts
 * const bytes = encodeCheckpoint(checkpoint, "0.1.0");
 * ```
 */
export function encodeCheckpoint(checkpoint: Checkpoint, version: string): Uint8Array {
  const tensors = modelTensors(checkpoint);
  checkpoint.optimizer.m.forEach((m, k) => {
    tensors.set(`adam.m.${k}`, { shape: [m.length], data: m });
    tensors.set(`adam.v.${k}`, { shape: [m.length], data: checkpoint.optimizer.v[k] });
  });
  const state = { ...checkpoint.position, adamStep: checkpoint.optimizer.step };
  return encodeWithChecksum(tensors, { format: "coordnet-checkpoint", version, config: JSON.stringify(checkpoint.config), state: JSON.stringify(state) });
}

function decode(name: string, bytes: Uint8Array): ReturnType<typeof decodeSafeTensors> {
  try {
    return decodeSafeTensors(bytes);
  } catch (e) {
    if (e instanceof SafeTensorsError) throw new ModelFileError(`${name}: ${e.message}`);
    throw e;
  }
}

/** Parse a JSON string from a file's metadata, refusing what is not JSON or nests too deeply. */
function parseJSON(path: string, what: string, text: string): unknown {
  return parseJson(text, (reason) => new ModelFileError(`${path}: its ${what} ${reason.replace(/ \(.*\)$/, "")}`));
}

/** Run a check (of `position.ts` or the trainer boundary), putting the file's name before its message. */
function inFile<T>(path: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof ModelFileError) throw new ModelFileError(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * The model in a decoded file: its config, and every tensor that config implies with the shape it
 * implies, finite; no other tensor than those (and, in a checkpoint, Adam's moments).
 */
function parseModel(path: string, file: ReturnType<typeof decodeSafeTensors>, extra: (name: string) => boolean = () => false): ModelFile {
  const { tensors, metadata } = file;
  if (typeof metadata.config !== "string") throw new ModelFileError(`${path}: not a coordnet model (no config in its metadata)`);
  let config: Config;
  try {
    config = parseConfig(parseJSON(path, "config", metadata.config));
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(`${path}: its config is invalid: ${(e as Error).message}`);
  }
  const sizes = layerSizes(networkSpec(config));
  const expected = new Set<string>();
  const weights: LayerWeights[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const w = tensors.get(`layers.${i}.weight`);
    const b = tensors.get(`layers.${i}.bias`);
    if (w === undefined || b === undefined) throw new ModelFileError(`${path}: tensor layers.${i}.weight or layers.${i}.bias is missing`);
    if (w.shape.join() !== `${sizes[i + 1]},${sizes[i]}`)
      throw new ModelFileError(`${path}: layers.${i} has shape [${w.shape}], expected [${sizes[i + 1]}, ${sizes[i]}] for its config`);
    // the bias named with its own shape (a [1,128] bias once read "has shape [128,2], expected [128, 2]")
    if (b.shape.join() !== `${sizes[i + 1]}`)
      throw new ModelFileError(`${path}: layers.${i}.bias has shape [${b.shape}], expected [${sizes[i + 1]}] for its config`);
    inFile(path, () => checkValues(`layers.${i}.weight`, w.data, sizes[i + 1] * sizes[i]));
    inFile(path, () => checkValues(`layers.${i}.bias`, b.data, sizes[i + 1]));
    expected.add(`layers.${i}.weight`).add(`layers.${i}.bias`);
    weights.push({ weight: w.data, bias: b.data });
  }
  let matrix: Float32Array | null = null;
  if (config.encoding.type === "gaussian") {
    const B = tensors.get("encoding.B");
    if (B === undefined || B.shape.join() !== `${config.encoding.features},2`)
      throw new ModelFileError(`${path}: tensor encoding.B is missing or is not [${config.encoding.features}, 2]`);
    inFile(path, () => checkValues("encoding.B", B.data, config.encoding.type === "gaussian" ? config.encoding.features * 2 : 0));
    expected.add("encoding.B");
    matrix = B.data;
  }
  if (config.encoding.type === "sape") {
    const { features: m, grid: G } = config.encoding;
    const parts = [
      ["encoding.B", [m, 2]],
      ["encoding.progress", [G, G]],
      ["encoding.going", [G, G]],
    ] as const;
    matrix = new Float32Array(sapeStateLength(config.encoding));
    let at = 0;
    for (const [name, shape] of parts) {
      const t = tensors.get(name);
      if (t === undefined || t.shape.join() !== shape.join()) throw new ModelFileError(`${path}: tensor ${name} is missing or is not [${shape.join(", ")}]`);
      inFile(path, () => checkValues(name, t.data, shape[0] * shape[1]));
      expected.add(name);
      matrix.set(t.data, at);
      at += t.data.length;
    }
    // finite is not enough: the mask and the progression read progressions in 0 … m and flags 0 or 1
    const problem = sapeStateProblem(matrix, config.encoding);
    if (problem !== null) throw new ModelFileError(`${path}: encoding.${problem}`);
  }
  for (const name of tensors.keys())
    if (!expected.has(name) && !extra(name)) throw new ModelFileError(`${path}: tensor ${name.slice(0, 60)} is not part of a network with its config`);
  return { config, weights, matrix };
}

/**
 * Read a model from safetensors bytes; `name` (a path, say) starts every error message.
 *
 * @throws {@link ModelFileError} with one readable line
 *
 * @example
 * ```ts
 * const { config, weights, matrix } = decodeModel(bytes, "model.safetensors");
 * ```
 */
export function decodeModel(bytes: Uint8Array, name: string): ModelFile {
  const file = decode(name, bytes);
  const model = parseModel(name, file);
  // last, so that a file that is wrong in a way a check can name gets that check's message
  verifyChecksum(name, file);
  return model;
}

/**
 * Read a checkpoint from safetensors bytes; `name` starts every error message.
 *
 * @throws {@link ModelFileError} with one readable line
 *
 * @example
 * ```ts
 * const checkpoint = decodeCheckpoint(bytes, "out/checkpoint.safetensors");
 * ```
 */
export function decodeCheckpoint(bytes: Uint8Array, name: string): Checkpoint {
  const path = name;
  const file = decode(name, bytes);
  if (file.metadata.format !== "coordnet-checkpoint" || typeof file.metadata.state !== "string") throw new ModelFileError(`${path}: not a coordnet checkpoint`);
  const model = parseModel(path, file, (name) => /^adam\.[mv]\.\d+$/.test(name));
  const state = inFile(path, () => checkPosition(parseJSON(path, "training state", file.metadata.state), model.config));
  const m: Float32Array[] = [];
  const v: Float32Array[] = [];
  for (let k = 0; k < 2 * model.weights.length; k++) {
    const mk = file.tensors.get(`adam.m.${k}`);
    const vk = file.tensors.get(`adam.v.${k}`);
    if (mk === undefined || vk === undefined) throw new ModelFileError(`${path}: Adam state adam.m.${k} / adam.v.${k} is missing`);
    m.push(mk.data);
    v.push(vk.data);
  }
  if (file.tensors.has(`adam.m.${m.length}`) || file.tensors.has(`adam.v.${m.length}`))
    throw new ModelFileError(`${path}: it holds more Adam moments than its network has weights and biases`);
  const { adamStep, ...position } = state;
  const optimizer = { step: adamStep, m, v };
  inFile(path, () => checkOptimizerState(networkSpec(model.config), optimizer));
  const verified = verifyChecksum(path, file);
  return verified ? { ...model, optimizer, position } : { ...model, optimizer, position, unverified: true };
}
