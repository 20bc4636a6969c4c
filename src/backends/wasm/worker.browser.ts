/**
 * @module
 * A helper thread of the wasm backend in a browser: a module Web Worker that receives the kernel
 * module, the trainer's shared memory and the control block in its first message, then takes
 * parts of kernel calls as worker.ts does in Node.
 */

import { helperLoop } from "./helper.js";
import type { HelperData } from "./host.js";
import { instantiate } from "./instance.js";

const scope = globalThis as unknown as {
  addEventListener(type: "message", listener: (event: { data: HelperData }) => void, options: { once: boolean }): void;
  postMessage(message: unknown): void;
};
scope.addEventListener(
  "message",
  ({ data }) => {
    const { module, memory, shared, delayMs } = data;
    const exports = instantiate(module, memory) as unknown as Record<string, (...args: number[]) => void>;
    helperLoop(exports, shared, delayMs, () => scope.postMessage("ready"));
  },
  { once: true },
);
