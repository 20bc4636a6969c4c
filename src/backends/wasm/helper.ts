/**
 * @module
 * A helper thread's loop, the same in Node (worker.ts) and in a browser (worker.browser.ts): wait
 * for a job in the shared control block, take parts until none are left, repeat until told to quit
 * (the protocol is described in protocol.ts).
 */

import { controlViews, HELPER_KERNELS, HELPER_SPIN, type HelperKernel, MAX_ARGS, WORD } from "./protocol.js";

/** A kernel as a helper runs it: its arguments from the control block. */
type Task = (...args: number[]) => void;

/**
 * Run jobs from the control block in `shared` with `tasks` until the trainer says quit. `ready` is
 * called once, just before the first wait.
 *
 * @param delayMs - for tests: sleep this long after waking for a job, as if descheduled there
 */
export function helperLoop(tasks: Partial<Record<HelperKernel, Task>>, shared: SharedArrayBuffer, delayMs: number, ready: () => void): void {
  const kernels = HELPER_KERNELS.map((name) => tasks[name]);
  const { control, args } = controlViews(shared);
  let seen = 0;
  /** whether this helper took a part of the last job: only then is the next job likely to come before it could wake */
  let busy = false;
  ready();
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
      if (kernel === undefined) throw new Error(`this helper cannot run ${HELPER_KERNELS[control[WORD.KERNEL]]}`);
      const at = part * MAX_ARGS;
      kernel(...args.subarray(at, at + kernel.length));
      Atomics.add(control, WORD.DONE, 1);
      Atomics.notify(control, WORD.DONE);
      busy = true;
    }
  }
}
