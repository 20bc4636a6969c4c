/**
 * @module
 * The backend interface every implementation of training shares, and the registry that finds
 * backends by name. A backend is a factory of {@link Trainer}s; a trainer owns one network's
 * weights and Adam state (wherever they live: JS arrays, WebAssembly memory, a GPU) and trains it.
 */

import type { NetworkInputs } from "../encoding/inputs.js";
import { CoordnetError, InvalidArgumentError, quote, readingArgument } from "../errors.js";
import { checkedBackend } from "../io/validate.js";
import type { AdamOptions } from "../reference/adam.js";
import type { MLPSpec } from "../reference/mlp.js";

/** One dense layer's parameters, as plain float32 arrays in PyTorch's layout. */
export interface LayerWeights {
  /** row-major [outputs][inputs] */
  weight: Float32Array;
  /** [outputs] */
  bias: Float32Array;
}

/** What {@link Trainer.gradients} returns: one batch's forward pass and backward pass, no step. */
export interface BatchGradients {
  /** the network's outputs, row-major [count][outputs] */
  readonly outputs: Float32Array;
  /** the batch's MSE loss */
  readonly loss: number;
  /** per layer, dL/dW (`weight`, row-major [outputs][inputs]) and dL/db (`bias`, [outputs]) */
  readonly grads: LayerWeights[];
}

/** Adam's state in portable form: step count, then m and v in the order W₀, b₀, W₁, b₁, … */
export interface OptimizerSnapshot {
  /** steps taken so far */
  step: number;
  /** first moments, one array per parameter array */
  m: Float32Array[];
  /** second moments, one array per parameter array */
  v: Float32Array[];
}

/** How a trainer is created: the network's shape, its optimiser settings and its first weights. */
export interface TrainerOptions {
  /** the network's shape and activations */
  readonly spec: MLPSpec;
  /** Adam's β₁, β₂, ε */
  readonly adam: AdamOptions;
  /** the initial weights (see the reference's `createMLP` for how they are drawn) */
  readonly weights: LayerWeights[];
  /** the largest batch the trainer will be given */
  readonly maxBatch: number;
}

/** What a trainer reports about itself: the backend that actually runs and any details. */
export interface TrainerInfo {
  /** registry name of the backend that runs, e.g. `reference` */
  readonly backend: string;
  /** e.g. the executor or adapter; free-form, written into run records */
  readonly details: Readonly<Record<string, string>>;
}

/**
 * A network being trained. Inputs are row-major [count][inputs], targets and outputs
 * row-major [count][outputs], all float32. The computing methods return Promises, because GPU
 * backends read their results back asynchronously; the reference resolves them at once.
 */
export interface Trainer {
  /** which backend runs, and how */
  readonly info: TrainerInfo;
  /** the network's shape */
  readonly spec: MLPSpec;
  /**
   * Forward pass for `count` samples (any count; done in chunks of at most `maxBatch`): inputs
   * stored [count][spec.inputs], or coordinates encoded a chunk at a time.
   */
  predict(inputs: NetworkInputs, count: number): Promise<Float32Array>;
  /**
   * One optimisation step on one batch: forward, MSE loss, backward, Adam at learning rate `lr`.
   * Returns the batch's loss before the step.
   */
  step(inputs: Float32Array, targets: Float32Array, count: number, lr: number): Promise<number>;
  /**
   * One epoch, or the rest of one: the samples `order[from…]` in batches of `batchSize` (the last
   * may be shorter), one {@link Trainer.step} each, gathered from the full data set
   * `inputs`/`targets` (inputs stored, or coordinates encoded as each batch is gathered). See
   * {@link EpochOptions} for resuming part-way and for stopping.
   */
  epoch(inputs: NetworkInputs, targets: Float32Array, order: Uint32Array, batchSize: number, lr: number, options?: EpochOptions): Promise<EpochProgress>;
  /**
   * One batch's forward outputs, MSE loss and every layer's gradients, without stepping: the
   * weights and Adam's state are left as they were. This is what kernel verification compares
   * (see `compareBackends`).
   */
  gradients(inputs: Float32Array, targets: Float32Array, count: number): Promise<BatchGradients>;
  /** A copy of the current weights (a GPU backend reads them back from the device, hence a Promise). */
  getWeights(): Promise<LayerWeights[]>;
  /** Replace the weights. */
  setWeights(weights: LayerWeights[]): void;
  /** A copy of Adam's state (read back from the device on a GPU backend). */
  getOptimizerState(): Promise<OptimizerSnapshot>;
  /** Replace Adam's state (to resume). */
  setOptimizerState(state: OptimizerSnapshot): void;
  /** Free what the trainer holds (device memory, workers). */
  dispose(): Promise<void>;
}

