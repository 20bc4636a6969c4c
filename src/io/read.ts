/**
 * @module
 * Reading a file with a bound: every file coordnet reads (configs, images, model files,
 * checkpoints, comparison files, run records, locks) is opened once, checked through that one open
 * descriptor to be a regular file of at most the size its kind may have, and read to its end and
 * no further. A character device (`/dev/zero`, `/dev/urandom`), a FIFO, a socket or a folder is
 * refused before a byte is read, whatever link or name leads to it; a regular file above its
 * kind's limit is refused by its size, before anything is allocated. Node only.
 */

import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { FileError, fileKind, fsReason } from "./atomic.js";

const MiB = 2 ** 20;

/**
 * The largest file of each kind coordnet reads, in bytes.
 *
 * - `config`: a config is under 1 kB; 1 MiB leaves room for any hand-written one.
 * - `json`: run records and comparison files (a record grows by ~100 bytes an epoch).
 * - `lock`: `.coordnet.lock` holds `PID HOST`.
 * - `model`: model files and checkpoints; 4 GiB, the largest array Node can read a file into —
 *   and a network of 4096 × 21 layers with its Adam state, well past what a trainer fits in the
 *   default memory budget.
 *
 * PNG files get a limit from their pixel limit: {@link pngByteLimit}.
 *
 * @example
 * ```ts
 * readBounded("config.json", "config", READ_LIMITS.config);
 * ```
 */
export const READ_LIMITS = {
  config: 1 * MiB,
  json: 64 * MiB,
  lock: 4096,
  model: 2 ** 32 - 1,
} as const;

/**
 * The largest PNG file accepted for images of up to `maxPixels` pixels: 16-bit RGBA stored
 * without compression (8 bytes a pixel, one filter byte a row, deflate's 5 bytes per 64 kB block)
 * plus 64 MiB for ancillary chunks (text, colour profiles).
 *
 * @example
 * ```ts
 * pngByteLimit(16_000_000); // 196,000,000-odd bytes
 * ```
 */
export function pngByteLimit(maxPixels: number): number {
  return Math.min(READ_LIMITS.model, Math.ceil(maxPixels * 8 * (1 + 5 / 65535)) + 65536 * 8 + 64 * MiB);
}

const mib = (bytes: number) => (bytes >= 10 * MiB ? `${Math.round(bytes / MiB)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(0)} kB` : `${bytes} bytes`);

/**
 * What {@link readBounded} returns: the bytes, and the file's identity (device and inode, as
 * `fstat` gave them on the descriptor that was read), by which a command knows its inputs.
 */
export interface BoundedRead {
  /** the whole file */
  readonly bytes: Buffer;
  /** `dev:ino` of the file read */
  readonly id: string;
}

/**
 * Read `path`, a `what` (named in messages: "config", "image", …), whole: open it once
 * (non-blocking, so a FIFO cannot stall the open), refuse anything but a regular file and any
 * size above `maxBytes`, then read exactly its size — and refuse it if it grew meanwhile.
 *
 * @throws {@link FileError} naming the file and the reason in words (exit code 2)
 *
 * @example
 * ```ts
 * const { bytes } = readBounded("photo.png", "image", pngByteLimit(16_000_000));
 * ```
 */
export function readBounded(path: string, what: string, maxBytes: number): BoundedRead {
  if (typeof path !== "string" || path === "") throw new FileError(`cannot read the ${what}: its path is ${path === "" ? "empty" : "not a string"}`);
  // a limit that is not a number ≥ 0 (NaN from a bad option) falls back to the largest any file may have
  const limit = maxBytes >= 0 ? Math.min(maxBytes, READ_LIMITS.model) : READ_LIMITS.model;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FileError(`cannot read the ${what} ${path}: ${code === "ENOENT" ? "no such file" : fsReason(e)}`, code);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new FileError(`cannot read the ${what} ${path}: it is ${fileKind(stats)}, not a regular file`);
    if (stats.size > limit)
      throw new FileError(
        `cannot read the ${what} ${path}: it is ${mib(stats.size)}, above the limit of ${mib(limit)} for ${/^[aeiou]/.test(what) ? "an" : "a"} ${what}`,
      );
    // one byte more than the size, to notice a file that grows while it is read
    const bytes = Buffer.allocUnsafe(stats.size + 1);
    let done = 0;
    for (;;) {
      const n = readSync(fd, bytes, done, bytes.length - done, null);
      if (n === 0) break;
      done += n;
      if (done > stats.size) throw new FileError(`cannot read the ${what} ${path}: it grew while it was read`);
    }
    return { bytes: bytes.subarray(0, done), id: `${stats.dev}:${stats.ino}` };
  } catch (e) {
    if (e instanceof FileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FileError(`cannot read the ${what} ${path}: ${fsReason(e)}`, code);
  } finally {
    closeSync(fd);
  }
}

/**
 * {@link readBounded} as UTF-8 text.
 *
 * @example
 * ```ts
 * const text = readBoundedText("config.json", "config", READ_LIMITS.config);
 * ```
 */
export function readBoundedText(path: string, what: string, maxBytes: number): string {
  return readBounded(path, what, maxBytes).bytes.toString("utf8");
}
