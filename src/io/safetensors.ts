/**
 * @module
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON header, then the raw tensor bytes. The header maps each tensor
 * name to `{ dtype, shape, data_offsets: [begin, end] }` (offsets relative to the end of the
 * header) and may hold `__metadata__`, a map of strings. coordnet writes only `F32`
 * (little-endian float32), pads the header with spaces to a multiple of 8 bytes, and stores
 * tensors in name order, contiguous.
 */

import { CoordnetError, quote } from "../errors.js";
import { parseJson } from "../json.js";

/** A named tensor: float32 data and its shape. */
export interface Tensor {
  /** dimensions, e.g. [out, in] */
  readonly shape: number[];
  /** row-major values */
  readonly data: Float32Array;
}

/** The contents of a safetensors file. */
export interface SafeTensors {
  /** tensors by name */
  readonly tensors: Map<string, Tensor>;
  /** the header's `__metadata__` (string values) */
  readonly metadata: Record<string, string>;
}

/**
 * A file that is not valid safetensors (one readable line).
 *
 * @example
 * ```ts
 * try { decodeSafeTensors(bytes); } catch (e) { if (e instanceof SafeTensorsError) console.error(e.message); }
 * ```
 */
export class SafeTensorsError extends CoordnetError {
  constructor(message: string) {
    super(message);
    this.name = "SafeTensorsError";
  }
}

/**
 * Serialise tensors and metadata to safetensors bytes.
 *
 * @example
 * ```ts
 * const bytes = encodeSafeTensors(new Map([["layers.0.weight", { shape: [128, 2], data }]]), { config: "{}" });
 * ```
 */
export function encodeSafeTensors(tensors: Map<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name) as Tensor;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new SafeTensorsError(`tensor ${quote(name)}: shape [${t.shape}] holds ${count} values, but its data has ${t.data.length}`);
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(Math.ceil((8 + json.length) / 8) * 8 - 8).fill(0x20); // padded with spaces to a multiple of 8
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  for (const name of names) {
    const data = (tensors.get(name) as Tensor).data;
    for (let k = 0; k < data.length; k++, p += 4) dv.setFloat32(p, data[k], true);
  }
  return out;
}

/** Largest header accepted, as in the reference implementation (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * Parse safetensors bytes (F32 tensors only), checking the header as the reference
 * implementation does: a JSON object, `__metadata__` (if present) a map of strings, each tensor
 * an object with dtype, a shape of whole numbers and `data_offsets` that fit that shape, and the
 * tensors' byte ranges, sorted, tiling the data section exactly (in range, no overlap, no gap,
 * nothing after the last). Values are read as they are (NaN included); what they must be is
 * for the reader of the model to say.
 *
 * @throws {@link SafeTensorsError} for anything malformed
 *
 * @example
 * ```ts
 * const { tensors, metadata } = decodeSafeTensors(readFileSync("model.safetensors"));
 * ```
 */
export function decodeSafeTensors(bytes: Uint8Array): SafeTensors {
  if (bytes.length < 8) throw new SafeTensorsError("not a safetensors file: shorter than its 8-byte header length");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n < 2 || 8 + n > bytes.length) throw new SafeTensorsError("not a safetensors file: its header length does not fit the file");
  if (n > MAX_HEADER_BYTES) throw new SafeTensorsError(`not a safetensors file: its header is ${n} bytes, above the limit of ${MAX_HEADER_BYTES}`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafeTensorsError("not a safetensors file: its header is not UTF-8 text");
  }
  // nesting measured on the text, before JSON.parse builds anything
  const header = parseJson(text, (reason) =>
    reason.startsWith("is nested") ? new SafeTensorsError(`its header ${reason}`) : new SafeTensorsError("not a safetensors file: its header is not JSON"),
  );
  if (header === null || typeof header !== "object" || Array.isArray(header))
    throw new SafeTensorsError("not a safetensors file: its header is not a JSON object");
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = Object.create(null); // no prototype: a key "__proto__" is just a key
  const entries: { name: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (entry === null || typeof entry !== "object" || Array.isArray(entry) || !Object.values(entry).every((v) => typeof v === "string"))
        throw new SafeTensorsError("its __metadata__ is not a map of strings");
      for (const [key, value] of Object.entries(entry as Record<string, string>)) metadata[key] = value;
      continue;
    }
    if (entry === null || typeof entry !== "object" || Array.isArray(entry))
      throw new SafeTensorsError(`tensor ${quote(name)} is described by ${quote(entry)}, not by an object { dtype, shape, data_offsets }`);
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== "F32")
      throw new SafeTensorsError(`tensor ${quote(name)} has ${e.dtype === undefined ? "no dtype" : `dtype ${quote(e.dtype, 20)}`}; coordnet reads F32 only`);
    const shape = e.shape;
    const offsets = e.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new SafeTensorsError(
        `tensor ${quote(name)} has ${shape === undefined ? "no shape" : `shape ${quote(shape)}`}: a shape is a list of whole numbers ≥ 0`,
      );
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
      throw new SafeTensorsError(
        `tensor ${quote(name)} has ${offsets === undefined ? "no data_offsets" : `data_offsets ${quote(offsets)}`}: they must be two whole numbers [begin, end]`,
      );
    const [begin, end] = offsets as number[];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (begin > end || end > dataLength || end - begin !== 4 * count)
      throw new SafeTensorsError(
        `tensor ${quote(name)}: data_offsets [${begin}, ${end}] do not fit its shape ${quote(shape)} (${4 * count} bytes) or the file's ${dataLength} data bytes`,
      );
    entries.push({ name, shape: shape as number[], begin, end });
  }
  // sorted by offset, the tensors must follow one another with no overlap and no gap
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of entries) {
    if (e.begin < at) throw new SafeTensorsError(`tensor ${quote(e.name)}: data_offsets [${e.begin}, ${e.end}] overlap the tensor before it`);
    if (e.begin > at) throw new SafeTensorsError(`tensor ${quote(e.name)}: data_offsets [${e.begin}, ${e.end}] leave a gap after byte ${at}`);
    at = e.end;
  }
  if (at !== dataLength) throw new SafeTensorsError(`the file has ${dataLength - at} bytes after its last tensor`);
  const tensors = new Map<string, Tensor>();
  for (const { name, shape, begin, end } of entries) {
    const data = new Float32Array((end - begin) / 4);
    for (let k = 0; k < data.length; k++) data[k] = dv.getFloat32(dataStart + begin + 4 * k, true);
    tensors.set(name, { shape, data });
  }
  return { tensors, metadata };
}
