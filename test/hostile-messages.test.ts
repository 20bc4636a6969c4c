import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_LENGTH } from "../dist/errors.js";
import { decodeSafeTensors, encodeSafeTensors } from "../dist/io/safetensors.js";
import {
  applyOverrides,
  CoordnetError,
  fit as fitImage,
  loadModel,
  loadPreset,
  Model,
  parseComparison,
  parseConfig,
  readPng,
  runTraining,
  VERSION,
} from "../dist/node.js";

// Issue 17, class 8: messages that mislead. On 4f645e5 each of these named the wrong cause (a
// short image as divergence, Infinity as null, a bias by its weight's shape, a number path as a
// file descriptor …). Each message now says what is wrong, in words, with the value.

const tmp = mkdtempSync(join(tmpdir(), "coordnet-hostile-messages-"));

/** The one-line message of what `call` threw (sync or async). */
async function messageOf(call: () => unknown): Promise<string> {
  try {
    await call();
  } catch (e) {
    expect(e).toBeInstanceOf(CoordnetError);
    const { message } = e as Error;
    expect(message).not.toMatch(/[\n\r]/);
    expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    return message;
  }
  throw new Error("expected a refusal, but the call returned");
}

/** Model bytes with one tensor's header entry changed by `edit`. */
function withTensor(model: Model, name: string, edit: (t: { shape: number[]; data: Float32Array }) => { shape: number[]; data: Float32Array }): Uint8Array {
  const { tensors, metadata } = decodeSafeTensors(model.toSafetensors());
  tensors.set(name, edit(tensors.get(name) as { shape: number[]; data: Float32Array }));
  return encodeSafeTensors(tensors, metadata);
}

