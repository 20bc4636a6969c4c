/**
 * @module
 * How the wasm backend's threads share a kernel call: the control block's layout, the tasks a
 * thread can be asked to run, and how long a waiting thread spins before it sleeps. Both sides —
 * the trainer's {@link Team} (team.ts) and each helper (worker.ts) — read the layout from here.
 *
 * A job is one kernel call cut into `parts` pieces of work with disjoint outputs. The trainer
 * writes each part's arguments, the kernel and a fresh ticket word, then bumps the generation;
 * every thread, the trainer's own included, then takes tickets until none are left, runs the part
 * its ticket names, and counts it done. No thread ever waits for a part that nobody has taken: a
 * helper that the operating system has not scheduled yet simply takes no ticket, and the trainer
 * runs that part itself. The trainer waits only for parts that a running helper has taken.
 *
 * Control block (a SharedArrayBuffer): Int32 words
 *
 *     [GENERATION] bumped once per job (helpers sleep on it)
 *     [TICKET]     parts << 16 | tickets taken: one atomic add both claims a part and says how
 *                  many parts that same job has (a thread late from an earlier job can then
 *                  never take a part of a later one by mistake)
 *     [DONE]       parts finished (the trainer sleeps on it)
 *     [QUIT]       1: helpers exit
 *     [KERNEL]     index of the task in {@link HELPER_KERNELS}
 *
 * then, 8-byte aligned, {@link MAX_PARTS} rows of {@link MAX_ARGS} f64: part k's arguments.
 */

/**
 * Word indices in the control block (see the module's description).
 *
 * @example
 * ```ts
 * Atomics.add(control, WORD.TICKET, 1);
 * ```
 */
export const WORD = { GENERATION: 0, TICKET: 1, DONE: 2, QUIT: 3, KERNEL: 4 } as const;
const CONTROL_WORDS = 8;

/**
 * The most arguments a task takes (gemm: 12).
 *
 * @example
 * ```ts
 * args.set(partArgs, k * MAX_ARGS);
 * ```
 */
export const MAX_ARGS = 12;

/**
 * The most parts a job is cut into (one per thread, so also the most threads).
 *
 * @example
 * ```ts
 * const threads = Math.min(requested, MAX_PARTS);
 * ```
 */
export const MAX_PARTS = 64;

/**
 * Bytes of the control block.
 *
 * @example
 * ```ts
 * const shared = new SharedArrayBuffer(CONTROL_BYTES);
 * ```
 */
export const CONTROL_BYTES = 4 * CONTROL_WORDS + 8 * MAX_ARGS * MAX_PARTS;

/**
 * The control block's two views: its words, and the parts' arguments (row k at k·MAX_ARGS).
 *
 * @example
 * ```ts
 * const { control, args } = controlViews(shared);
 * ```
 */
export function controlViews(shared: SharedArrayBuffer): { control: Int32Array; args: Float64Array } {
  return { control: new Int32Array(shared, 0, CONTROL_WORDS), args: new Float64Array(shared, 4 * CONTROL_WORDS, MAX_ARGS * MAX_PARTS) };
}

/**
 * The tasks a thread runs, by index (the KERNEL word): the WebAssembly kernels.
 *
 * @example
 * ```ts
 * control[WORD.KERNEL] = HELPER_KERNELS.indexOf("gemm");
 * ```
 */
export const HELPER_KERNELS = ["gemm", "gemmNT", "transpose", "adam", "activationForward", "activationBackward", "positionalEncode", "gaussianEncode"] as const;

/** A task's name. */
export type HelperKernel = (typeof HELPER_KERNELS)[number];

/**
 * How many times a helper that has just run a part re-reads the generation before it sleeps
 * (a few hundred microseconds on a busy 2-core machine, measured): longer than the gap between two
 * kernels of a step, so a busy trainer's helpers stay awake, shorter than a scheduler slice, so an
 * idle or descheduled trainer's helpers do not hold a core for long. A helper that found no part
 * left sleeps at once. A helper that sleeps costs nothing but parallelism: the trainer runs the
 * parts it would have taken.
 *
 * @example
 * ```ts
 * for (let spin = 0; spin < HELPER_SPIN && Atomics.load(control, WORD.GENERATION) === seen; spin++);
 * ```
 */
export const HELPER_SPIN = 1 << 14;

/**
 * How many times the trainer re-reads DONE before it sleeps, waiting for parts that helpers have
 * taken and are running (they finish within microseconds unless descheduled mid-part).
 *
 * @example
 * ```ts
 * for (let spin = 0; spin < WAIT_SPIN && Atomics.load(control, WORD.DONE) < parts; spin++);
 * ```
 */
export const WAIT_SPIN = 1 << 14;
