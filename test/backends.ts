/**
 * The conformance harness: every backend, whether it can run here, and `describeBackends`, which
 * registers a suite once per backend (vitest's describe.each + skipIf, after tfjs's
 * describeWithFlags). A backend that cannot run here is skipped with its reason printed; under
 * CI=true, WebGPU must run (CI installs SwiftShader), so its absence fails instead.
 */

import { describe, expect, it } from "vitest";
import { releaseWebGPU } from "../dist/backends/gpujs/device.js";
import {
  type Backend,
  gpujsCpuBackend,
  gpujsWasmBackend,
  gpujsWebgpuBackend,
  referenceBackend,
  type Trainer,
  type TrainerInfo,
  type TrainerOptions,
  wasmBackend,
} from "../dist/backends/index.js";

/** A backend under test: its registry entry and the gpu.js mode and executors it must report. */
export interface BackendCase {
  readonly name: string;
  readonly backend: Backend;
  readonly mode: "webgpu" | "webasm" | "cpu" | "wasm" | null;
  readonly executors: readonly string[];
  readonly create: (options: TrainerOptions) => Promise<Trainer>;
  readonly available: boolean;
  readonly reason: string;
}

const entries = [
  { backend: referenceBackend, mode: null, executors: [] },
  { backend: wasmBackend, mode: "wasm", executors: [] },
  { backend: gpujsCpuBackend, mode: "cpu", executors: ["generic"] },
  { backend: gpujsWasmBackend, mode: "webasm", executors: ["fused-sync", "fused-threaded"] },
  { backend: gpujsWebgpuBackend, mode: "webgpu", executors: ["fused-encoder"] },
] as const;

/** Every backend, probed once. */
export const BACKENDS: BackendCase[] = await Promise.all(
  entries.map(async ({ backend, mode, executors }) => {
    const probe = await backend.probe();
    return {
      name: backend.name,
      backend,
      mode,
      executors,
      create: (options: TrainerOptions) => backend.create(options),
      available: probe.available,
      reason: probe.available ? "" : probe.reason,
    };
  }),
);

/** Backends that are excluded from a suite, each with its reason (none at present). */
export const EXCLUSIONS: Record<string, string> = {};

/**
 * Register `suite` once per backend in `names` (default: every backend but the reference).
 */
export function describeBackends(title: string, suite: (backend: BackendCase) => void, names?: readonly string[]): void {
  for (const backend of BACKENDS.filter((b) => (names ?? BACKENDS.filter((x) => x.mode !== null).map((x) => x.name)).includes(b.name))) {
    const mustRun = process.env.CI === "true" && backend.mode === "webgpu";
    if (!backend.available && !mustRun) console.warn(`skipping ${title} on ${backend.name}: ${backend.reason}`);
    if (EXCLUSIONS[backend.name]) console.warn(`excluded ${title} on ${backend.name}: ${EXCLUSIONS[backend.name]}`);
    describe.skipIf((!backend.available && !mustRun) || EXCLUSIONS[backend.name] !== undefined)(`${title} [${backend.name}]`, () => {
      if (mustRun)
        it("is available (CI installs SwiftShader for it)", () => {
          expect(backend.reason).toBe("");
        });
      suite(backend);
    });
  }
}

/** Assert that a trainer ran on the backend, mode and executor it was asked for. */
export function expectRanOn(trainer: Trainer, backend: BackendCase): void {
  expectInfo(trainer.info, backend);
}

/** Assert that what a trainer reported about itself is the backend, mode and executor asked for. */
export function expectInfo(info: TrainerInfo, backend: BackendCase): void {
  expect(info.backend).toBe(backend.name);
  if (backend.mode !== null && backend.mode !== "wasm") {
    expect(info.details.mode).toBe(backend.mode);
    expect(backend.executors).toContain(info.details.executor);
  }
}

/** Tear down the shared WebGPU device after a suite (Dawn keeps the process alive otherwise). */
export async function teardown(): Promise<void> {
  await releaseWebGPU();
}
