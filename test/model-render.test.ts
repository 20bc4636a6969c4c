import { describe, expect, it } from "vitest";
import { referenceBackend, registerBackend, type Trainer } from "../dist/backends/index.js";
import { BackendUnavailableError, Model } from "../dist/index.js";
import { initialWeights } from "../dist/network.js";
import { loadPreset } from "../dist/presets.js";

// Issue 19, item 3: Model.render and predictMany run on a training backend (`auto` by default),
// the path `coordnet render` takes, with progress and a stop; the reference stays there by name.

const config = loadPreset("positional").config;
const model = new Model(config, initialWeights(config));

describe("Model.render on a backend", () => {
  it("gives the reference's image on wasm (float32 forward passes, 8-bit output: at most one step apart)", async () => {
    const [byReference, byWasm] = [await model.render(40, 24, { backend: "reference" }), await model.render(40, 24, { backend: "wasm" })];
    expect([byWasm.width, byWasm.height, byWasm.data.length]).toEqual([40, 24, 40 * 24 * 4]);
    let worst = 0;
    for (let k = 0; k < byWasm.data.length; k++) worst = Math.max(worst, Math.abs(byWasm.data[k] - byReference.data[k]));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it("runs on the backend it is given: each chunk's forward pass through that backend's trainer", async () => {
    // the reference under another name, counting what it is asked
    const calls = { created: 0, predicted: 0, disposed: 0 };
    registerBackend({
      name: "counting-reference",
      description: "the reference, counted",
      priority: -100,
      probe: async () => ({ available: true }),
      create: async (options) => {
        calls.created++;
        const trainer = await referenceBackend.create(options);
        return Object.assign(Object.create(trainer) as Trainer, {
          predict: (inputs: Float32Array, count: number) => {
            calls.predicted += count;
            return trainer.predict(inputs, count);
          },
          dispose: async () => {
            calls.disposed++;
            await trainer.dispose();
          },
        });
      },
    });
    const image = await model.render(100, 90, { backend: "counting-reference" });
    expect(calls).toEqual({ created: 1, predicted: 9000, disposed: 1 });
    expect(image.data).toEqual((await model.render(100, 90, { backend: "reference" })).data);
  });

  it("predictMany on wasm agrees with predict (the reference) point by point", async () => {
    const points = [0, 0, 0.25, 0.75, 1, 1, 0.5, 0.125];
    const many = await model.predictMany(points, { backend: "wasm" });
    for (let i = 0; i < 4; i++) {
      const one = model.predict(points[2 * i], points[2 * i + 1]);
      // the same float32 network; the kernels sum in another order (relative error ~1e-6)
      for (let c = 0; c < 3; c++) expect(Math.abs(many[3 * i + c] - one[c])).toBeLessThan(1e-5);
    }
  });

  it("reports progress chunk by chunk, up to the whole image", async () => {
    const seen: [number, number][] = [];
    await model.render(100, 90, { backend: "reference", onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.map(([, total]) => total).every((t) => t === 9000)).toBe(true);
    expect(seen.map(([done]) => done)).toEqual([4096, 8192, 9000]);
  });

  it("stops when its signal is aborted, and refuses a backend that is not there", async () => {
    const stop = new AbortController();
    stop.abort(new Error("stopped"));
    await expect(model.render(8, 8, { backend: "reference", signal: stop.signal })).rejects.toThrow("stopped");
    await expect(model.render(8, 8, { backend: "cuda" })).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(model.predictMany([0, 0], { backend: 5 as never })).rejects.toThrow(/^predictMany: options.backend must be a backend name/);
  });
});
