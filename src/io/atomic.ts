/**
 * @module
 * Whole-file writes: write to a temporary file beside the target, then rename over it. A rename
 * within one folder is atomic, so a reader (or an interrupted run) sees the old file or the new
 * one, never half of one.
 */

import { renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Write `data` to `path` atomically (temp file + rename).
 *
 * @example
 * ```ts
 * writeFileAtomic("out/run.json", JSON.stringify(run));
 * ```
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
