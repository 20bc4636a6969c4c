/**
 * @module
 * A helper thread of the wasm backend in Node: it shares the trainer's WebAssembly memory and takes
 * parts of the kernel calls the trainer posts into the shared control block (see protocol.ts).
 */

import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import type { EncodingConfig } from "../../config.js";
import { createEncoder, type Encoder } from "../../encoding/index.js";
import { helperLoop } from "./helper.js";
import { instantiate } from "./instance.js";

const { module, memory, shared, port, delayMs } = workerData as {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  shared: SharedArrayBuffer;
  port: MessagePort;
  /** for tests: sleep this long after waking for a job, as if descheduled there (see TeamOptions) */
  delayMs: number;
};
const exports = instantiate(module, memory) as unknown as Record<string, (...args: number[]) => void>;

// the encoder most recently sent: every encoder is sent before the first job that uses it, and
// the next one only after that job is done, so the last message waiting is the one for this job
let encoder: Encoder | null = null;
const latestEncoder = (): Encoder => {
  for (let received = receiveMessageOnPort(port); received !== undefined; received = receiveMessageOnPort(port)) {
    const { config, matrix } = received.message as { config: EncodingConfig; matrix: Float32Array | null };
    encoder = createEncoder(config, 0, matrix ?? undefined);
  }
  if (encoder === null) throw new Error("encode before any encoder was sent");
  return encoder;
};
helperLoop(
  {
    ...exports,
    // encode n points at byte offset `points` into `out`
    encode: (points: number, out: number, n: number) => {
      const e = latestEncoder();
      e.encode(new Float32Array(memory.buffer, points, 2 * n), new Float32Array(memory.buffer, out, n * e.features), n);
    },
  },
  shared,
  delayMs,
  () => parentPort?.postMessage("ready"),
);
