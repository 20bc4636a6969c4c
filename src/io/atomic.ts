/**
 * @module
 * Whole-file writes and readable file-system errors.
 *
 * A file is written to a temporary file beside the target — created exclusively (`wx`: never
 * through a link planted under its name) with a random name — flushed to disk (fsync), then
 * renamed over the target, and the folder is flushed so the rename itself survives a crash. A
 * rename within one folder is atomic, so a reader (or an interrupted run) sees the old file or the
 * new one, never half of one. Temporary names end in `.tmp-PID-RANDOM`, so a later run can tell a
 * dead process's leftovers from a live writer's (see `removeOrphans` in `out-dir.ts`).
 */

import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, type Stats, statSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { CoordnetError } from "../errors.js";

/**
 * A file or folder coordnet could not read or write: one line naming it, with the system's reason
 * in words. Exit code 2 when the path given cannot be used (missing folder, no permission,
 * read-only file system), 1 when the write failed while working (disk full, I/O error).
 *
 * @example
 * ```ts
 * try { writeFileAtomic("/ro/run.json", "{}"); } catch (e) { if (e instanceof FileError) console.error(e.message); }
 * ```
 */
export class FileError extends CoordnetError {
  override readonly exitCode: number;
  /** the system's error code (`ENOENT`, `EROFS`, …), where the system gave one */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
    this.exitCode = code === "ENOSPC" || code === "EDQUOT" || code === "EIO" ? 1 : 2;
  }
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file or folder",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "it is a folder",
  EEXIST: "it already exists",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EIO: "input/output error",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
  EMFILE: "too many open files",
};

/**
 * The reason of a file-system error in words, with its code: `read-only file system (EROFS)`.
 *
 * @example
 * ```ts
 * fsReason(Object.assign(new Error(), { code: "ENOSPC" })); // "no space left on the device (ENOSPC)"
 * ```
 */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === undefined) return (e as Error)?.message ?? String(e);
  return REASONS[code] ? `${REASONS[code]} (${code})` : code;
}

/**
 * A {@link FileError} for `cannot <action> <path>: <reason>`; coordnet's own errors pass through.
 *
 * @example
 * ```ts
 * try { readFileSync(path); } catch (e) { throw fileError(e, "read", path); }
 * ```
 */
export function fileError(e: unknown, action: string, path: string): CoordnetError {
  if (e instanceof CoordnetError) return e;
  return new FileError(`cannot ${action} ${path}: ${fsReason(e)}`, (e as NodeJS.ErrnoException)?.code);
}

/**
 * Create a folder and its parents (as `mkdir -p`), reporting the real reason of a failure: Node's
 * recursive `mkdirSync` says ENOENT on a read-only file system.
 *
 * @throws {@link FileError} naming the folder
 *
 * @example
 * ```ts
 * makeFolder("runs/train-1");
 * ```
 */
export function makeFolder(dir: string): void {
  if (typeof dir !== "string" || dir === "") throw new FileError("the output folder's path is empty: name a folder");
  const path = resolve(dir);
  try {
    if (statSync(path).isDirectory()) return;
  } catch {
    // missing: create it below
  }
  const parent = dirname(path);
  if (parent !== path) makeFolder(parent);
  try {
    mkdirSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") {
      const stats = statSync(path);
      if (stats.isDirectory()) return;
      throw new FileError(`cannot create the folder ${dir}: it is ${stats.isFile() ? "a file" : fileKind(stats)}, not a folder`);
    }
    throw fileError(e, "create the folder", dir);
  }
}

/** Flush a folder's entries (a rename in it) to disk; where folders cannot be opened (Windows), nothing. */
function syncFolder(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // some file systems cannot sync a folder; the rename is still atomic
  } finally {
    closeSync(fd);
  }
}

/**
 * The temporary name for `path`: in the same folder, `NAME.tmp-PID-RANDOM`.
 *
 * @example
 * ```ts
 * temporaryName("out/run.json"); // "out/run.json.tmp-4242-9f2c51d0a3b1"
 * ```
 */
export function temporaryName(path: string): string {
  return join(dirname(path), `${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
}

/**
 * What a path that is not a regular file is, in words.
 *
 * @example
 * ```ts
 * fileKind(statSync("/dev/zero")); // "a character device"
 * ```
 */
export function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return "a folder";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Refuse an output path that names anything but a regular file or nothing: a folder, a device
 * (`/dev/null`), a FIFO or a socket — through a symbolic link too — is never replaced by a file.
 * An empty path is refused by name.
 *
 * @throws {@link FileError} (exit code 2)
 *
 * @example
 * ```ts
 * checkOutputPath("out.png"); // nothing: a new path, or a regular file to replace
 * checkOutputPath("/dev/null"); // throws: cannot write /dev/null: it is a character device, not a regular file
 * ```
 */
export function checkOutputPath(path: string): void {
  if (typeof path !== "string" || path === "") throw new FileError(`cannot write to an empty path: name a file`);
  let stats: Stats;
  try {
    stats = statSync(path); // follows links: what the name leads to
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return; // a new path (or a link to nothing, which the rename replaces)
    throw fileError(e, "write", path);
  }
  if (!stats.isFile())
    throw new FileError(`cannot write ${path}: it is ${fileKind(stats)}, not a regular file; coordnet writes only regular files or new paths`);
}

/**
 * Write `data` to `path` whole or not at all: an exclusive temporary file with a random name in the
 * same folder, fsync, rename over `path`, fsync of the folder.
 *
 * @throws {@link FileError} naming `path` (never the temporary file)
 *
 * @example
 * ```ts
 * writeFileAtomic("out/run.json", JSON.stringify(run));
 * ```
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  checkOutputPath(path);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const tmp = temporaryName(path);
  let fd: number | undefined;
  let created = false;
  try {
    // wx: O_CREAT | O_EXCL — fails on anything already there, a symbolic link included
    fd = openSync(tmp, "wx", 0o644);
    created = true;
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    created = false;
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    if (created) rmSync(tmp, { force: true });
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new FileError(`cannot write ${path}: the folder ${dirname(path)} does not exist`, "ENOENT");
    throw fileError(e, "write", path);
  }
  syncFolder(dirname(path));
}
