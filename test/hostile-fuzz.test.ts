import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { probeBackend, ReferenceTrainer, referenceBackend, requireBackend, resolveBackendName } from "../dist/backends/index.js";
import {
  createEncoder,
  EncodedOnDemand,
  encodedFeatures,
  encodeImageGrid,
  gatherInputs,
  gaussianBackward,
  gaussianForward,
  gaussianMatrix,
  imageInputs,
  pixelCoordinates,
  positionalBackward,
  positionalForward,
} from "../dist/encoding/index.js";
import { MAX_MESSAGE_LENGTH } from "../dist/errors.js";
import * as N from "../dist/node.js";
import { Rng } from "../dist/reference/index.js";

// Issue 17, "done when": a property over the library's public functions (the entries of
// coordnet, coordnet/encoding, coordnet/backends and coordnet/node; the reference is left out on
// purpose, see README). Each run takes one function with valid arguments, replaces one of them —
// or one field inside one — by a hostile value (none, null, NaN, ±∞, -0, 2⁵³, 1e300, strings,
// arrays, functions, symbols, bigints, typed arrays of the wrong kind, a huge fake length, a getter
// or Proxy that throws, a Date, a deep array, or fast-check's `anything`) and calls it. Asserted:
// - it returns, or it throws a CoordnetError of one line of at most MAX_MESSAGE_LENGTH characters;
// - nothing in the working folder changes but the call's own output paths;
// - the process's peak memory grows by less than MEMORY_BOUND over the whole property.
// Both outcomes must occur (the property is not vacuous). Seeded by fast-check (the seed is
// printed on failure); ~20 s on two cores.

/** Growth of peak RSS allowed over the property: the valid calls here need a few MB; a call that allocated what a hostile size asks for would need gigabytes. */
const MEMORY_BOUND = 512 * 2 ** 20;

const root = mkdtempSync(join(tmpdir(), "coordnet-hostile-fuzz-"));
const fixtures = join(root, "fixtures");
mkdirSync(fixtures);
const home = process.cwd();
process.chdir(root); // relative output paths ("x", "out/…") land here
afterAll(() => process.chdir(home));

const rgb = () => ({ width: 2, height: 2, data: new Float32Array(12).fill(0.5) });
const small = N.parseConfig({ network: { width: 4, depth: 1 }, training: { epochs: 1, batchSize: 4 } });
const model = await N.fit(rgb(), { config: small, backend: "reference" });
const modelBytes = model.toSafetensors();
const spec = { inputs: 2, outputs: 3, width: 4, depth: 1, activation: "relu", outputActivation: "sigmoid" } as const;
const adam = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
const pngPath = join(fixtures, "in.png");
N.writePng(pngPath, rgb());
const modelPath = join(fixtures, "model.safetensors");
N.saveModel(modelPath, model);
await N.runTraining({
  config: small,
  image: rgb(),
  imageSource: "memory",
  backend: "reference",
  outDir: join(fixtures, "run"),
  snapshots: [1],
  version: N.VERSION,
});
const checkpointPath = join(fixtures, "run", "checkpoint.safetensors");
const checkpoint = N.loadCheckpoint(checkpointPath);
const preset = N.loadPreset("relu-sigmoid");
const record = {
  finalLoss: 0.1,
  mse: 0.01,
  psnr: 20,
  trainingSeconds: 1,
  backend: { name: "reference", details: {} },
  history: [{ epoch: 1, loss: 0.1, lr: 1e-3, seconds: 1 }],
};
const rows = () => [{ preset, seed: 0, record: { ...record }, dir: "run" }] as unknown as N.ResultRow[];
const reportInput = () => ({
  outDir: fixtures,
  rows: rows(),
  snapshotEpochs: [1],
  sourcePng: "in.png",
  image: { source: "memory", width: 2, height: 2 },
  generator: "fuzz",
});
const comparisonText = JSON.stringify({ label: "torch", width: 2, height: 2, epochs: 1, runs: [{ name: "relu-sigmoid", seed: 0, mse: 0.01, psnr: 20 }] });
const positional = { type: "positional", range: "01", frequencies: 2, includeInput: false } as const;
const encoder = () => createEncoder(positional, 0);
const f32 = (n: number) => new Float32Array(n).fill(0.25);