/** A backend can run here. */
export interface ProbeAvailable {
  /** yes */
  readonly available: true;
  /** set when `auto` should pass it over although it runs (e.g. WebGPU on a software adapter), and why */
  readonly autoSkip?: string;
  /** what it runs on, e.g. the WebGPU adapter */
  readonly device?: string;
}

/** A backend cannot run here, and why. */
export interface ProbeUnavailable {
  /** no */
  readonly available: false;
  /** one line a user can act on, e.g. `no WebGPU adapter answered` */
  readonly reason: string;
}

/** A backend's answer to "can you run here?". */
export type ProbeResult = ProbeAvailable | ProbeUnavailable;

/** Options of {@link Trainer.epoch}. */
export interface EpochOptions {
  /** where in `order` to start: 0 for a whole epoch, a multiple of the batch size when resuming */
  readonly from?: number;
  /** the loss sum of the part of the epoch already done (when resuming), so the total is summed in the same order as an uninterrupted epoch */
  readonly lossSum?: number;
  /**
   * Called with the position reached after each batch (a backend that runs many batches per call
   * may call it less often); when it returns true the epoch stops there.
   */
  readonly afterBatch?: (next: number) => boolean;
}

/** What {@link Trainer.epoch} did. */
export interface EpochProgress {
  /** Σ over the epoch's batches so far of (batch loss × batch size), starting from `options.lossSum`: divide by the sample count for the mean loss */
  readonly lossSum: number;
  /** position in `order` reached: `order.length` when the epoch is complete */
  readonly next: number;
}

/** A registered backend. */
export interface Backend {
  /** the name users type, e.g. `reference` */
  readonly name: string;
  /** one line on what it is */
  readonly description: string;
  /** `auto` picks the available backend of highest priority (as tfjs's `registerBackend(name, factory, priority)`) */
  readonly priority: number;
  /** whether it can run here; if not, why (loads its heavy modules only when asked) */
  probe(): Promise<ProbeResult>;
  /** build a trainer (only after a successful probe) */
  create(options: TrainerOptions): Promise<Trainer>;
}

/**
 * A backend that was asked for and cannot run here (unknown name, or its probe said no). The
 * message is one line naming the backend and the reason.
 *
 * @example
 * ```ts
 * try { await requireBackend("cuda"); } catch (e) { if (e instanceof BackendUnavailableError) console.error(e.message); }
 * ```
 */
export class BackendUnavailableError extends CoordnetError {
  constructor(message: string) {
    super(message);
    this.name = "BackendUnavailableError";
  }
}

/** Refuse a backend name that is not a non-empty string. */
function checkName(fn: string, what: string, name: unknown): asserts name is string {
  if (typeof name !== "string" || name === "")
    throw new InvalidArgumentError(`${fn}: ${what} must be a backend name such as "auto" or "wasm", got ${quote(name)}`);
}

const registry = new Map<string, Backend>();
const aliases = new Map<string, string>();
const warnedAliases = new Set<string>();

/**
 * Add a backend to the registry (a later registration under the same name replaces it).
 *
 * @example
 * ```ts
 * registerBackend({ name: "mine", description: "my kernels", priority: 5, probe: async () => ({ available: true }), create: async (o) => new MyTrainer(o) });
 * ```
 */
export function registerBackend(backend: Backend): void {
  readingArgument("registerBackend", "backend", () => checkBackend(backend));
  registry.set(backend.name, checkedBackend(backend)); // the trainer boundary: weights and Adam state checked for every backend alike
}

/** Refuse what is not a {@link Backend}: a name, a description, a finite priority, `probe` and `create`. */
function checkBackend(backend: Backend): void {
  const b = backend as Partial<Record<keyof Backend, unknown>> | null;
  if (b === null || typeof b !== "object" || typeof b.probe !== "function" || typeof b.create !== "function")
    throw new InvalidArgumentError(`registerBackend takes a Backend { name, description, priority, probe, create }, got ${quote(backend)}`);
  checkName("registerBackend", "name", b.name);
  if (typeof b.description !== "string") throw new InvalidArgumentError(`registerBackend: description must be a string, got ${quote(b.description)}`);
  if (typeof b.priority !== "number" || !Number.isFinite(b.priority))
    throw new InvalidArgumentError(`registerBackend: priority must be a finite number, got ${quote(b.priority)}`);
}

/**
 * Let an old name keep working: asking for `alias` gives `target`, with a one-line note on stderr
 * (once per process) that the name changed.
 *
 * @example
 * ```ts
 * registerAlias("webasm", "gpujs-wasm");
 * ```
 */
export function registerAlias(alias: string, target: string): void {
  checkName("registerAlias", "alias", alias);
  checkName("registerAlias", "target", target);
  aliases.set(alias, target);
}

