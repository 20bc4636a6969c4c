/**
 * @module
 * What the wasm backend needs from Node, behind one seam: the kernel files, the V8 flag for
 * relaxed SIMD, the environment, the core count and the helper threads (`node:worker_threads`).
 * Bundlers building for the browser take `host.browser.ts` instead (package.json's `browser`
 * field), where the kernels are fetched and the helpers are Web Workers.
 */

import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";

/**
 * The bytes of a kernel build (`kernels.wasm` or `kernels-fma.wasm`, beside this file): at once in
 * Node, a promise in a browser (fetched).
 */
export function kernelBytes(name: "kernels.wasm" | "kernels-fma.wasm"): Uint8Array | Promise<Uint8Array> {
  return readFileSync(new URL(`./${name}`, import.meta.url));
}

/** Node 20's V8 validates relaxed SIMD only behind a flag; it only adds instructions to the validator. */
export function enableRelaxedSimd(): void {
  setFlagsFromString("--experimental-wasm-relaxed-simd");
}

/** An environment variable (`COORDNET_THREADS`, `COORDNET_WASM_FMA`). */
export function env(name: string): string | undefined {
  return process.env[name];
}

/** How many threads this host can give a trainer: every core Node reports. */
export function cores(): number {
  return availableParallelism();
}

/** Why this host cannot run the kernels (shared WebAssembly memory); null: it can. */
export function sharedMemoryUnavailable(): string | null {
  return null;
}

/** What a helper thread starts with. */
export interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  shared: SharedArrayBuffer;
  delayMs: number;
}

/** A started helper thread, as the team uses it. */
export interface Helper {
  /** resolves once the helper is waiting for work */
  readonly started: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Start a helper thread (worker.ts) over the trainer's memory. A helper that fails mid-part would
 * leave the team waiting forever: the process fails loudly instead.
 */
export function startHelper(data: HelperData): Helper {
  const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: data });
  worker.unref();
  const started = new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
  });
  worker.on("error", (e) => {
    console.error(`coordnet: a wasm helper thread failed: ${e.message}`);
    process.exit(1);
  });
  return {
    started,
    stop: async () => {
      await worker.terminate();
    },
  };
}
