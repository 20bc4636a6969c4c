/**
 * @module
 * An output folder that one run owns: a lock naming the process that holds it, leftovers of dead
 * processes removed, and another run's files never mixed with this one's.
 *
 * The lock is the file `.coordnet.lock` holding `PID HOST`. It is created whole and exclusively
 * (written to a temporary file, then hard-linked to its name, which fails if the name exists), so
 * two processes can never both create it. A lock whose process is gone (same host, PID not
 * running) is taken over; two processes taking over the same dead lock are serialised by a second
 * exclusive file, `.coordnet.lock.takeover`, so only one of them removes it.
 */

import { closeSync, existsSync, fsyncSync, linkSync, lstatSync, openSync, readdirSync, realpathSync, rmdirSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { CoordnetError } from "../errors.js";
import { parseJson } from "../json.js";
import { FileError, fileError, makeFolder, temporaryName, writeFileAtomic } from "./atomic.js";
import { READ_LIMITS, readBoundedText } from "./read.js";

/**
 * The output folder cannot be used: another process holds it, or it holds another run's files
 * (exit code 2).
 *
 * @example
 * ```ts
 * try { claimRunFolder("out", { resume: false, force: false }); } catch (e) { if (e instanceof OutDirError) console.error(e.message); }
 * ```
 */
export class OutDirError extends CoordnetError {}

/** The lock's file name inside the folder. */
export const LOCK_NAME = ".coordnet.lock";

/** Temporary files written by `writeFileAtomic` (`NAME.tmp-PID-RANDOM`) or by coordnet 0.1 (`NAME.tmp-PID`). */
const TEMPORARY = /\.tmp-(\d+)(?:-[0-9a-f]+)?$/;

/** The files a run writes (besides the lock): another run's files when a new run finds them. */
const RUN_FILES = /^(run\.json|model\.safetensors|checkpoint\.safetensors|final\.png|loss\.svg|epoch-\d{4,}\.png)$/;

/**
 * The file listing, one name a line, every file a run in the folder wrote or was about to write
 * (written before the run's first output): what `--force` may remove.
 */
export const MANIFEST_NAME = ".coordnet.files";

const list = (names: readonly string[]) => (names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", "));

/**
 * The names of files the folder's runs wrote: those in its manifest, and — for folders written
 * before the manifest existed — those its `run.json` lists.
 */
function runFilesWritten(dir: string): Set<string> {
  const names = new Set<string>();
  const read = (name: string): string | null => {
    try {
      return readBoundedText(join(dir, name), name, READ_LIMITS.json);
    } catch (e) {
      if (e instanceof FileError && e.code === "ENOENT") return null;
      throw e;
    }
  };
  for (const line of (read(MANIFEST_NAME) ?? "").split("\n")) if (RUN_FILES.test(line)) names.add(line);
  const record = read("run.json");
  if (record !== null) {
    let files: unknown;
    try {
      files = (parseJson(record, (reason) => new OutDirError(reason)) as { files?: unknown })?.files;
    } catch {
      files = undefined; // a damaged run.json vouches for nothing
    }
    if (Array.isArray(files)) for (const name of files) if (typeof name === "string" && RUN_FILES.test(name)) names.add(name);
  }
  return names;
}

/** Add `names` to the folder's manifest (written whole), before the files themselves are written. */
function recordRunFiles(dir: string, names: readonly string[]): void {
  const known = runFilesWritten(dir);
  const all = [...new Set([...known, ...names.filter((name) => RUN_FILES.test(name))])].sort();
  if (all.length === known.size && all.every((name) => known.has(name))) return;
  writeFileAtomic(join(dir, MANIFEST_NAME), `${all.join("\n")}\n`);
}

