import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";
import { createEncoder } from "../src/encoding/index.js";
import { loadModel, ModelFileError, saveModel } from "../src/io/model-file.js";
import { decodeSafeTensors, encodeSafeTensors, SafeTensorsError } from "../src/io/safetensors.js";
import { initialWeights } from "../src/network.js";

describe("safetensors", () => {
  it("follows the format: LE u64 header length, JSON header, 8-byte alignment, F32 little-endian data", () => {
    const bytes = encodeSafeTensors(
      new Map([
        ["b", { shape: [2], data: Float32Array.of(1.5, -2) }],
        ["a", { shape: [1, 1], data: Float32Array.of(3) }],
      ]),
      { note: "x" },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8"));
    expect(header.__metadata__).toEqual({ note: "x" });
    expect(header.a).toEqual({ dtype: "F32", shape: [1, 1], data_offsets: [0, 4] });
    expect(header.b).toEqual({ dtype: "F32", shape: [2], data_offsets: [4, 12] });
    const data = new DataView(bytes.buffer, 8 + n);
    expect([data.getFloat32(0, true), data.getFloat32(4, true), data.getFloat32(8, true)]).toEqual([3, 1.5, -2]);
    expect(bytes.length).toBe(8 + n + 12);
  });

  it("round-trips any tensors bit for bit", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== "__metadata__"),
          fc.array(fc.float(), { maxLength: 20 }),
        ),
        (dict) => {
          const tensors = new Map(Object.entries(dict).map(([k, v]) => [k, { shape: [v.length], data: Float32Array.from(v) }]));
          const back = decodeSafeTensors(encodeSafeTensors(tensors));
          expect([...back.tensors.keys()].sort()).toEqual([...tensors.keys()].sort());
          for (const [k, t] of tensors) {
            const got = back.tensors.get(k);
            expect(got).toBeDefined();
            expect(Buffer.from((got as { data: Float32Array }).data.buffer).equals(Buffer.from(t.data.buffer))).toBe(true);
          }
        },
      ),
    );
  });

  it("rejects malformed files with one line", () => {
    const good = encodeSafeTensors(new Map([["w", { shape: [4], data: new Float32Array(4) }]]));
    for (const n of [0, 4, 8, 20, good.length - 1]) expect(() => decodeSafeTensors(good.subarray(0, n))).toThrow(SafeTensorsError);
    expect(() => decodeSafeTensors(Buffer.from("not a safetensors file at all"))).toThrow(SafeTensorsError);
  });
});

describe("model files", () => {
  const dir = mkdtempSync(join(tmpdir(), "coordnet-model-"));

  it("store PyTorch-named tensors and the config, and load back exactly", () => {
    const config = parseConfig({ encoding: { type: "gaussian", features: 8 }, network: { width: 5, depth: 2 }, training: { seed: 4 } });
    const weights = initialWeights(config);
    const matrix = createEncoder(config.encoding, 4).matrix as Float32Array;
    const path = join(dir, "model.safetensors");
    saveModel(path, { config, weights, matrix }, "test");
    const { tensors, metadata } = decodeSafeTensors(readFileSync(path));
    expect([...tensors.keys()].sort()).toEqual([
      "encoding.B",
      "layers.0.bias",
      "layers.0.weight",
      "layers.1.bias",
      "layers.1.weight",
      "layers.2.bias",
      "layers.2.weight",
    ]);
    expect(tensors.get("layers.0.weight")?.shape).toEqual([5, 16]); // [out, in] as nn.Linear
    expect(tensors.get("layers.2.weight")?.shape).toEqual([3, 5]);
    expect(JSON.parse(metadata.config)).toEqual(config);
    const back = loadModel(path);
    expect(back.config).toEqual(config);
    back.weights.forEach((w, l) => {
      expect(Array.from(w.weight)).toEqual(Array.from(weights[l].weight));
      expect(Array.from(w.bias)).toEqual(Array.from(weights[l].bias));
    });
    expect(Array.from(back.matrix as Float32Array)).toEqual(Array.from(matrix));
  });

  it("explain a missing, foreign or inconsistent file in one line", () => {
    expect(() => loadModel(join(dir, "nope.safetensors"))).toThrow(/no such file/);
    const foreign = join(dir, "foreign.safetensors");
    writeFileSync(foreign, encodeSafeTensors(new Map([["x", { shape: [1], data: new Float32Array(1) }]])));
    expect(() => loadModel(foreign)).toThrow(ModelFileError);
    const config = parseConfig({ network: { width: 4, depth: 1 } });
    const wrong = join(dir, "wrong.safetensors");
    const weights = initialWeights(parseConfig({ network: { width: 6, depth: 1 } }));
    saveModel(wrong, { config, weights, matrix: null }, "test");
    expect(() => loadModel(wrong)).toThrow(/layers.0 has shape \[6,2\], expected \[4, 2\]/);
  });
});
