/**
 * @module
 * A helper thread of the wasm backend: it shares the trainer's WebAssembly memory and, each time
 * the trainer posts a kernel call into the shared control block, runs it (its share of the work).
 */

import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import type { EncodingConfig } from "../../config.js";
import { createEncoder, type Encoder } from "../../encoding/index.js";
import { HELPER_KERNELS, SPIN } from "./trainer.js";

const { module, memory, shared, port } = workerData as {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  shared: SharedArrayBuffer;
  port: MessagePort;
};
const exports = new WebAssembly.Instance(module, { env: { memory, abort: () => {} } }).exports as Record<string, (...args: number[]) => void>;
// the JavaScript tasks: take the encoder the trainer just sent; encode n points at `points` into `out`
let encoder: Encoder | null = null;
const tasks: Record<string, (...args: number[]) => void> = {
  ...exports,
  setEncoder: () => {
    const received = receiveMessageOnPort(port);
    if (received === undefined) throw new Error("setEncoder without an encoder sent");
    const { config, matrix } = received.message as { config: EncodingConfig; matrix: Float32Array | null };
    encoder = createEncoder(config, 0, matrix ?? undefined);
  },
  encode: (points: number, out: number, n: number) => {
    if (encoder === null) throw new Error("encode before setEncoder");
    encoder.encode(new Float32Array(memory.buffer, points, 2 * n), new Float32Array(memory.buffer, out, n * encoder.features), n);
  },
};
const kernels = HELPER_KERNELS.map((name) => tasks[name]);
// control block: [generation, done, quit, kernel index], then the kernel's arguments as f64
const control = new Int32Array(shared, 0, 4);
const args = new Float64Array(shared, 16, 12);

let seen = 0;
parentPort?.postMessage("ready");
for (;;) {
  // spin a while before sleeping (see SPIN)
  for (let spin = 0; spin < SPIN && Atomics.load(control, 0) === seen; spin++);
  Atomics.wait(control, 0, seen);
  seen = Atomics.load(control, 0);
  if (control[2] === 1) break;
  const kernel = kernels[control[3]];
  kernel(...args.subarray(0, kernel.length));
  Atomics.store(control, 1, seen);
  Atomics.notify(control, 1);
}
