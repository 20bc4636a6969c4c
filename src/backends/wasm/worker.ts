/**
 * @module
 * A helper thread of the wasm backend: it shares the trainer's WebAssembly memory and takes parts
 * of the kernel calls the trainer posts into the shared control block (see protocol.ts).
 */

import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import type { EncodingConfig } from "../../config.js";
import { createEncoder, type Encoder } from "../../encoding/index.js";
import { instantiate } from "./module.js";
import { controlViews, HELPER_KERNELS, HELPER_SPIN, MAX_ARGS, WORD } from "./protocol.js";

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
const tasks: Record<string, (...args: number[]) => void> = {
  ...exports,
  // encode n points at byte offset `points` into `out`
  encode: (points: number, out: number, n: number) => {
    const e = latestEncoder();
    e.encode(new Float32Array(memory.buffer, points, 2 * n), new Float32Array(memory.buffer, out, n * e.features), n);
  },
};
const kernels = HELPER_KERNELS.map((name) => tasks[name]);
const { control, args } = controlViews(shared);

let seen = 0;
/** whether this helper took a part of the last job: only then is the next job likely to come before it could wake */
let busy = false;
parentPort?.postMessage("ready");
for (;;) {
  // spin a little while the trainer keeps this helper busy, then sleep until the next job (see
  // HELPER_SPIN); a helper that found every part taken (the trainer ran them: the machine is busy)
  // sleeps at once, leaving the core to the work that kept it from its parts
  if (busy) for (let spin = 0; spin < HELPER_SPIN && Atomics.load(control, WORD.GENERATION) === seen; spin++);
  Atomics.wait(control, WORD.GENERATION, seen);
  seen = Atomics.load(control, WORD.GENERATION);
  if (Atomics.load(control, WORD.QUIT) === 1) break;
  if (delayMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayMs);
  // take parts until none are left; the ticket word says how many parts its own job has
  busy = false;
  for (;;) {
    const ticket = Atomics.add(control, WORD.TICKET, 1);
    const part = ticket & 0xffff;
    if (part >= ticket >>> 16) break;
    // a part taken is a job not finished: its kernel and arguments stay as they are until DONE counts it
    const kernel = kernels[control[WORD.KERNEL]];
    const at = part * MAX_ARGS;
    kernel(...args.subarray(at, at + kernel.length));
    Atomics.add(control, WORD.DONE, 1);
    Atomics.notify(control, WORD.DONE);
    busy = true;
  }
}
