/**
 * Shared by the hostile-input tests (issue 17): the built command run as a user runs it, but in a
 * shell with a cap on its address space, so that a regression that reads /dev/zero forever dies
 * in seconds at 3 GB instead of taking the machine's memory; and the one-line check every refusal
 * must pass.
 */

import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { MAX_MESSAGE_LENGTH } from "../src/errors.js";

export const BIN = join(process.cwd(), "bin", "coordnet.js");

/** Address space a hostile case may take (KiB for `ulimit -v`): the tests train only tiny networks on the reference backend. */
const ADDRESS_SPACE_KIB = 3_000_000;

/** A fresh folder for one test file. */
export function scratch(name: string): string {
  return mkdtempSync(join(tmpdir(), `coordnet-${name}-`));
}

/**
 * `coordnet ARGS` in `cwd` under `ulimit -v` (3 GB) and a time limit (a read that never ends, or
 * an open that blocks on a FIFO, fails the test instead of hanging it).
 */
export function cli(cwd: string, args: readonly string[], timeoutMs = 60_000): SpawnSyncReturns<string> {
  return spawnSync("bash", ["-c", `ulimit -v ${ADDRESS_SPACE_KIB}; exec "$0" "$@"`, process.execPath, BIN, ...args], {
    cwd,
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 2 ** 20,
  });
}

/** `node --input-type=module -e SCRIPT` under the same caps: library calls on hostile input, in a process of their own. */
export function nodeScript(cwd: string, script: string, timeoutMs = 60_000): SpawnSyncReturns<string> {
  return spawnSync("bash", ["-c", `ulimit -v ${ADDRESS_SPACE_KIB}; exec "$0" --input-type=module -e "$1"`, process.execPath, script], {
    cwd,
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 2 ** 20,
  });
}

/**
 * A refusal as every bad input must get: exit 2, nothing on stdout, one line on stderr starting
 * `coordnet:` of at most the message limit (plus the prefix), matching `pattern`.
 */
export function expectRefused(r: SpawnSyncReturns<string>, pattern: RegExp, code = 2): string {
  expect(r.error, "the command did not finish in time (or could not start)").toBeUndefined();
  expect(r.status, r.stderr.slice(0, 500)).toBe(code);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr.slice(0, 500)).toHaveLength(1);
  expect(lines[0]).toMatch(/^coordnet: /);
  expect(lines[0].length).toBeLessThanOrEqual("coordnet: ".length + MAX_MESSAGE_LENGTH + 100);
  expect(lines[0]).toMatch(pattern);
  return lines[0];
}