/** The real path of `path` (links resolved), or null where it does not exist. */
function realPath(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/**
 * Refuse a run whose input (image, config) is one of the files a run writes in `dir`: it would
 * be overwritten (or removed by `--force`) — `--image out/final.png --out out` above all.
 */
function refuseInputsInRunFolder(dir: string, inputs: readonly string[]): void {
  const folder = realPath(dir);
  for (const input of inputs) {
    const real = realPath(input);
    if (real !== null && folder !== null && dirname(real) === folder && (RUN_FILES.test(basename(real)) || basename(real) === MANIFEST_NAME))
      throw new OutDirError(
        `${input} is an input of this run, and ${join(dir, basename(real))} a file the run writes: copy it elsewhere first, or choose another --out`,
      );
  }
}

/**
 * Refuse a command whose input is one of its outputs (a file, or a file reached through a link):
 * `render model.safetensors --out model.safetensors` would replace the model with a PNG.
 *
 * @throws {@link OutDirError} naming both
 *
 * @example
 * ```ts
 * refuseInputsAmongOutputs([flags.out], [modelPath]);
 * ```
 */
export function refuseInputsAmongOutputs(outputs: readonly string[], inputs: readonly string[]): void {
  const real = new Map<string, string>();
  for (const input of inputs) {
    const r = realPath(input);
    if (r !== null) real.set(r, input);
  }
  for (const output of outputs) {
    // an output that does not exist yet is compared through its folder's real path
    const r = realPath(output) ?? (realPath(dirname(output)) === null ? null : join(realPath(dirname(output)) as string, basename(output)));
    const input = r === null ? undefined : real.get(r);
    if (input !== undefined) throw new OutDirError(`${output} is also an input of this command (${input}): it would be overwritten; write to another path`);
  }
}

/** Whether process `pid` exists on this machine (EPERM: it does, but belongs to someone else). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly text: string;
}

function readHolder(path: string): Holder | null {
  let text: string;
  try {
    // a regular file of a few bytes: a planted link to /dev/zero is refused, not read forever
    text = readBoundedText(path, "lock", READ_LIMITS.lock);
  } catch (e) {
    if (e instanceof FileError && e.code === "ENOENT") return null;
    throw e;
  }
  const m = /^(\d+) (\S+)\n?$/.exec(text);
  return { pid: m ? Number(m[1]) : 0, host: m ? m[2] : "", text };
}

/** Whether the holder still runs: a live PID here, or any lock from another host (which cannot be checked). */
function holderAlive(h: Holder, path: string): boolean {
  if (h.pid === 0) {
    // not written by coordnet (or damaged): stale once it is a minute old
    try {
      return Date.now() - statSync(path).mtimeMs < 60_000;
    } catch {
      return false;
    }
  }
  return h.host !== hostname() || alive(h.pid);
}

/** Create `path` holding `text`, whole, failing with EEXIST if it exists. */
function createExclusive(path: string, text: string): void {
  const tmp = temporaryName(path);
  try {
    writeWhole(tmp, text);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    linkSync(tmp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw e;
    // a file system without hard links: an exclusive create (the content follows at once)
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EXDEV" && code !== "ENOSYS") throw e;
    // the name exists from here on; until its text is written it reads as damaged, which stays held for a minute
    writeWhole(path, text);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Create `path` exclusively and write `text` to it (raw errors, for the caller to word). */
function writeWhole(path: string, text: string): void {
  const fd = openSync(path, "wx", 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Take the folder's lock. A second process gets an {@link OutDirError} naming the holder's PID; a
 * dead holder's lock is taken over. Returns the function that releases it (also run on exit).
 *
 * @throws {@link OutDirError} while another live process holds the folder
 *
 * @example
 * ```ts
 * const release = lockFolder("out");
 * try { ... } finally { release(); }
 * ```
 */
export function lockFolder(dir: string): () => void {
  makeFolder(dir);
  const path = join(dir, LOCK_NAME);
  const mine = `${process.pid} ${hostname()}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      createExclusive(path, mine);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw fileError(e, "write in", dir);
    }
    const holder = readHolder(path);
    if (holder !== null && holderAlive(holder, path))
      throw new OutDirError(
        holder.pid === 0
          ? `${dir} is in use by another coordnet process (its lock ${path} was just created); wait for it, or choose another --out`
          : `${dir} is in use by another coordnet process (PID ${holder.pid}${holder.host === hostname() ? "" : ` on ${holder.host}`}); wait for it to finish, or choose another --out`,
      );
    if (attempt >= 5) throw new OutDirError(`cannot take over the lock ${path} of a finished process; remove it by hand`);
    if (holder !== null) takeOver(path, holder);
  }
  const release = () => {
    process.off("exit", release);
    const holder = readHolder(path);
    if (holder?.text === mine) rmSync(path, { force: true });
  };
  process.on("exit", release);
  return release;
}

/**
 * Run `work` with `dir` locked ({@link lockFolder}) and dead processes' temporary files removed
 * from it ({@link removeOrphans}): a second run into the folder is refused before `work` starts,
 * and two runs' files never mix. Folders the lock had to create on the way to `dir` are removed
 * again if they are still empty when `work` ends (a run stopped before it wrote anything), never
 * one that holds anything.
 *
 * @throws {@link OutDirError} while another live process holds the folder
 *
 * @example
 * ```ts
 * await inLockedFolder("out", async () => writeFileAtomic("out/a.json", "{}"));
 * ```
 */
export async function inLockedFolder<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const created: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) created.push(d);
  const release = lockFolder(dir);
  try {
    removeOrphans(dir);
    return await work();
  } finally {
    release();
    removeIfEmpty(created);
  }
}

/** Remove `folders` in order (deepest first) while each is empty; stop at the first that is not. */
function removeIfEmpty(folders: readonly string[]): void {
  try {
    for (const d of folders) {
      if (readdirSync(d).length > 0) return;
      rmdirSync(d);
    }
  } catch {
    // gone or changed meanwhile: leave it; the run's own result or error is what matters
  }
}

/** Remove a dead holder's lock, unless someone else has replaced it meanwhile. */
function takeOver(path: string, dead: Holder): void {
  const guard = `${path}.takeover`;
  try {
    createExclusive(guard, `${process.pid} ${hostname()}\n`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw fileError(e, "create", guard);
    const other = readHolder(guard);
    // another process is taking over right now; or it died doing so
    if (other !== null && !holderAlive(other, guard)) rmSync(guard, { force: true });
    return;
  }
  try {
    if (readHolder(path)?.text === dead.text) rmSync(path, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

/**
 * Remove temporary files left in `dir` by processes that no longer run (a run killed mid-write).
 * Returns the names removed.
 *
 * @example
 * ```ts
 * removeOrphans("out"); // ["model.safetensors.tmp-4242"]
 * ```
 */
export function removeOrphans(dir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = TEMPORARY.exec(name);
    if (m === null || alive(Number(m[1]))) continue;
    const path = join(dir, name);
    // only plain files: a link or folder under such a name is not coordnet's
    if (!lstatSync(path).isFile()) continue;
    rmSync(path, { force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Make `dir` this run's: create it, lock it, remove dead processes' temporary files and, for a new
 * run, refuse (or with `force`, remove) another run's files, so two runs' files never mix. Returns
 * the function that releases the lock.
 *
 * @throws {@link OutDirError} when another process holds the folder, or it holds another run's files and `force` is not set
 *
 * @example
 * ```ts
 * const release = claimRunFolder("runs/a", { resume: false, force: false });
 * ```
 */
export function claimRunFolder(
  dir: string,
  options: { readonly resume: boolean; readonly force: boolean; readonly inputs?: readonly string[]; readonly outputs?: readonly string[] },
): () => void {
  const release = lockFolder(dir);
  try {
    // an input of this run (its image, its config) that is one of the files a run writes here would be overwritten or removed
    refuseInputsInRunFolder(dir, options.inputs ?? []);
    removeOrphans(dir);
    if (!options.resume) {
      const found = readdirSync(dir)
        .filter((name) => RUN_FILES.test(name))
        .sort();
      if (found.length > 0 && !options.force)
        throw new OutDirError(
          `${dir} holds another run's files (${list(found)}): continue it with --resume ${dir}, replace it with --force, or choose another --out`,
        );
      // --force removes only what this folder's own runs wrote: never a file coordnet has no record of writing
      const owned = runFilesWritten(dir);
      const foreign = found.filter((name) => !owned.has(name));
      if (foreign.length > 0)
        throw new OutDirError(
          `${dir} holds ${list(foreign)}, which no coordnet run in it wrote (it has no record of them), so --force leaves them: move them away or choose another --out`,
        );
      for (const name of found) rmSync(join(dir, name), { force: true });
      rmSync(join(dir, MANIFEST_NAME), { force: true });
    }
    if (options.outputs !== undefined) recordRunFiles(dir, options.outputs);
  } catch (e) {
    release();
    throw e instanceof CoordnetError ? e : fileError(e, "use the folder", dir);
  }
  return release;
}
