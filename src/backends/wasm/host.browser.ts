/**
 * @module
 * The browser's side of `host.ts`: the kernels are fetched beside this module (a bundler that
 * understands `new URL("…", import.meta.url)`, as Vite and esbuild's file loader do, copies them),
 * and helper threads are module Web Workers sharing the trainer's memory. Shared WebAssembly
 * memory needs a cross-origin-isolated page (COOP `same-origin` and COEP `require-corp`); helpers
 * need the trainer itself to run in a worker, since a page's main thread may not `Atomics.wait`.
 */

import type { Helper, HelperData } from "./host.js";

export type { Helper, HelperData } from "./host.js";

const urls = {
  "kernels.wasm": () => new URL("./kernels.wasm", import.meta.url),
  "kernels-fma.wasm": () => new URL("./kernels-fma.wasm", import.meta.url),
};

/** The bytes of a kernel build, fetched from beside this module. */
export async function kernelBytes(name: "kernels.wasm" | "kernels-fma.wasm"): Promise<Uint8Array> {
  const url = urls[name]();
  const response = await fetch(url.href);
  if (!response.ok) throw new Error(`fetching ${url.href} answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** A browser validates relaxed SIMD or not; there is no flag to set. */
export function enableRelaxedSimd(): void {}

/**
 * A page has no environment variables: a global of the same name stands in, so a worker can set
 * `globalThis.COORDNET_THREADS = "1"` before it creates a trainer (the playground's lesson does,
 * to run two trainers side by side without more threads than cores).
 */
export function env(name: string): string | undefined {
  const value = (globalThis as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/** The few Web Worker types used here (TypeScript ships them only with the DOM library). */
interface WebWorker {
  postMessage(message: unknown): void;
  addEventListener(type: "message" | "error", listener: (event: { message?: string }) => void, options?: { once: boolean }): void;
  terminate(): void;
}

const scope = globalThis as unknown as {
  crossOriginIsolated?: boolean;
  document?: unknown;
  navigator?: { hardwareConcurrency?: number };
};

/** The page's Worker class, written as `new Worker(new URL(…))` so that bundlers bundle the worker. */
declare const Worker: new (url: URL, options: { type: "module" }) => WebWorker;

/** Threads for a trainer: the cores, inside a cross-origin-isolated worker; one thread elsewhere. */
export function cores(): number {
  if (scope.crossOriginIsolated !== true || scope.document !== undefined) return 1;
  return Math.max(1, scope.navigator?.hardwareConcurrency ?? 1);
}

/** The kernels import a shared memory, which a browser gives only to a cross-origin-isolated page. */
export function sharedMemoryUnavailable(): string | null {
  if (typeof SharedArrayBuffer === "undefined" || scope.crossOriginIsolated === false)
    return "this page is not cross-origin isolated, so it has no shared WebAssembly memory: serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp";
  return null;
}

/** Start a helper (worker.browser.ts) as a module Web Worker. */
export function startHelper(data: HelperData): Helper {
  const worker = new Worker(new URL("./worker.browser.js", import.meta.url), { type: "module" });
  const started = new Promise<void>((resolve, reject) => {
    worker.addEventListener("message", () => resolve(), { once: true });
    worker.addEventListener("error", (e) => reject(new Error(`a wasm helper worker failed to start: ${e.message}`)), { once: true });
  });
  worker.postMessage(data);
  return {
    started,
    stop: async () => worker.terminate(),
  };
}
