/**
 * @module
 * A model and its training described as data, in tiny-cuda-nn's spirit: `encoding`, `network`,
 * `optimizer`, `schedule`, `loss` and `training` blocks, each with a `type` where there is a
 * choice. {@link parseConfig} validates a plain JSON object (every field optional: defaults are the
 * study's settings) and returns the fully resolved config, which prints back as JSON and parses to
 * itself again.
 *
 * ```json
 * {
 *   "encoding": { "type": "positional", "range": "01", "frequencies": 5, "includeInput": false },
 *   "network": { "width": 128, "depth": 4, "activation": "relu", "outputActivation": "sigmoid", "init": "torch" },
 *   "optimizer": { "type": "adam", "lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8 },
 *   "schedule": { "type": "step", "every": 50, "factor": 0.5 },
 *   "loss": { "type": "mse" },
 *   "training": { "epochs": 200, "batchSize": 1024, "seed": 0 }
 * }
 * ```
 */

import { z } from "zod";
import { CoordnetError, quote } from "./errors.js";
import { ACTIVATION_NAMES, type ActivationName } from "./reference/activations/index.js";
import type { InitScheme } from "./reference/init.js";
import { didYouMean } from "./suggest.js";

/**
 * The interval coordinates are mapped to: `"01"` is [0, 1], `"11"` is [−1, 1].
 *
 * @group Coordinates
 */
export type CoordRange = "01" | "11";

const MAX_WIDTH = 4096;
/** The largest batch a config asks for (and a trainer takes): 2²⁰ samples. */
export const MAX_BATCH_SIZE = 1 << 20;
/** The deepest network a config describes: 64 hidden layers. */
export const MAX_NETWORK_DEPTH = 64;

/**
 * A whole number from `lo` to `hi`, with the message every config field uses (`compareBackends` uses it too).
 *
 * @group Configs and presets
 */