/** The registered name an asked-for name stands for (aliases followed, with their note). */
function canonical(name: string): string {
  const target = aliases.get(name);
  if (target === undefined) return name;
  if (!warnedAliases.has(name)) {
    warnedAliases.add(name);
    console.warn(`coordnet: backend '${name}' is now called '${target}'; using '${target}'`);
  }
  return target;
}

/**
 * The names of all registered backends, highest `auto` priority first.
 *
 * @example
 * ```ts
 * backendNames(); // ["webgpu", "wasm", "gpujs-wasm", "reference", "gpujs-cpu"]
 * ```
 */
export function backendNames(): string[] {
  return [...registry.values()].sort((a, b) => b.priority - a.priority).map((b) => b.name);
}

/** A registered backend, whether it runs here and why not. */
export interface BackendStatus {
  /** registry name */
  readonly name: string;
  /** one line on what it is */
  readonly description: string;
  /** `auto`'s priority */
  readonly priority: number;
  /** whether it can run here */
  readonly available: boolean;
  /** why it cannot run here, or why `auto` passes it over although it runs */
  readonly reason?: string;
  /** what it runs on, where it says (adapter, threads) */
  readonly device?: string;
  /** whether `auto` would pick it here */
  readonly auto: boolean;
}

/**
 * Every registered backend, highest priority first, with whether it runs here and why the others
 * do not; exactly one is marked `auto` (the one `auto` picks), unless none runs.
 *
 * @example
 * ```ts
 * for (const b of await listBackends()) console.log(b.name, b.available ? "runs" : `no: ${b.reason}`);
 * ```
 */
export async function listBackends(): Promise<BackendStatus[]> {
  const out: BackendStatus[] = [];
  let picked = false;
  for (const name of backendNames()) {
    const backend = registry.get(name) as Backend;
    const probe = await backend.probe();
    const auto: boolean = !picked && probe.available && probe.autoSkip === undefined;
    picked ||= auto;
    const reason = probe.available ? probe.autoSkip : probe.reason;
    const device = probe.available ? probe.device : undefined;
    out.push({
      name,
      description: backend.description,
      priority: backend.priority,
      available: probe.available,
      auto,
      ...(reason !== undefined ? { reason } : {}),
      ...(device !== undefined ? { device } : {}),
    });
  }
  return out;
}

/**
 * Turn `auto` into the name of the backend it picks here: the available backend of highest
 * priority that does not ask to be skipped (WebGPU on a software adapter such as SwiftShader). Any
 * other name is returned as registered (an old name's alias followed).
 *
 * @example
 * ```ts
 * await resolveBackendName("auto"); // "wasm" on a machine without a GPU
 * ```
 */
export async function resolveBackendName(name: string): Promise<string> {
  checkName("resolveBackendName", "name", name);
  if (name !== "auto") return canonical(name);
  for (const candidate of backendNames()) {
    const probe = await (registry.get(candidate) as Backend).probe();
    if (probe.available && probe.autoSkip === undefined) return candidate;
  }
  throw new BackendUnavailableError("no backend can run here");
}

/** A backend with its probe's answer. */
export interface BackendProbe {
  /** the registry entry */
  readonly backend: Backend;
  /** whether it can run here */
  readonly probe: ProbeResult;
}

/**
 * A registered backend and its probe's answer.
 *
 * @throws {@link BackendUnavailableError} for a name that is not registered
 *
 * @example
 * ```ts
 * const { probe } = await probeBackend("webgpu");
 * if (!probe.available) console.log(probe.reason);
 * ```
 */
export async function probeBackend(name: string): Promise<BackendProbe> {
  checkName("probeBackend", "name", name);
  const backend = registry.get(canonical(name));
  if (backend === undefined) throw new BackendUnavailableError(`backend '${name}' is not registered; registered: ${backendNames().join(", ")}`);
  return { backend, probe: await backend.probe() };
}

/**
 * Find a backend by name (or `auto`) and check that it can run here.
 *
 * @throws {@link BackendUnavailableError} `backend 'x' is not available here; available: reference, …`
 *   for an unknown name, or the probe's reason for a known one that cannot run
 *
 * @example
 * ```ts
 * const backend = await requireBackend("reference");
 * const trainer = await backend.create(options);
 * ```
 */
export async function requireBackend(name: string): Promise<Backend> {
  checkName("requireBackend", "name", name);
  const backend = registry.get(await resolveBackendName(name));
  if (backend === undefined) {
    const available: string[] = [];
    for (const b of registry.values()) if ((await b.probe()).available) available.push(b.name);
    throw new BackendUnavailableError(`backend '${name}' is not available here; available: ${available.join(", ")}`);
  }
  const probe = await backend.probe();
  if (!probe.available) throw new BackendUnavailableError(`backend '${name}' cannot run here: ${probe.reason}`);
  return backend;
}
