/**
 * @module
 * A helper thread of the wasm backend in Node: it shares the trainer's WebAssembly memory and takes
 * parts of the kernel calls the trainer posts into the shared control block (see protocol.ts).
 */

import { parentPort, workerData } from "node:worker_threads";
import { helperLoop } from "./helper.js";
import type { HelperData } from "./host.js";
import { instantiate } from "./instance.js";

const { module, memory, shared, delayMs } = workerData as HelperData;
const exports = instantiate(module, memory) as unknown as Record<string, (...args: number[]) => void>;
helperLoop(exports, shared, delayMs, () => parentPort?.postMessage("ready"));
