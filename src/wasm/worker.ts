/**
 * @module
 * A helper thread of the wasm backend: it shares the trainer's WebAssembly memory and, each time
 * the trainer posts a matrix product into the shared control block, computes its rows of it.
 */

import { parentPort, workerData } from "node:worker_threads";

const { module, memory, control } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory; control: Int32Array };
const kernels = new WebAssembly.Instance(module, { env: { memory, abort: () => {} } }).exports as unknown as {
  gemm(A: number, B: number, C: number, R: number, K: number, N: number, sAr: number, sAk: number, accumulate: boolean): void;
};

// control block: [generation, done, A, B, C, R, K, N, sAr, sAk, accumulate, quit]
let seen = 0;
const SPIN = 1 << 20;
parentPort?.postMessage("ready");
for (;;) {
  // spin a while before sleeping: waking a sleeping thread costs tens of microseconds on a
  // virtual machine, as long as a whole matrix product's half on these sizes
  for (let spin = 0; spin < SPIN && Atomics.load(control, 0) === seen; spin++);
  Atomics.wait(control, 0, seen);
  seen = Atomics.load(control, 0);
  if (control[11] === 1) break;
  kernels.gemm(control[2], control[3], control[4], control[5], control[6], control[7], control[8], control[9], control[10] === 1);
  Atomics.store(control, 1, seen);
  Atomics.notify(control, 1);
}