describe("messages that said the wrong thing", () => {
  it("image data too short for its size is named as such, not as divergence with 'try a lower learning rate'", async () => {
    const message = await messageOf(() =>
      runTraining({
        config: parseConfig({ network: { width: 4, depth: 1 }, training: { epochs: 1 } }),
        image: { width: 4, height: 4, data: new Float32Array(6) },
        imageSource: "memory",
        backend: "reference",
        outDir: join(tmp, "short"),
        snapshots: [],
        version: VERSION,
      }),
    );
    expect(message).toBe("runTraining: options.image.data has 6 values; a 4×4 RGB image has 48");
    expect(message).not.toMatch(/diverged|learning rate/);
  });

  it("epochs: Infinity says Infinity, not null — in parseConfig, applyOverrides and fit", async () => {
    const expected = "training.epochs must be an integer from 0 to 1000000, got Infinity";
    expect(await messageOf(() => parseConfig({ training: { epochs: Number.POSITIVE_INFINITY } }))).toBe(expected);
    expect(await messageOf(() => applyOverrides({}, { epochs: Number.POSITIVE_INFINITY }))).toBe(expected);
    expect(await messageOf(() => fitImage({ width: 1, height: 1, data: [0, 0, 0] }, { epochs: Number.POSITIVE_INFINITY }))).toBe(expected);
  });

  it("a learning rate of NaN says NaN, not null", async () => {
    expect(await messageOf(() => parseConfig({ optimizer: { lr: Number.NaN } }))).toBe("optimizer.lr must be a positive number, got NaN");
  });

  it("a bias of shape [1, 4] is named as the bias, with its own shape", async () => {
    const model = await fitImage({ width: 2, height: 2, data: new Float32Array(12).fill(0.5) }, { width: 4, depth: 1, epochs: 1, backend: "reference" });
    const bytes = withTensor(model, "layers.0.bias", (t) => ({ shape: [1, 4], data: t.data }));
    expect(await messageOf(() => Model.fromSafetensors(bytes, "m.safetensors"))).toBe(
      "m.safetensors: layers.0.bias has shape [1,4], expected [4] for its config",
    );
  });

  it("a tensor with an invalid shape shows the shape", async () => {
    const model = await fitImage({ width: 2, height: 2, data: new Float32Array(12).fill(0.5) }, { width: 4, depth: 1, epochs: 1, backend: "reference" });
    const bytes = model.toSafetensors();
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    const edited = header.replace(/"layers\.0\.bias":\{"dtype":"F32","shape":\[4\]/, '"layers.0.bias":{"dtype":"F32","shape":[-4]');
    expect(edited).not.toBe(header);
    const out = Uint8Array.from(bytes);
    out.set(new TextEncoder().encode(edited), 8);
    expect(await messageOf(() => Model.fromSafetensors(out, "m.safetensors"))).toBe(
      'm.safetensors: tensor "layers.0.bias" has shape [-4]: a shape is a list of whole numbers ≥ 0',
    );
  });

  it("a path that is not a string is named as such (a number was read as a file descriptor)", async () => {
    expect(await messageOf(() => readPng(5 as never))).toBe("readPng: path must be a path (a non-empty string), got 5");
    expect(await messageOf(() => loadModel({} as never))).toBe("loadModel: path must be a path (a non-empty string), got {}");
  });

  it("a preset name that is not a string is not 'unknown preset 'undefined''", async () => {
    expect(await messageOf(() => (loadPreset as () => unknown)())).toBe('a preset name must be a string such as "positional", got undefined');
  });

  it("parseComparison of no text says so, not 'undefined: not JSON: \"undefined\" is not valid JSON'", async () => {
    expect(await messageOf(() => (parseComparison as () => unknown)())).toBe("parseComparison: text must be a string, got undefined");
  });
});

// A SAPE model's progressions and going flags were only checked finite: a progression of −1 or
// above m, or a flag of 2, loaded and then steered the mask. Each is now refused naming its field
// and cell, from a model file (the tensor) and from the constructor (the state array); the state the
// run saved, 0 … m and flags 0 or 1 at the ends of their ranges, still loads.
describe("SAPE's saved progress outside its range", () => {
  const shape = { features: 4, grid: 2 };
  const sape = async () =>
    fitImage(
      { width: 4, height: 4, data: Float32Array.from({ length: 48 }, (_, k) => (k % 7) / 7) },
      {
        config: parseConfig({ encoding: { type: "sape", ...shape, sigma: 3 }, network: { width: 4, depth: 1 }, training: { epochs: 3 } }),
        backend: "reference",
      },
    );

  it("a progression below 0 or above m, or a going flag other than 0 or 1, is refused by name", async () => {
    const model = await sape();
    const cases: [string, number, string][] = [
      ["progress", -0.5, "m.safetensors: encoding.progress[2] is -0.5: a progression is a number of bands from 0 to 4"],
      ["progress", 4.25, "m.safetensors: encoding.progress[2] is 4.25: a progression is a number of bands from 0 to 4"],
      ["going", 2, "m.safetensors: encoding.going[2] is 2: a going flag is 0 (stopped) or 1 (going)"],
      ["going", 0.5, "m.safetensors: encoding.going[2] is 0.5: a going flag is 0 (stopped) or 1 (going)"],
    ];
    for (const [field, value, expected] of cases) {
      const bytes = withTensor(model, `encoding.${field}`, (t) => {
        const data = Float32Array.from(t.data);
        data[2] = value;
        return { shape: t.shape, data };
      });
      // a file written before checksums existed (none to catch the edit), and one with its checksum
      // (the check that names the field speaks before the checksum's)
      const { tensors, metadata } = decodeSafeTensors(bytes);
      const { checksum: _, ...unchecked } = metadata;
      expect(await messageOf(() => Model.fromSafetensors(encodeSafeTensors(tensors, unchecked), "m.safetensors"))).toBe(expected);
      expect(await messageOf(() => Model.fromSafetensors(bytes, "m.safetensors"))).toBe(expected);
      // the same state handed to the constructor
      const state = Float32Array.from(model.matrix as Float32Array);
      state[2 * shape.features + (field === "going" ? 4 : 0) + 2] = value;
      expect(await messageOf(() => new Model(model.config, model.weights, state))).toBe(
        `new Model: a SAPE state's ${expected.slice("m.safetensors: encoding.".length)}`,
      );
    }
  });

  it("progressions at 0 and at m, and both flags, load", async () => {
    const model = await sape();
    const state = Float32Array.from(model.matrix as Float32Array);
    state.set([0, 4, 4, 0], 2 * shape.features);
    state.set([1, 0, 0, 1], 2 * shape.features + 4);
    const copy = Model.fromSafetensors(new Model(model.config, model.weights, state).toSafetensors());
    expect(Array.from(copy.matrix as Float32Array)).toEqual(Array.from(state));
  });
});
