import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  probeBackend,
  ReferenceTrainer,
  referenceBackend,
  registerAlias,
  registerBackend,
  requireBackend,
  resolveBackendName,
  wasmBackend,
} from "../dist/backends/index.js";
import {
  createEncoder,
  EncodedOnDemand,
  encodedFeatures,
  encodeImageGrid,
  gatherInputs,
  gaussianForward,
  gaussianMatrix,
  imageInputs,
  pixelCoordinates,
  positionalFeatures,
  positionalForward,
} from "../dist/encoding/index.js";
import { MAX_MESSAGE_LENGTH } from "../dist/errors.js";
import {
  applyOverrides,
  BudgetError,
  ConfigError,
  CoordnetError,
  checkPixels,
  compareBackends,
  fit as fitImage,
  htmlReport,
  InvalidArgumentError,
  judgeClaims,
  Model,
  markdownReport,
  parseConfig,
  presetStats,
  readPng,
  resample,
  runPaper,
  runTraining,
  saveCheckpoint,
  saveModel,
  separation,
  snapshotName,
  spread,
  summarize,
  writePng,
} from "../dist/node.js";
import { Rng } from "../dist/reference/index.js";

// Issue 17, class 7: library misuse that, on 4f645e5, ended in a TypeError, RangeError or
// DataCloneError from deep inside (or in a silent wrong result). Each public function checks what
// enters and answers with a CoordnetError subclass of one line, naming what is wrong and the value.
// One case per function (and way of calling it) that failed so.

const tmp = mkdtempSync(join(tmpdir(), "coordnet-hostile-api-"));
const image = { width: 2, height: 2, data: new Float32Array(12).fill(0.5) };
const small = parseConfig({ network: { width: 4, depth: 1 }, training: { epochs: 1 } });
const model = await fitImage(image, { config: small, backend: "reference" });
const spec = { inputs: 2, outputs: 3, width: 4, depth: 1, activation: "relu", outputActivation: "sigmoid" } as const;
const none = createEncoder({ type: "none", range: "01" }, 0);
const throwing = {
  get width(): number {
    throw new Error("boom");
  },
  height: 1,
  data: [],
};
const hostileProxy = new Proxy(
  {},
  {
    ownKeys() {
      throw new Error("trap");
    },
    get() {
      throw new Error("trap");
    },
  },
);

/** A CoordnetError subclass (their constructors differ: ConfigError takes a list of issues). */
type Kind = abstract new (...args: never[]) => CoordnetError;
type Case = [name: string, call: () => unknown, kind: Kind, pattern: RegExp];

/** What `call` threw (sync or async); a call that returns is a failure of the test. */
async function refusal(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  throw new Error("expected a refusal, but the call returned");
}

function expectOneLine(e: unknown, kind: Kind, pattern: RegExp): void {
  const detail = `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`;
  expect(e, detail).toBeInstanceOf(kind);
  const { message } = e as Error;
  expect(message).not.toMatch(/[\n\r]/);
  expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
  expect(message).toMatch(pattern);
}

