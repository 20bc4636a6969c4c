/**
 * @module
 * A helper thread of the wasm backend: it shares the trainer's WebAssembly memory and, each time
 * the trainer posts a kernel call into the shared control block, runs it (its share of the work).
 */

import { parentPort, workerData } from "node:worker_threads";
import { HELPER_KERNELS, SPIN } from "./trainer.js";

const { module, memory, shared } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory; shared: SharedArrayBuffer };
const exports = new WebAssembly.Instance(module, { env: { memory, abort: () => {} } }).exports as Record<string, (...args: number[]) => void>;
const kernels = HELPER_KERNELS.map((name) => exports[name]);
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