type Key = string | number;
interface Entry {
  /** what a report names */
  readonly name: string;
  /** fresh valid arguments */
  readonly args: () => unknown[];
  /** where a hostile value may go: an argument, or a field inside one */
  readonly slots: Key[][];
  readonly call: (args: unknown[]) => unknown;
  /** the paths the call may write (its outputs), given its arguments */
  readonly outputs?: (args: unknown[]) => unknown[];
}

const a = (args: unknown[], k: number) => args[k] as never;
const allArgs = (n: number): Key[][] => Array.from({ length: n }, (_, k) => [k]);

const entries: Entry[] = [
  // coordnet
  {
    name: "fit",
    args: () => [rgb(), { width: 4, depth: 1, epochs: 1, batchSize: 4, backend: "reference" }],
    slots: [
      [0],
      [0, "width"],
      [0, "data"],
      [1],
      ...["epochs", "size", "signal", "config", "lr", "width", "onEpoch", "preset", "maxPixels", "backend", "batchSize", "encoding", "seed"].map((k) => [1, k]),
    ],
    call: (x) => N.fit(a(x, 0), a(x, 1)),
  },
  {
    name: "parseConfig",
    args: () => [{ network: { width: 4 }, training: { epochs: 1 }, encoding: { type: "none" } }],
    slots: [[0], [0, "network"], [0, "network", "width"], [0, "training", "epochs"], [0, "optimizer"], [0, "encoding", "type"]],
    call: (x) => N.parseConfig(a(x, 0)),
  },
  {
    name: "applyOverrides",
    args: () => [{ network: { width: 4 } }, { epochs: 1, lr: 0.01 }],
    slots: [[0], [1], [1, "epochs"], [1, "lr"], [0, "network"]],
    call: (x) => N.applyOverrides(a(x, 0), a(x, 1)),
  },
  {
    name: "new Model",
    args: () => [small, model.weights.map((w) => ({ ...w })), null],
    slots: [[0], [1], [1, 0], [1, 0, "bias"], [1, 0, "weight"], [2]],
    call: (x) => new N.Model(a(x, 0), a(x, 1), a(x, 2)),
  },
  { name: "Model.predict", args: () => [0.5, 0.5], slots: allArgs(2), call: (x) => model.predict(a(x, 0), a(x, 1)) },
  { name: "Model.predictMany", args: () => [[0, 0, 1, 1]], slots: [[0], [0, 1]], call: (x) => model.predictMany(a(x, 0), { backend: "reference" }) },
  { name: "Model.render", args: () => [2, 3], slots: allArgs(2), call: (x) => model.render(a(x, 0), a(x, 1), { backend: "reference" }) },
  { name: "Model.fromSafetensors", args: () => [modelBytes, "m"], slots: allArgs(2), call: (x) => N.Model.fromSafetensors(a(x, 0), a(x, 1)) },
  {
    name: "compareBackends",
    args: () => ["reference", "reference", { spec: { ...spec }, batch: 2, steps: 1 }],
    slots: [[0], [1], [2], [2, "batch"], [2, "steps"], [2, "spec"], [2, "spec", "width"], [2, "spec", "activation"], [2, "lr"], [2, "seed"]],
    call: (x) => N.compareBackends(a(x, 0), a(x, 1), a(x, 2)),
  },
  { name: "loadPreset", args: () => ["relu-sigmoid"], slots: [[0]], call: (x) => N.loadPreset(a(x, 0)) },
  // coordnet/encoding
  {
    name: "createEncoder",
    args: () => [{ ...positional }, 0, undefined, "float32"],
    slots: [...allArgs(4), [0, "frequencies"], [0, "type"]],
    call: (x) => createEncoder(a(x, 0), a(x, 1), a(x, 2), a(x, 3)),
  },
  { name: "encodedFeatures", args: () => [{ type: "none", range: "01" }], slots: [[0], [0, "range"]], call: (x) => encodedFeatures(a(x, 0)) },
  { name: "pixelCoordinates", args: () => [2, 2, "01", "float32"], slots: allArgs(4), call: (x) => pixelCoordinates(a(x, 0), a(x, 1), a(x, 2), a(x, 3)) },
  { name: "encodeImageGrid", args: () => [encoder(), 2, 2, "float32"], slots: allArgs(4), call: (x) => encodeImageGrid(a(x, 0), a(x, 1), a(x, 2), a(x, 3)) },
  { name: "imageInputs", args: () => [encoder(), 2, 2, 1024], slots: allArgs(4), call: (x) => imageInputs(a(x, 0), a(x, 1), a(x, 2), a(x, 3)) },
  {
    name: "gaussianMatrix",
    args: () => [2, 2, 1, new Rng(0, "g"), "float32"],
    slots: allArgs(5),
    call: (x) => gaussianMatrix(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4)),
  },
  {
    name: "positionalForward",
    args: () => [f32(2), f32(8), 1, 2, { frequencies: 2, includeInput: false }],
    slots: [...allArgs(5), [4, "frequencies"]],
    call: (x) => positionalForward(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4)),
  },
  {
    name: "positionalBackward",
    args: () => [f32(2), f32(8), f32(2), 1, 2, { frequencies: 2, includeInput: true }],
    slots: [...allArgs(6), [5, "includeInput"]],
    call: (x) => positionalBackward(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4), a(x, 5)),
  },
  {
    name: "gaussianForward",
    args: () => [f32(2), f32(4), 1, 2, f32(4)],
    slots: allArgs(5),
    call: (x) => gaussianForward(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4)),
  },
  {
    name: "gaussianBackward",
    args: () => [f32(2), f32(4), f32(2), 1, 2, f32(4)],
    slots: allArgs(6),
    call: (x) => gaussianBackward(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4), a(x, 5)),
  },
  {
    name: "gatherInputs",
    args: () => [f32(8), 2, f32(4), 2, 0, Uint32Array.of(1, 0, 3, 2)],
    slots: allArgs(6),
    call: (x) => gatherInputs(a(x, 0), a(x, 1), a(x, 2), a(x, 3), a(x, 4), a(x, 5)),
  },
  { name: "new EncodedOnDemand", args: () => [f32(4), encoder()], slots: allArgs(2), call: (x) => new EncodedOnDemand(a(x, 0), a(x, 1)) },
  // coordnet/backends
  { name: "probeBackend", args: () => ["reference"], slots: [[0]], call: (x) => probeBackend(a(x, 0)) },
  { name: "requireBackend", args: () => ["reference"], slots: [[0]], call: (x) => requireBackend(a(x, 0)) },
  { name: "resolveBackendName", args: () => ["auto"], slots: [[0]], call: (x) => resolveBackendName(a(x, 0)) },
  {
    name: "referenceBackend.create",
    args: () => [{ spec: { ...spec }, adam: { ...adam }, weights: model.weights, maxBatch: 4 }],
    slots: [[0], [0, "spec"], [0, "spec", "width"], [0, "adam"], [0, "adam", "eps"], [0, "weights"], [0, "maxBatch"]],
    call: async (x) => (await referenceBackend.create(a(x, 0))).dispose(),
  },
  {
    name: "new ReferenceTrainer",
    args: () => [{ spec: { ...spec }, adam: { ...adam }, weights: model.weights, maxBatch: 4 }, "float32"],
    slots: [[0], [1], [0, "spec", "depth"], [0, "maxBatch"], [0, "adam", "beta1"]],
    call: (x) => new ReferenceTrainer(a(x, 0), a(x, 1)),
  },
  // coordnet/node
  { name: "readPng", args: () => [pngPath, { maxPixels: 16 }], slots: [[0], [1], [1, "maxPixels"]], call: (x) => N.readPng(a(x, 0), a(x, 1)) },
  {
    name: "writePng",
    args: () => ["out/w.png", rgb()],
    slots: [[0], [1], [1, "data"], [1, "width"]],
    call: (x) => N.writePng(a(x, 0), a(x, 1)),
    outputs: (x) => [x[0]],
  },
  { name: "saveModel", args: () => ["out/m.safetensors", model], slots: allArgs(2), call: (x) => N.saveModel(a(x, 0), a(x, 1)), outputs: (x) => [x[0]] },
  { name: "loadModel", args: () => [modelPath], slots: [[0]], call: (x) => N.loadModel(a(x, 0)) },
  { name: "loadCheckpoint", args: () => [checkpointPath], slots: [[0]], call: (x) => N.loadCheckpoint(a(x, 0)) },
  {
    name: "saveCheckpoint",
    args: () => ["out/c.safetensors", { ...checkpoint, optimizer: { ...checkpoint.optimizer } }, N.VERSION],
    slots: [[0], [1], [2], [1, "config"], [1, "weights"], [1, "matrix"], [1, "optimizer"], [1, "position"], [1, "optimizer", "step"]],
    call: (x) => N.saveCheckpoint(a(x, 0), a(x, 1), a(x, 2)),
    outputs: (x) => [x[0]],
  },
  { name: "resample", args: () => [rgb(), 3, 1], slots: [...allArgs(3), [0, "data"], [0, "height"]], call: (x) => N.resample(a(x, 0), a(x, 1), a(x, 2)) },
  { name: "checkPixels", args: () => ["--size", 2, 2, 4], slots: allArgs(4), call: (x) => N.checkPixels(a(x, 0), a(x, 1), a(x, 2), a(x, 3)) },
  { name: "snapshotEpochs", args: () => [10], slots: [[0]], call: (x) => N.snapshotEpochs(a(x, 0)) },
  { name: "snapshotName", args: () => [10], slots: [[0]], call: (x) => N.snapshotName(a(x, 0)) },
  { name: "spread", args: () => [[1, 2, null]], slots: [[0], [0, 1]], call: (x) => N.spread(a(x, 0)) },
  {
    name: "separation",
    args: () => [N.spread([1, 2]), N.spread([3, 4])],
    slots: [[0], [1], [0, "sd"]],
    call: (x) => N.separation(a(x, 0), a(x, 1)),
  },
  { name: "summarize", args: () => [rows()], slots: [[0], [0, 0], [0, 0, "record"], [0, 0, "preset"]], call: (x) => N.summarize(a(x, 0)) },
  { name: "presetStats", args: () => [rows()], slots: [[0], [0, 0], [0, 0, "seed"]], call: (x) => N.presetStats(a(x, 0)) },
  { name: "judgeClaims", args: () => [N.presetStats(rows())], slots: [[0], [0, 0], [0, 0, "mse"]], call: (x) => N.judgeClaims(a(x, 0)) },
  { name: "parseComparison", args: () => [comparisonText, "t.json"], slots: allArgs(2), call: (x) => N.parseComparison(a(x, 0), a(x, 1)) },
  {
    name: "markdownReport",
    args: () => [reportInput()],
    slots: [[0], [0, "rows"], [0, "image"], [0, "snapshotEpochs"], [0, "compare"]],
    call: (x) => N.markdownReport(a(x, 0)),
  },
  { name: "htmlReport", args: () => [reportInput()], slots: [[0], [0, "rows"], [0, "outDir"], [0, "sourcePng"]], call: (x) => N.htmlReport(a(x, 0)) },
  {
    name: "runTraining",
    args: () => [
      { config: small, image: rgb(), imageSource: "memory", backend: "reference", outDir: "out/run", snapshots: [], version: N.VERSION, force: true },
    ],
    slots: [
      [0],
      ...["config", "image", "outDir", "snapshots", "backend", "resume", "force", "checkpointEvery", "storedInputsMaxBytes", "onProgress"].map((k) => [0, k]),
      [0, "image", "data"],
    ],
    call: (x) => N.runTraining(a(x, 0)),
    outputs: (x) => [(x[0] as { outDir?: unknown } | null)?.outDir],
  },
  {
    name: "runPaper",
    args: () => [
      { image: rgb(), imageSource: "memory", epochs: 1, backend: "reference", outDir: "out/paper", version: N.VERSION, presets: ["relu-sigmoid"], seeds: 1 },
    ],
    slots: [[0], [0, "epochs"], [0, "presets"], [0, "seeds"], [0, "outDir"], [0, "compare"], [0, "image"]],
    call: (x) => N.runPaper(a(x, 0)),
    outputs: (x) => [(x[0] as { outDir?: unknown } | null)?.outDir],
  },
];

