import { describe, expect, it } from "vitest";
import { requireBackend } from "../dist/backends/index.js";
import { ConfigError, CoordnetError, fit, InvalidArgumentError, Model, parseConfig } from "../dist/index.js";
import { createMLP } from "../dist/reference/mlp.js";
import { Rng } from "../dist/reference/rng.js";

// What a JavaScript caller gets for wrong values at the public boundary: a CoordnetError subclass
// with one readable line, never a TypeError from deep inside; number[] accepted where Float32Array is.
const image = { width: 4, height: 4, data: new Uint8ClampedArray(64).fill(128) };
const oneLine = (e: unknown) => {
  expect(e).toBeInstanceOf(CoordnetError);
  expect((e as Error).message).not.toMatch(/\n/);
  return (e as Error).message;
};
const spec = { inputs: 2, outputs: 3, width: 4, depth: 1, activation: "relu", outputActivation: "sigmoid" } as const;
const weights = () => createMLP(spec, new Rng(0)).layers.map((l) => ({ weight: l.weight as Float32Array, bias: l.bias as Float32Array }));
const adam = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

describe("fit at the boundary", () => {
  it("names a misspelt activation", async () => {
    const e = await fit(image, { activation: "Relu" as never, epochs: 1 }).catch((x) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect(oneLine(e)).toMatch(/activation/);
  });

  it("refuses image data of the wrong length, saying what it expected", async () => {
    const e = await fit({ width: 2, height: 2, data: [1, 2, 3] }).catch((x) => x);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(oneLine(e)).toBe("image.data has 3 values, expected 16 (RGBA) or 12 (RGB) for 2×2");
  });

  it("refuses an option that does not exist, and float data out of [0, 1]", async () => {
    expect(oneLine(await fit(image, { epoch: 3 } as never).catch((x) => x))).toMatch(/^fit has no option "epoch"/);
    expect(oneLine(await fit({ width: 1, height: 1, data: [255, 0, 0] }).catch((x) => x))).toMatch(/float data must be in \[0, 1\]/);
  });

  it("accepts RGB floats in a number[]", async () => {
    const model = await fit({ width: 2, height: 1, data: [1, 0, 0, 0, 0, 1] }, { epochs: 2, backend: "reference" });
    expect(model.training?.backend.backend).toBe("reference");
    expect(model.predict(0, 0)).toHaveLength(3);
  });

  it("Model refuses non-numbers and bad sizes", async () => {
    // the config of the weights' own network (1 × 4 ReLU): a Model refuses weights that do not fit its config
    const model = new Model(parseConfig({ network: { width: 4, depth: 1 } }), weights());
    expect(
      oneLine(
        (() => {
          try {
            model.predict(Number.NaN, 0);
          } catch (e) {
            return e;
          }
        })(),
      ),
    ).toMatch(/finite numbers/);
    expect(
      oneLine(
        (() => {
          try {
            model.render(0, 4);
          } catch (e) {
            return e;
          }
        })(),
      ),
    ).toMatch(/width must be an integer/);
  });
});

describe("trainers at the boundary", () => {
  it("name an unknown activation before building anything", async () => {
    const backend = await requireBackend("reference");
    const e = await backend.create({ spec: { ...spec, activation: "Relu" as never }, adam, weights: weights(), maxBatch: 4 }).catch((x) => x);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(oneLine(e)).toMatch(/^spec\.activation must be one of relu, /);
  });

  for (const name of ["reference", "wasm"]) {
    it(`${name} takes number[] where it takes Float32Array, with the same result, and refuses short arrays`, async () => {
      const trainer = await (await requireBackend(name)).create({ spec, adam, weights: weights(), maxBatch: 4 });
      try {
        expect(trainer.info.backend).toBe(name);
        const x = [0.1, 0.2, 0.3, 0.4];
        expect(Array.from(await trainer.predict(x as never, 2))).toEqual(Array.from(await trainer.predict(Float32Array.from(x), 2)));
        const g = await trainer.gradients(x as never, [0, 0.5, 1, 1, 0.5, 0] as never, 2);
        expect(g.grads).toHaveLength(2);
        expect(oneLine(await trainer.step([0.1] as never, [0, 0, 0] as never, 1, 1e-3).catch((e) => e))).toBe("step's inputs has 1 values, needs 2");
        expect(oneLine(await trainer.step(x as never, [0, 0, 0, 0, 0, 0] as never, 5, 1e-3).catch((e) => e))).toMatch(
          /^step's count must be a whole number from 0 to maxBatch 4, got 5$/,
        );
      } finally {
        await trainer.dispose();
      }
    });
  }
});
