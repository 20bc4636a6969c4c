/**
 * @module
 * The wasm trainer's threads: the trainer's own thread and its helpers share one WebAssembly
 * memory, and each large kernel call is cut into parts that any of them may run (the protocol is
 * described in protocol.ts). The trainer's thread never waits for a helper that has not started:
 * it runs every part no helper has taken.
 */

import { cores, env, type Helper, startHelper } from "./host.js";
import { CONTROL_BYTES, controlViews, HELPER_KERNELS, type HelperKernel, MAX_ARGS, MAX_PARTS, WAIT_SPIN, WORD } from "./protocol.js";

/** A task as the trainer's thread runs it: the kernel itself. */
type Task = (...args: number[]) => void;

/** Options of a {@link Team}, for tests: make every helper late. */
export interface TeamOptions {
  /**
   * Milliseconds each helper sleeps after it wakes for a job and before it takes a part, as if the
   * operating system had descheduled it there; `Infinity`: helpers never take a part. Default 0.
   */
  readonly helperDelayMs?: number;
}

/**
 * The trainer's thread and `threads − 1` helper threads (see the module's description).
 *
 * @example
 * ```ts
 * const team = new Team(module, memory, 2, kernels);
 * await team.ready;
 * team.run("gemm", [rowsFor(0), rowsFor(1)]);
 * ```
 */
export class Team {
  /** threads in all, this one included */
  readonly threads: number;
  /** resolves once every helper has started */
  readonly ready: Promise<void>;
  /** parts posted to helpers so far, and how many of them the trainer's thread ran itself */
  readonly stats = { parts: 0, partsHere: 0 };
  private readonly helpers: Helper[] = [];
  private readonly control: Int32Array;
  private readonly args: Float64Array;
  private readonly local: Record<HelperKernel, Task>;

  /**
   * @param threads - threads in all, this one included (1: no helpers)
   * @param kernels - the kernel module's instance on this thread
   */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number, kernels: Record<string, unknown>, options: TeamOptions = {}) {
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_PARTS)
      throw new RangeError(`threads must be an integer from 1 to ${MAX_PARTS}, got ${threads}`);
    this.threads = threads;
    const shared = new SharedArrayBuffer(CONTROL_BYTES);
    ({ control: this.control, args: this.args } = controlViews(shared));
    this.local = Object.fromEntries(HELPER_KERNELS.map((name) => [name, kernels[name] as Task])) as Record<HelperKernel, Task>;
    for (let h = 1; h < threads; h++) this.helpers.push(startHelper({ module, memory, shared, delayMs: options.helperDelayMs ?? 0 }));
    this.ready = Promise.all(this.helpers.map((h) => h.started)).then(() => {});
  }

  /**
   * Run `kernel` once per entry of `parts` (each its arguments; the parts' outputs must not
   * overlap), on whichever threads take them; returns when all are done.
   */
  run(kernel: HelperKernel, parts: readonly (readonly number[])[]): void {
    const P = parts.length;
    const task = this.local[kernel];
    if (P === 1 || this.helpers.length === 0) {
      for (const p of parts) task(...p);
      return;
    }
    const { control } = this;
    parts.forEach((p, k) => {
      this.args.set(p, k * MAX_ARGS);
    });
    control[WORD.KERNEL] = HELPER_KERNELS.indexOf(kernel);
    Atomics.store(control, WORD.DONE, 0);
    Atomics.store(control, WORD.TICKET, P << 16);
    Atomics.add(control, WORD.GENERATION, 1);
    Atomics.notify(control, WORD.GENERATION);
    // take parts like any helper: the ones nobody has taken yet are ours
    let here = 0;
    for (;;) {
      const part = Atomics.add(control, WORD.TICKET, 1) & 0xffff;
      if (part >= P) break;
      task(...parts[part]);
      here += 1;
    }
    this.stats.parts += P;
    this.stats.partsHere += here;
    // wait only for parts that running helpers have taken: spin a little, then sleep
    const helpersParts = P - here;
    for (let spin = 0; spin < WAIT_SPIN && Atomics.load(control, WORD.DONE) < helpersParts; spin++);
    for (;;) {
      // wait on the value just read: re-reading it for the wait could miss the helper's notify
      const done = Atomics.load(control, WORD.DONE);
      if (done >= helpersParts) return;
      Atomics.wait(control, WORD.DONE, done);
    }
  }

  /** Stop the helpers. */
  async stop(): Promise<void> {
    Atomics.store(this.control, WORD.QUIT, 1);
    Atomics.add(this.control, WORD.GENERATION, 1);
    Atomics.notify(this.control, WORD.GENERATION);
    await Promise.all(this.helpers.map((h) => h.stop()));
  }
}

/**
 * How many threads a trainer uses: `requested` if given, else `COORDNET_THREADS` if set, else
 * the cores the host gives (Node: every core; a browser: see host.browser.ts); at most `useful` (what the work can be cut into) and {@link MAX_PARTS}.
 *
 * @example
 * ```ts
 * threadCount(undefined, 512); // 2 on a 2-core machine
 * ```
 */
export function threadCount(requested: number | undefined, useful: number): number {
  const fromEnv = env("COORDNET_THREADS");
  let wanted = requested;
  if (wanted === undefined && fromEnv !== undefined && fromEnv.trim() !== "") {
    wanted = Number(fromEnv);
    if (!Number.isSafeInteger(wanted) || wanted < 1) throw new RangeError(`COORDNET_THREADS must be an integer ≥ 1, got "${fromEnv}"`);
  }
  wanted ??= cores();
  if (!Number.isSafeInteger(wanted) || wanted < 1) throw new RangeError(`threads must be an integer ≥ 1, got ${wanted}`);
  return Math.max(1, Math.min(wanted, useful, MAX_PARTS));
}