const deep = JSON.parse(`${"[".repeat(10_000)}${"]".repeat(10_000)}`) as unknown[];
const hostileConstants: unknown[] = [
  undefined,
  null,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -0,
  0.5,
  2 ** 53,
  1e300,
  "",
  "x",
  "auto",
  [],
  {},
  [1, [2]],
  () => 1,
  Symbol("s"),
  10n,
  new BigInt64Array(4),
  new Float64Array(3),
  new Uint8Array(8),
  { length: 1e12 },
  {
    get width() {
      throw new Error("getter");
    },
  },
  new Proxy(
    {},
    {
      get() {
        throw new Error("trap");
      },
      ownKeys() {
        throw new Error("trap");
      },
    },
  ),
  new Date(0),
  deep,
];
// drawn as an index (fast-check prints what it draws, and a 10,000-deep array or a throwing Proxy cannot be printed)
const hostile = fc.oneof(
  { arbitrary: fc.record({ constant: fc.nat({ max: hostileConstants.length - 1 }) }), weight: 3 },
  { arbitrary: fc.record({ anything: fc.anything({ maxDepth: 2, maxKeys: 3 }) }), weight: 1 },
);
const hostileValue = (h: { constant: number } | { anything: unknown }) => ("constant" in h ? hostileConstants[h.constant] : h.anything);

