/**
 * @module
 * The registry that finds backends by name (and `auto` by priority). What a backend and its
 * trainers are is in `types.ts`.
 */

import { CoordnetError, InvalidArgumentError, oneLine, quote, readingArgument } from "../errors.js";
import { didYouMean } from "../suggest.js";
import { checkedBackend } from "./checks.js";
import type { Backend, ProbeResult } from "./types.js";

/**
 * A backend that was asked for and cannot run here (unknown name, or its probe said no). The
 * message is one line naming the backend and the reason.
 *
 * @example
 * ```ts
 * try { await requireBackend("cuda"); } catch (e) { if (e instanceof BackendUnavailableError) console.error(e.message); }
 * ```
 *
 * @group Registry
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
 *
 * @group Registry
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
 *
 * @group Registry
 */
export function registerAlias(alias: string, target: string): void {
  checkName("registerAlias", "alias", alias);
  checkName("registerAlias", "target", target);
  aliases.set(alias, target);
}

const notes = new Map<string, string>();

/**
 * Let a name that changed meaning say so: asking for `name` prints `note` on stderr as a one-line
 * note, once per process (e.g. `webgpu`, gpu.js's kernels until the hand-written trainer took the name).
 *
 * @example
 * ```ts
 * registerNote("webgpu", "backend 'webgpu' now runs hand-written WGSL kernels; gpu.js's are 'gpujs-webgpu'");
 * ```
 *
 * @group Registry
 */
export function registerNote(name: string, note: string): void {
  checkName("registerNote", "name", name);
  if (typeof note !== "string" || note === "") throw new InvalidArgumentError(`registerNote: note must be a line of text, got ${quote(note)}`);
  notes.set(name, oneLine(note));
}

/** The registered name an asked-for name stands for (aliases followed, with their note). */
function canonical(name: string): string {
  const note = notes.get(name);
  if (note !== undefined && !warnedAliases.has(name)) {
    warnedAliases.add(name);
    console.warn(`coordnet: note: ${note}`);
  }
  const target = aliases.get(name);
  if (target === undefined) return name;
  if (!warnedAliases.has(name)) {
    warnedAliases.add(name);
    console.warn(`coordnet: backend '${name}' is now called '${target}'; using '${target}'`);
  }
  return target;
}

/**
 * The registered backend `name` stands for (an old name's alias followed, silently), without
 * probing it; `undefined` for a name not registered (and for `auto`, which only
 * {@link resolveBackendName} can turn into a backend).
 *
 * @example
 * ```ts
 * findBackend("wasm")?.memoryLimit; // { bytes: 4294967296, what: "WebAssembly memory" }
 * ```
 *
 * @group Registry
 */
export function findBackend(name: string): Backend | undefined {
  checkName("findBackend", "name", name);
  // no note here: the name was resolved (and any note printed) where it was asked for
  return registry.get(aliases.get(name) ?? name);
}

/**
 * The names of all registered backends, highest `auto` priority first.
 *
 * @example
 * ```ts
 * backendNames(); // ["webgpu", "wasm", "gpujs-wasm", "reference", "gpujs-cpu"]
 * ```
 *
 * @group Registry
 */
export function backendNames(): string[] {
  return [...registry.values()].sort((a, b) => b.priority - a.priority).map((b) => b.name);
}

/**
 * A registered backend, whether it runs here and why not.
 *
 * @group Registry
 */
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
 *
 * @group Registry
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
 *
 * @group Registry
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

/**
 * A backend with its probe's answer.
 *
 * @group Registry
 */
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
 *
 * @group Registry
 */
export async function probeBackend(name: string): Promise<BackendProbe> {
  checkName("probeBackend", "name", name);
  const backend = registry.get(canonical(name));
  if (backend === undefined)
    throw new BackendUnavailableError(`backend '${name}' is not registered${didYouMean(name, backendNames())}; registered: ${backendNames().join(", ")}`);
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
 *
 * @group Registry
 */
export async function requireBackend(name: string): Promise<Backend> {
  checkName("requireBackend", "name", name);
  const backend = registry.get(await resolveBackendName(name));
  if (backend === undefined) {
    const available: string[] = [];
    for (const b of registry.values()) if ((await b.probe()).available) available.push(b.name);
    throw new BackendUnavailableError(`backend '${name}' is not available here${didYouMean(name, backendNames())}; available: ${available.join(", ")}`);
  }
  const probe = await backend.probe();
  if (!probe.available) throw new BackendUnavailableError(`backend '${name}' cannot run here: ${probe.reason}`);
  return backend;
}