const groups: Record<string, Case[]> = {
  "coordnet (fit, Model, compareBackends, configs)": [
    [
      "fit with size: null",
      () => fitImage(image, { size: null as never }),
      InvalidArgumentError,
      /^fit: options\.size must be \{ width, height \} in pixels, got null$/,
    ],
    [
      "fit with BigInt64Array data",
      () => fitImage({ width: 1, height: 1, data: new BigInt64Array(3) as never }),
      InvalidArgumentError,
      /image\.data .*got a BigInt64Array/,
    ],
    ["fit with an image whose getter throws", () => fitImage(throwing), InvalidArgumentError, /^image could not be read: boom$/],
    [
      "fit with a signal that is not an AbortSignal",
      () => fitImage(image, { signal: { aborted: false } as never }),
      InvalidArgumentError,
      /options\.signal must be an AbortSignal/,
    ],
    [
      "fit with a function inside config",
      () => fitImage(image, { config: { network: { width: () => 1 } } }),
      ConfigError,
      /^network\.width must be .*got a function/,
    ],
    [
      "fit with a config whose getter throws",
      () =>
        fitImage(image, {
          config: {
            get network() {
              throw new Error("boom");
            },
          },
        }),
      ConfigError,
      /^config could not be read: boom$/,
    ],
    ["fit with epochs: 10n", () => fitImage(image, { epochs: 10n as never }), ConfigError, /training\.epochs must be .*got 10n$/],
    ["fit with an array for options", () => fitImage(image, [] as never), InvalidArgumentError, /^fit's options must be an object, got \[\]$/],
    ["new Model() with nothing", () => new (Model as unknown as new () => Model)(), InvalidArgumentError, /^new Model: the config .*got nothing$/],
    [
      "new Model(config, []) with no weights",
      () => new Model(small, []),
      InvalidArgumentError,
      /^new Model: the network has 2 layers, but 0 sets of weights were given$/,
    ],
    [
      "new Model with a matrix for a plain encoding",
      () => new Model(small, model.weights, new Float32Array(4)),
      InvalidArgumentError,
      /matrix is for Gaussian and SAPE encodings only/,
    ],
    ["predictMany of a BigInt64Array", () => model.predictMany(new BigInt64Array(2) as never), InvalidArgumentError, /got a BigInt64Array/],
    ["predictMany of { length: 1e12 }", () => model.predictMany({ length: 1e12 }), InvalidArgumentError, /at most 134217728; got a length of 1000000000000$/],
    ["predictMany of { length: -2 }", () => model.predictMany({ length: -2 }), InvalidArgumentError, /got a length of -2$/],
    [
      "compareBackends() with nothing",
      () => (compareBackends as () => unknown)(),
      InvalidArgumentError,
      /^compareBackends: a must be a backend name .*got undefined$/,
    ],
    ["compareBackends(5, 6)", () => compareBackends(5 as never, 6 as never), InvalidArgumentError, /^compareBackends: a must be a backend name .*got 5$/],
    [
      "compareBackends('reference') without b",
      () => (compareBackends as (a: string) => unknown)("reference"),
      InvalidArgumentError,
      /^compareBackends: b must be/,
    ],
    [
      "compareBackends with options null",
      () => compareBackends("reference", "reference", null as never),
      InvalidArgumentError,
      /^compareBackends: .*got null$/,
    ],
    [
      "compareBackends with an object that is no Backend",
      () => compareBackends({} as never, "reference"),
      InvalidArgumentError,
      /^compareBackends: a must be .*got \{\}$/,
    ],
    [
      "compareBackends with spec: null",
      () => compareBackends("reference", "reference", { spec: null as never }),
      InvalidArgumentError,
      /^compareBackends: spec must be a network .*got null$/,
    ],
    [
      "compareBackends with a misspelt option",
      () => compareBackends("reference", "reference", { batchsize: 4 } as never),
      InvalidArgumentError,
      /has no field "batchsize"; it has: spec, batch/,
    ],
    ["applyOverrides({}, null)", () => applyOverrides({}, null as never), ConfigError, /changes to the config must be an object .*got null$/],
    [
      "applyOverrides of a config holding a function",
      () => applyOverrides({ network: { width: () => 1 } }, {}),
      ConfigError,
      /^network\.width must be .*got a function/,
    ],
    ["applyOverrides of a config holding a bigint", () => applyOverrides({ training: { epochs: 5n } }, {}), ConfigError, /^training\.epochs must be .*got 5n$/],
    ["applyOverrides of a Proxy whose traps throw", () => applyOverrides(hostileProxy, {}), ConfigError, /^config could not be read: trap$/],
    ["parseConfig of a bigint", () => parseConfig({ training: { epochs: 5n } }), ConfigError, /^training\.epochs must be .*got 5n$/],
    ["parseConfig of a function", () => parseConfig({ network: { width: () => 1 } }), ConfigError, /^network\.width must be .*got a function/],
    ["parseConfig of a Date", () => parseConfig(new Date()), ConfigError, /^config must be JSON data .*got a Date$/],
  ],
  "coordnet/encoding": [
    [
      "createEncoder() with nothing",
      () => (createEncoder as () => unknown)(),
      ConfigError,
      /^createEncoder: encoding must be one of none, positional, gaussian, sape, got nothing$/,
    ],
    [
      "createEncoder of an unknown type",
      () => createEncoder({ type: "x" } as never, 0),
      ConfigError,
      /^createEncoder: encoding\.type must be one of .*got "x"$/,
    ],
    [
      "createEncoder of -1 Gaussian features",
      () => createEncoder({ type: "gaussian", range: "01", features: -1, sigma: 1 }, 0),
      ConfigError,
      /encoding\.features must be .*got -1$/,
    ],
    ["encodedFeatures() with nothing", () => (encodedFeatures as () => unknown)(), ConfigError, /^encodedFeatures: encoding must be/],
    ["encodeImageGrid() with nothing", () => (encodeImageGrid as () => unknown)(), InvalidArgumentError, /^encodeImageGrid: encoder must be an Encoder/],
    ["imageInputs() with nothing", () => (imageInputs as () => unknown)(), InvalidArgumentError, /^imageInputs: encoder must be an Encoder/],
    [
      "pixelCoordinates() with nothing",
      () => (pixelCoordinates as () => unknown)(),
      InvalidArgumentError,
      /^pixelCoordinates: width must be a whole number from 1 to 65536, got undefined$/,
    ],
    ["pixelCoordinates(-1, 2)", () => pixelCoordinates(-1, 2, "01"), InvalidArgumentError, /width must be .*got -1$/],
    ["pixelCoordinates(1e6, 1e6)", () => pixelCoordinates(1e6, 1e6, "01"), InvalidArgumentError, /width must be .*got 1000000$/],
    [
      "positionalFeatures() with nothing",
      () => (positionalFeatures as () => unknown)(),
      InvalidArgumentError,
      /^positionalFeatures: dims must be a whole number ≥ 1, got undefined$/,
    ],
    ["positionalForward() with nothing", () => (positionalForward as () => unknown)(), InvalidArgumentError, /dims must be a whole number/],
    [
      "positionalForward of 1e7 points in 2 values",
      () => positionalForward(new Float32Array(2), new Float32Array(20), 1e7, 2, { frequencies: 5, includeInput: false }),
      InvalidArgumentError,
      /^positionalForward: p has 2 values; 20000000 are needed$/,
    ],
    [
      "gaussianMatrix() with nothing",
      () => (gaussianMatrix as () => unknown)(),
      InvalidArgumentError,
      /^gaussianMatrix: m must be a whole number ≥ 1, got undefined$/,
    ],
    ["gaussianMatrix of 1e12 rows", () => gaussianMatrix(1e12, 2, 1, new Rng(0, "g")), InvalidArgumentError, /more than can be allocated here$/],
    ["gaussianForward() with nothing", () => (gaussianForward as () => unknown)(), InvalidArgumentError, /^gaussianForward: count must be/],
    ["gatherInputs() with nothing", () => (gatherInputs as () => unknown)(), InvalidArgumentError, /^gatherInputs: features must be/],
    [
      "new EncodedOnDemand() with nothing",
      () => new (EncodedOnDemand as unknown as new () => unknown)(),
      InvalidArgumentError,
      /^EncodedOnDemand: coords must be a Float32Array/,
    ],
    [
      "new EncodedOnDemand(coords, {})",
      () => new EncodedOnDemand(new Float32Array(2), {} as never),
      InvalidArgumentError,
      /^EncodedOnDemand: encoder must be an Encoder/,
    ],
  ],
  "coordnet/backends": [
    ["registerBackend() with nothing", () => (registerBackend as () => unknown)(), InvalidArgumentError, /^registerBackend takes a Backend .*got undefined$/],
    ["registerBackend({})", () => registerBackend({} as never), InvalidArgumentError, /^registerBackend takes a Backend .*got \{\}$/],
    ["registerAlias() with nothing", () => (registerAlias as () => unknown)(), InvalidArgumentError, /^registerAlias: alias must be a backend name/],
    [
      "probeBackend() with nothing",
      () => (probeBackend as () => unknown)(),
      InvalidArgumentError,
      /^probeBackend: name must be a backend name .*got undefined$/,
    ],
    ["requireBackend(null)", () => requireBackend(null as never), InvalidArgumentError, /^requireBackend: name must be a backend name .*got null$/],
    ["resolveBackendName({})", () => resolveBackendName({} as never), InvalidArgumentError, /^resolveBackendName: name must be .*got \{\}$/],
    [
      "new ReferenceTrainer() with nothing",
      () => new (ReferenceTrainer as unknown as new () => unknown)(),
      InvalidArgumentError,
      /trainer's options must be .*got undefined$/,
    ],
    ["referenceBackend.create({})", () => referenceBackend.create({} as never), InvalidArgumentError, /trainer's spec must be .*got undefined$/],
    ["wasmBackend.create({})", () => wasmBackend.create({} as never), InvalidArgumentError, /trainer's spec must be .*got undefined$/],
    [
      "referenceBackend.create with a batch of 1e12",
      () => referenceBackend.create({ spec, adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, weights: model.weights, maxBatch: 1e12 }),
      CoordnetError,
      /largest batch is 1000000000000, not a whole number from 1 to 1048576$/,
    ],
  ],
  "coordnet/node": [
    ["readPng(path, null)", () => readPng(join(tmp, "x.png"), null as never), InvalidArgumentError, /^readPng: options must be \{ maxPixels \}, got null$/],
    ["readPng(5) (a number is read as a file descriptor by Node)", () => readPng(5 as never), InvalidArgumentError, /^readPng: path must be a path .*got 5$/],
    ["writePng({}, image)", () => writePng({} as never, image), InvalidArgumentError, /^writePng: path must be a path .*got \{\}$/],
    [
      "writePng of BigInt64Array data",
      () => writePng(join(tmp, "b.png"), { width: 1, height: 1, data: new BigInt64Array(4) as never }),
      InvalidArgumentError,
      /got a BigInt64Array/,
    ],
    ["saveModel(path, {})", () => saveModel(join(tmp, "m.safetensors"), {} as never), InvalidArgumentError, /^saveModel: model must be a Model .*got \{\}$/],
    ["saveModel({}, model)", () => saveModel({} as never, model), InvalidArgumentError, /^saveModel: path must be a path/],
    [
      "saveCheckpoint(path, {})",
      () => saveCheckpoint(join(tmp, "c.safetensors"), {} as never, "1"),
      InvalidArgumentError,
      /^saveCheckpoint: checkpoint: config must be a JSON object, got nothing$/,
    ],
    [
      "checkPixels with a limit of NaN (passed everything)",
      () => checkPixels("--size", 100, 100, Number.NaN),
      InvalidArgumentError,
      /^checkPixels: maxPixels must be a positive integer, got NaN$/,
    ],
    ["resample() with nothing", () => (resample as () => unknown)(), InvalidArgumentError, /^resample: image must be an image/],
    ["resample to 1e6 × 1e6", () => resample(image, 1e6, 1e6), InvalidArgumentError, /^resample: width must be .*got 1000000$/],
    [
      "resample of a short image",
      () => resample({ width: 2, height: 2, data: new Float32Array(3) }, 3, 3),
      InvalidArgumentError,
      /image\.data has 3 values; a 2×2 RGB image has 12$/,
    ],
    ["runTraining({})", () => runTraining({} as never), InvalidArgumentError, /^runTraining: options\.config must be a config object/],
    ["runTraining() with nothing", () => (runTraining as () => unknown)(), InvalidArgumentError, /^runTraining: options must be the run's options/],
    ["runPaper({})", () => runPaper({} as never), InvalidArgumentError, /^runPaper: options\.image must be an image/],
    ["summarize() with nothing", () => (summarize as () => unknown)(), InvalidArgumentError, /^summarize: rows must be a list of rows/],
    ["summarize([{}])", () => summarize([{}] as never), InvalidArgumentError, /^summarize: rows\.0\.preset must be a preset/],
    ["presetStats() with nothing", () => (presetStats as () => unknown)(), InvalidArgumentError, /^presetStats: rows must be/],
    ["judgeClaims() with nothing", () => (judgeClaims as () => unknown)(), InvalidArgumentError, /^judgeClaims: stats must be/],
    ["spread() with nothing", () => (spread as () => unknown)(), InvalidArgumentError, /^spread: values must be a list/],
    ["separation() with nothing", () => (separation as () => unknown)(), InvalidArgumentError, /^separation: a must be a spread/],
    [
      "snapshotName() with nothing (was epoch-undefined.png)",
      () => (snapshotName as () => unknown)(),
      InvalidArgumentError,
      /^snapshotName: epoch must be a whole number/,
    ],
    ["markdownReport({})", () => markdownReport({} as never), InvalidArgumentError, /^markdownReport: input\.outDir must be a folder name, got undefined$/],
    ["htmlReport() with nothing", () => (htmlReport as () => unknown)(), InvalidArgumentError, /^htmlReport: input must be the report's input/],
  ],
};

for (const [entry, cases] of Object.entries(groups))
  describe(`hostile arguments: ${entry}`, () => {
    it.each(cases)("%s", async (_name, call, kind, pattern) => {
      expectOneLine(await refusal(call), kind, pattern);
    });
  });

describe("hostile arguments leave no file behind", () => {
  it("the refused writers above wrote nothing into their folder", () => {
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe("valid calls still work", () => {
  it("the checked backend objects still train, and compareBackends still compares", async () => {
    const trainer = await referenceBackend.create({ spec, adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, weights: model.weights, maxBatch: 4 });
    expect(trainer.info.backend).toBe("reference");
    await trainer.dispose();
    const c = await compareBackends("reference", "reference", { spec, batch: 4, steps: 1 });
    expect(c.pass).toBe(true);
    expect(new Model(model.config, model.weights).predict(0.5, 0.5)).toEqual(model.predict(0.5, 0.5));
    expect(checkPixels("--size", 2, 2, 4)).toBeUndefined();
    expect(() => checkPixels("--size", 3, 2, 4)).toThrow(BudgetError);
    expect(Array.from(pixelCoordinates(2, 1, "01"))).toEqual([0, 0, 1, 0]);
    expect(none.features).toBe(2);
  });
});