/** `args` with the value at `path` replaced (the objects along the path copied, not changed). */
function replaced(args: unknown[], path: Key[], value: unknown): unknown[] {
  const out = [...args];
  let parent = out as unknown as Record<Key, unknown>;
  for (const key of path.slice(0, -1)) {
    const child = parent[key];
    const copy = Array.isArray(child) ? [...child] : child !== null && typeof child === "object" && !ArrayBuffer.isView(child) ? { ...child } : {};
    parent[key] = copy;
    parent = copy as Record<Key, unknown>;
  }
  parent[path[path.length - 1]] = value;
  return out;
}

/** Every file and folder under the working folder with size and mtime, except the call's outputs. */
function snapshot(outputs: string[]): string[] {
  const skip = outputs.map((p) => normalize(p).replace(/\/$/, ""));
  return readdirSync(".", { recursive: true, encoding: "utf8" })
    .filter((f) => !skip.some((o) => f === o || f.startsWith(`${o}/`) || o.startsWith(`${f}/`)))
    .map((f) => {
      const s = statSync(f);
      return s.isFile() ? `${f} ${s.size} ${s.mtimeMs}` : `${f}/`;
    })
    .sort();
}

const outcomes = new Map<string, Set<string>>();

describe("fuzz: hostile arguments to every public function", () => {
  it("return, or one CoordnetError line of at most MAX_MESSAGE_LENGTH; nothing outside the outputs changes; peak memory bounded", async () => {
    writeFileSync("marker", "the working folder's own file");
    const rssBefore = process.resourceUsage().maxRSS * 1024;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: entries.length - 1 }).chain((e) => fc.tuple(fc.constant(e), fc.nat({ max: entries[e].slots.length - 1 }), hostile)),
        async ([e, s, drawn]) => {
          const entry = entries[e];
          const value = hostileValue(drawn);
          const args = replaced(entry.args(), entry.slots[s], value);
          let outputs: string[] = [];
          try {
            outputs = (entry.outputs?.(args) ?? []).filter((p): p is string => typeof p === "string" && p !== "");
          } catch {
            // a Proxy whose traps throw has no output path to read
          }
          const before = snapshot(outputs);
          let outcome = "returned";
          try {
            await entry.call(args);
          } catch (error) {
            const detail = `${entry.name} ${JSON.stringify(entry.slots[s])} = ${JSON.stringify(drawn, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))?.slice(0, 80)}: ${(error as Error)?.constructor?.name} ${String((error as Error)?.message).slice(0, 300)}`;
            expect(error, detail).toBeInstanceOf(N.CoordnetError);
            const message = (error as Error).message;
            expect(message, detail).not.toMatch(/[\n\r]/);
            expect(message.length, detail).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
            expect(message, detail).not.toMatch(/Cannot read properties|is not a function|is not iterable|Maximum call stack|Invalid typed array length/);
            outcome = "refused";
          }
          expect(snapshot(outputs), `${entry.name} changed files outside ${JSON.stringify(outputs)}`).toEqual(before);
          outcomes.set(entry.name, (outcomes.get(entry.name) ?? new Set()).add(outcome));
        },
      ),
      { numRuns: 1500 },
    );
    const growth = process.resourceUsage().maxRSS * 1024 - rssBefore;
    console.log(
      `peak RSS grew by ${(growth / 2 ** 20).toFixed(0)} MiB over the property; outcomes: ${JSON.stringify([...outcomes].map(([k, v]) => [k, [...v]]))}`,
    );
    expect(growth).toBeLessThan(MEMORY_BOUND);
    // not vacuous: calls were refused and calls went through, over many functions
    const all = [...outcomes.values()].flatMap((v) => [...v]);
    expect(all).toContain("refused");
    expect(all).toContain("returned");
    expect(outcomes.size).toBeGreaterThan(entries.length / 2);
  });
});