export const intIn = (lo: number, hi: number) => {
  const message =
    hi === Number.MAX_SAFE_INTEGER ? (lo === 1 ? "must be a positive integer" : `must be an integer ≥ ${lo}`) : `must be an integer from ${lo} to ${hi}`;
  return z.number({ error: message }).int({ error: message }).min(lo, { error: message }).max(hi, { error: message });
};
const positive = () => z.number({ error: "must be a positive number" }).positive({ error: "must be a positive number" });
const unitInterval = () =>
  z.number({ error: "must be a number in [0, 1)" }).min(0, { error: "must be a number in [0, 1)" }).lt(1, { error: "must be a number in [0, 1)" });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(", ")}` });

/** The named holdout protocols (a fraction is the other kind). */
const HOLDOUT_NAMES = ["every-other"] as const;
const HOLDOUT_MESSAGE = 'must be "every-other" or a fraction of the pixels in (0, 1)';
const holdoutSchema = z.union(
  [
    z.literal(HOLDOUT_NAMES[0], { error: HOLDOUT_MESSAGE }),
    z.number({ error: HOLDOUT_MESSAGE }).gt(0, { error: HOLDOUT_MESSAGE }).lt(1, { error: HOLDOUT_MESSAGE }),
  ],
  { error: HOLDOUT_MESSAGE },
);

const range = oneOf(["01", "11"] as const).default("01");

// an encoding block without a `type` is the plain one
const withDefaultType = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) && !("type" in v) ? { ...v, type: "none" } : v);

const encodingUnion = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("none"), range }),
    z.strictObject({
      type: z.literal("positional"),
      range,
      frequencies: intIn(1, 24).default(5),
      includeInput: z.boolean({ error: "must be true or false" }).default(false),
    }),
    z.strictObject({
      type: z.literal("gaussian"),
      range,
      features: intIn(1, 4096).default(256),
      sigma: positive().default(10),
    }),
    z.strictObject({
      type: z.literal("sape"),
      range,
      features: intIn(1, 4096).default(256),
      sigma: positive().default(10),
      grid: intIn(1, 256).default(32),
      epsilon: positive().default(1e-3),
      unlockBy: z
        .number({ error: "must be a number in (0, 1]" })
        .gt(0, { error: "must be a number in (0, 1]" })
        .max(1, { error: "must be a number in (0, 1]" })
        .default(0.5),
    }),
  ],
  { error: "must be one of none, positional, gaussian, sape" },
);
const encodingSchema = z.preprocess(withDefaultType, encodingUnion);

const activationNames = ACTIVATION_NAMES as [ActivationName, ...ActivationName[]];

const networkSchema = z
  .strictObject({
    width: intIn(1, MAX_WIDTH).default(128),
    depth: intIn(1, MAX_NETWORK_DEPTH).default(4),
    activation: oneOf(activationNames).default("relu"),
    outputActivation: oneOf(activationNames).default("sigmoid"),
    init: oneOf(["torch", "siren"] as const).optional(),
  })
  // SIREN's initialisation is the default for sine networks, PyTorch's for the rest.
  .transform((n): NetworkConfig => ({ ...n, init: n.init ?? (n.activation === "sine" ? "siren" : "torch") }));

const schema: z.ZodType<Config, unknown> = z.strictObject({
  encoding: encodingSchema.default({ type: "none", range: "01" }),
  network: networkSchema.default({ width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid", init: "torch" }),
  optimizer: z
    .strictObject({
      type: z.literal("adam", { error: "must be adam" }).default("adam"),
      lr: positive().default(1e-3),
      beta1: unitInterval().default(0.9),
      beta2: unitInterval().default(0.999),
      eps: positive().default(1e-8),
    })
    .default({ type: "adam", lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 }),
  schedule: z
    .strictObject({
      type: z.literal("step", { error: "must be step" }).default("step"),
      every: intIn(0, Number.MAX_SAFE_INTEGER).default(50),
      factor: positive().default(0.5),
    })
    .default({ type: "step", every: 50, factor: 0.5 }),
  loss: z.strictObject({ type: z.literal("mse", { error: "must be mse" }).default("mse") }).default({ type: "mse" }),
  training: z
    .strictObject({
      epochs: intIn(0, 1_000_000).default(200),
      batchSize: intIn(1, MAX_BATCH_SIZE).default(1024),
      seed: intIn(0, 0xffffffff).default(0),
      holdout: holdoutSchema.optional(),
    })
    .default({ epochs: 200, batchSize: 1024, seed: 0 }),
});

/**
 * No encoding: the network sees the normalised coordinates [x, y] themselves.
 *
 * @group Configs and presets
 */
export interface NoEncodingConfig {
  /** the encoding's kind */
  type: "none";
  /** coordinate range: `01` is [0, 1], `11` is [−1, 1] */
  range: CoordRange;
}

/**
 * Sinusoidal positional encoding, sin/cos(2ᵏπp) for k = 0 … L − 1 (see `positional.ts`).
 *
 * @group Configs and presets
 */
export interface PositionalEncodingConfig {
  /** the encoding's kind */
  type: "positional";
  /** coordinate range: `01` is [0, 1], `11` is [−1, 1] */
  range: CoordRange;
  /** number of frequencies L (study: 5, NeRF: 10) */
  frequencies: number;
  /** put the raw coordinates before the sinusoids */
  includeInput: boolean;
}

/**
 * Gaussian random Fourier features [sin(2πBp), cos(2πBp)], B ~ N(0, σ²) (see `gaussian.ts`).
 *
 * @group Configs and presets
 */
export interface GaussianEncodingConfig {
  /** the encoding's kind */
  type: "gaussian";
  /** coordinate range: `01` is [0, 1], `11` is [−1, 1] */
  range: CoordRange;
  /** number of rows m of B (the encoding outputs 2m features) */
  features: number;
  /** standard deviation σ of B's entries */
  sigma: number;
}

/**
 * SAPE, spatially-adaptive progressive encoding (see `sape.ts`): [p, α ⊙ sin(2πBp), α ⊙ cos(2πBp)]
 * with B's rows sorted by norm and the mask α unlocking them per grid cell while the cell's error
 * is above ε.
 *
 * @group Configs and presets
 */
export interface SapeEncodingConfig {
  /** the encoding's kind */
  type: "sape";
  /** coordinate range: `01` is [0, 1], `11` is [−1, 1] */
  range: CoordRange;
  /** number of rows m of B, one band each (the encoding outputs 2 + 2m features) */
  features: number;
  /** standard deviation σ of B's entries */
  sigma: number;
  /** cells per side of the progression grid */
  grid: number;
  /** a cell stops unlocking bands once its mean squared error (per sample, over channels) is at most this */
  epsilon: number;
  /** the fraction of the run's epochs by which a cell that never stops has unlocked every band */
  unlockBy: number;
}

/**
 * The `encoding` block: one of the four encodings.
 *
 * @group Configs and presets
 */
export type EncodingConfig = NoEncodingConfig | PositionalEncodingConfig | GaussianEncodingConfig | SapeEncodingConfig;

/**
 * The `network` block.
 *
 * @group Configs and presets
 */
export interface NetworkConfig {
  /** units per hidden layer */
  width: number;
  /** number of hidden layers (the study's network: 4) */
  depth: number;
  /** activation after each hidden layer */
  activation: ActivationName;
  /** activation after the output layer (`sigmoid`, or `identity` for none) */
  outputActivation: ActivationName;
  /** initialisation: `siren` by default for sine networks, `torch` otherwise */
  init: InitScheme;
}

/**
 * The `optimizer` block (Adam).
 *
 * @group Configs and presets
 */
export interface OptimizerConfig {
  /** the optimiser's kind */
  type: "adam";
  /** initial learning rate */
  lr: number;
  /** Adam's β₁ */
  beta1: number;
  /** Adam's β₂ */
  beta2: number;
  /** Adam's ε */
  eps: number;
}

/**
 * The `schedule` block: multiply the learning rate by `factor` every `every` epochs.
 *
 * @group Configs and presets
 */
export interface ScheduleConfig {
  /** the schedule's kind */
  type: "step";
  /** epochs between decays; 0 turns the schedule off */
  every: number;
  /** multiplier applied at each decay */
  factor: number;
}

/**
 * The `loss` block.
 *
 * @group Configs and presets
 */
export interface LossConfig {
  /** the loss's kind: mean squared error */
  type: "mse";
}

/**
 * Which pixels a run holds out of training, to test how the network does between the pixels it
 * learned: `"every-other"` trains on the pixels with even x and even y and tests on the rest
 * (Tancik et al.'s protocol); a number F in (0, 1) holds out round(F·N) of the N pixels, drawn
 * from the run's seed. See `holdoutSplit`.
 *
 * @group Configs and presets
 */
export type Holdout = "every-other" | number;

/**
 * The `training` block.
 *
 * @group Configs and presets
 */
export interface TrainingConfig {
  /** passes over the data */
  epochs: number;
  /** samples per Adam step (the last batch of an epoch may be shorter) */
  batchSize: number;
  /** seed of every random choice: initial weights, Gaussian B, shuffles, a random holdout */
  seed: number;
  /** pixels held out of training and tested on at the end (absent: every pixel trains) */
  holdout?: Holdout;
}

/**
 * A fully resolved config: every block and field present, every default filled in.
 *
 * @group Configs and presets
 */
export interface Config {
  /** how coordinates become network inputs */
  encoding: EncodingConfig;
  /** the MLP's shape */
  network: NetworkConfig;
  /** Adam's settings */
  optimizer: OptimizerConfig;
  /** the learning-rate schedule */
  schedule: ScheduleConfig;
  /** the loss */
  loss: LossConfig;
  /** epochs, batch size, seed */
  training: TrainingConfig;
}

/** Problems (or unknown keys) a message lists before it says how many more there are. */
const MAX_LISTED = 5;

/**
 * A config that failed validation. `issues` holds one readable line per problem.
 *
 * @example
 * ```ts
 * try {
 *   parseConfig({ network: { width: -3 } });
 * } catch (e) {
 *   if (e instanceof ConfigError) console.error(e.issues[0]); // network.width must be …, got -3
 * }
 * ```
 *
 * @group Configs and presets
 */
export class ConfigError extends CoordnetError {
  /** one line per problem, e.g. `network.width must be a positive integer, got -3` */
  readonly issues: string[];
  constructor(issues: string[]) {
    // the first few problems, and how many more: a config with a million errors is still one line
    super(issues.length > MAX_LISTED ? `${issues.slice(0, MAX_LISTED).join("; ")}; and ${issues.length - MAX_LISTED} more problems` : issues.join("; "));
    this.name = "ConfigError";
    this.issues = issues;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** A value as a message quotes it: `Infinity`, `NaN`, `5n` and `a function` as themselves (JSON would say null, or throw), long ones cut. */
function describe(value: unknown): string {
  return value === undefined ? "nothing" : quote(value);
}

/**
 * A copy of a config's plain objects and arrays (other values as they are, for the schema to
 * judge), read once: a getter or Proxy trap that throws is a {@link ConfigError}, and a function,
 * bigint or symbol is copied as a value the schema then names — where `structuredClone` threw a
 * DataCloneError. Keys like `__proto__` stay own keys (and are refused as unknown).
 */
function copyConfig(value: unknown, path = "config", depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > MAX_JSON_DEPTH) return value;
  if (Array.isArray(value)) return Array.from(value, (v, i) => copyConfig(v, `${path}.${i}`, depth + 1));
  // a Date, a Map, a typed array: an object to zod, but not config data
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  if (tag !== "Object") throw new ConfigError([`${path} must be JSON data (objects, arrays, numbers, strings, true/false), got a ${tag}`]);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value))
    Object.defineProperty(out, key, { value: copyConfig(v, `${path}.${key}`, depth + 1), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Run `read` on a caller's config; a getter or Proxy trap that throws becomes a {@link ConfigError}. */
function reading<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof CoordnetError) throw e;
    let why: string;
    try {
      why = e instanceof Error ? String(e.message) : quote(e);
    } catch {
      why = "an error that cannot be read";
    }
    throw new ConfigError([`config could not be read: ${why}`]);
  }
}

/**
 * Deepest nesting of objects and arrays accepted in JSON that coordnet reads (configs,
 * safetensors headers, checkpoint states): far above what any of them needs, far below what
 * would overflow the stack of a recursive walk (`structuredClone`, `JSON.stringify`).
 *
 * @example
 * ```ts
 * if (nestedDeeperThan(JSON.parse(text), MAX_JSON_DEPTH)) throw new Error("nested too deeply");
 * ```
 *
 * @group Configs and presets
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether a parsed JSON value nests objects and arrays more than `limit` levels deep. Walks
 * iteratively, so any depth is safe to ask about.
 *
 * @example
 * ```ts
 * nestedDeeperThan({ a: { b: [1] } }, 2); // true: three levels
 * ```
 *
 * @group Configs and presets
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== "object") continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(v)) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Most keys and values (all levels together) a config may hold: a full config has about 30, and
 * the schema's time grows with them (three million unknown keys took a minute to list).
 */
const MAX_CONFIG_VALUES = 10_000;

/** Keys in a parsed JSON value, all levels together (arrays' elements included), counted up to just past `limit`. */
function countValues(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== "object") continue;
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      if (++count > limit) return count;
      stack.push((v as Record<string, unknown>)[key]);
    }
  }
  return count;
}

/**
 * Validate a config object and fill in the defaults.
 *
 * @throws {@link ConfigError} listing every problem, one readable line each
 *
 * @example
 * ```ts
 * const config = parseConfig({ network: { activation: "gelu" } });
 * config.network.width; // 128
 * parseConfig({ network: { width: -3 } }); // throws "network.width must be an integer from 1 to 4096, got -3"
 * ```
 *
 * @group Configs and presets
 */
export function parseConfig(config: unknown): Config {
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw new ConfigError([`config must be a JSON object, got ${describe(config)}`]);
  if (reading(() => nestedDeeperThan(config, MAX_JSON_DEPTH))) throw new ConfigError([`config is nested more than ${MAX_JSON_DEPTH} levels deep`]);
  // read once, so the schema and the messages see the same values
  const values = reading(() => countValues(config, MAX_CONFIG_VALUES));
  if (values > MAX_CONFIG_VALUES)
    throw new ConfigError([`config holds more than ${MAX_CONFIG_VALUES} keys and values; a config has a few dozen (see presets/)`]);
  const input = reading(() => copyConfig(config));
  const result = reading(() => schema.safeParse(input));
  if (result.success) return result.data;
  throw new ConfigError(issueLines(result.error.issues, input, [], "config"));
}

/** One readable line per problem zod found in `input`, its path starting with `root`. */
function issueLines(issues: readonly z.core.$ZodIssue[], input: unknown, root: string[], name: string): string[] {
  return issues.map((issue) => {
    const where = [...root, ...issue.path.map(String)].join(".");
    if (issue.code === "unrecognized_keys") {
      const { keys } = issue;
      const listed = keys.slice(0, MAX_LISTED).map((k) => quote(k, 40));
      return `${where || name} has unknown key${keys.length > 1 ? "s" : ""} ${listed.join(", ")}${keys.length > MAX_LISTED ? ` and ${keys.length - MAX_LISTED} more` : ""}`;
    }
    const value = valueAt(input, issue.path);
    // a misspelt choice (an activation, an encoding) gets the one it most likely meant
    const hint =
      issue.code === "invalid_value" ? didYouMean(value, issue.values.map(String)) : issue.path.at(-1) === "holdout" ? didYouMean(value, HOLDOUT_NAMES) : "";
    return `${where || name} ${issue.message}, got ${describe(value)}${hint}`;
  });
}

/**
 * Validate an `encoding` block on its own (what `createEncoder` and `encodedFeatures` are given),
 * with the config's own schema, and fill in its defaults.
 *
 * @throws {@link ConfigError} `fn: encoding.frequencies must be an integer from 1 to 24, got 0`
 *
 * @example
 * ```ts
 * parseEncoding({ type: "positional" }, "createEncoder"); // { type: "positional", range: "01", frequencies: 5, includeInput: false }
 * ```
 *
 * @group Configs and presets
 */
export function parseEncoding(encoding: unknown, fn: string): EncodingConfig {
  const input = reading(() => copyConfig(encoding, "encoding"));
  const result = reading(() => encodingSchema.safeParse(input));
  if (result.success) return result.data;
  throw new ConfigError(issueLines(result.error.issues, input, ["encoding"], "encoding").map((line) => `${fn}: ${line}`));
}

/**
 * Changes on top of a config (what `coordnet train`'s flags and `fit`'s options set).
 *
 * @group Configs and presets
 */
export interface ConfigOverrides {
  /** hidden activation */
  readonly activation?: ActivationName;
  /** output activation (`none` is `identity`) */
  readonly outputActivation?: "sigmoid" | "identity" | "none";
  /** coordinate range: `01` = [0,1], `11` = [−1,1] */
  readonly range?: CoordRange;
  /** input encoding; a different one starts from its own defaults, keeping only the range */
  readonly encoding?: "none" | "positional" | "gaussian";
  /** positional encoding: number of frequencies L */
  readonly frequencies?: number;
  /** Gaussian Fourier features (and SAPE's): standard deviation of B */
  readonly sigma?: number;
  /** units per hidden layer */
  readonly width?: number;
  /** hidden layers */
  readonly depth?: number;
  /** passes over the image */
  readonly epochs?: number;
  /** samples per Adam step */
  readonly batchSize?: number;
  /** Adam's learning rate */
  readonly lr?: number;
  /** multiply the learning rate by `decayFactor` every this many epochs (0: never) */
  readonly decayEvery?: number;
  /** learning-rate decay factor */
  readonly decayFactor?: number;
  /** seed of weights, encodings and shuffles */
  readonly seed?: number;
  /** hold pixels out of training to test on: `"every-other"` or a fraction in (0, 1) (see {@link Holdout}) */
  readonly holdout?: Holdout;
}

/**
 * The fields of {@link ConfigOverrides}, for callers that check an options object's keys.
 *
 * @example
 * ```ts
 * OVERRIDE_KEYS.includes("lr"); // true
 * ```
 *
 * @group Configs and presets
 */
export const OVERRIDE_KEYS = [
  "activation",
  "outputActivation",
  "range",
  "encoding",
  "frequencies",
  "sigma",
  "width",
  "depth",
  "epochs",
  "batchSize",
  "lr",
  "decayEvery",
  "decayFactor",
  "seed",
  "holdout",
] as const satisfies readonly (keyof ConfigOverrides)[];

type Obj = Record<string, unknown>;

/**
 * A config (a plain object, as read from JSON or a preset) with changes on top, validated. A
 * changed activation drops an `init` the base chose for its own activation (SIREN's), so the new
 * activation gets its default initialisation.
 *
 * @throws {@link ConfigError} with one readable line per problem
 *
 * @example
 * ```ts
 * const config = applyOverrides(loadPreset("positional").config, { epochs: 20, frequencies: 6 });
 * ```
 *
 * @group Configs and presets
 */
export function applyOverrides(base: unknown, overrides: ConfigOverrides): Config {
  if (base === null || typeof base !== "object" || Array.isArray(base)) throw new ConfigError([`config must be a JSON object, got ${describe(base)}`]);
  if (overrides === null || typeof overrides !== "object" || Array.isArray(overrides))
    throw new ConfigError([`the changes to the config must be an object such as { epochs: 50 }, got ${describe(overrides)}`]);
  if (reading(() => nestedDeeperThan(base, MAX_JSON_DEPTH))) throw new ConfigError([`config is nested more than ${MAX_JSON_DEPTH} levels deep`]);
  const c = reading(() => copyConfig(base)) as Obj;
  const block = (name: string): Obj => {
    if (c[name] === undefined) c[name] = {};
    const b = c[name];
    if (b === null || typeof b !== "object" || Array.isArray(b)) throw new ConfigError([`${name} must be an object, got ${describe(b)}`]);
    return b as Obj;
  };
  // each change read once (a getter that throws is named like one in the config)
  const o = reading(() => Object.fromEntries(OVERRIDE_KEYS.map((k) => [k, overrides[k]]))) as ConfigOverrides;
  let encoding = block("encoding");
  if (o.encoding !== undefined && o.encoding !== (encoding.type ?? "none")) {
    // a different encoding starts from its own defaults, keeping only the range
    c.encoding = encoding.range === undefined ? { type: o.encoding } : { type: o.encoding, range: encoding.range };
    encoding = c.encoding as Obj;
  }
  const set = (target: Obj, key: string, value: unknown) => {
    if (value !== undefined) target[key] = value;
  };
  set(encoding, "range", o.range);
  const encodingType = encoding.type ?? "none";
  if (o.frequencies !== undefined && encodingType !== "positional") throw new ConfigError(["frequencies applies to the positional encoding only"]);
  if (o.sigma !== undefined && encodingType !== "gaussian" && encodingType !== "sape")
    throw new ConfigError(["sigma applies to the gaussian and sape encodings only"]);
  set(encoding, "frequencies", o.frequencies);
  set(encoding, "sigma", o.sigma);
  const network = block("network");
  if (o.activation !== undefined && o.activation !== network.activation) delete network.init; // the new activation picks its initialisation
  set(network, "activation", o.activation);
  set(network, "outputActivation", o.outputActivation === "none" ? "identity" : o.outputActivation);
  set(network, "width", o.width);
  set(network, "depth", o.depth);
  set(block("optimizer"), "lr", o.lr);
  set(block("schedule"), "every", o.decayEvery);
  set(block("schedule"), "factor", o.decayFactor);
  const training = block("training");
  set(training, "epochs", o.epochs);
  set(training, "batchSize", o.batchSize);
  set(training, "seed", o.seed);
  set(training, "holdout", o.holdout);
  return parseConfig(c);
}
