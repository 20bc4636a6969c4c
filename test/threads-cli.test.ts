import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../src/training/runner.js";
import { patternPNG } from "./png-helpers.js";

// `--threads N` and COORDNET_THREADS, through the built command: the wasm trainer runs on the
// threads asked for, and the weights do not depend on how many.
const BIN = join(process.cwd(), "bin", "coordnet.js");
const tmp = mkdtempSync(join(tmpdir(), "coordnet-threads-"));
const image = join(tmp, "pattern.png");
// 1024 pixels, batches of 256 at width 64: each matrix product can be cut for several threads
const net = ["--image", image, "--backend", "wasm", "--width", "64", "--depth", "2", "--batch-size", "256", "--epochs", "2", "--json"];
const run = (env: Record<string, string | undefined>, ...args: string[]): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: tmp, env: { ...process.env, COORDNET_THREADS: undefined, ...env } });

beforeAll(() => {
  writeFileSync(image, patternPNG(32, 32));
});

describe("--threads and COORDNET_THREADS", () => {
  it("run the wasm backend on that many threads, with bit-identical models", () => {
    const models: Buffer[] = [];
    for (const [env, flags, threads] of [
      [{}, ["--threads", "1"], "1"],
      [{}, ["--threads", "2"], "2"],
      [{ COORDNET_THREADS: "2" }, [], "2"],
      [{ COORDNET_THREADS: "3" }, ["--threads", "1"], "1"],
    ] as const) {
      const out = join(tmp, `run-${models.length}`);
      const r = run(env, "train", ...net, ...flags, "--out", out);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const record: RunRecord = JSON.parse(r.stdout.trim());
      expect(record.backend.name).toBe("wasm");
      expect(record.backend.details.threads).toBe(threads);
      models.push(readFileSync(join(out, "model.safetensors")));
    }
    for (const m of models.slice(1)) expect(m.equals(models[0])).toBe(true);
  });

  it("refuse a bad count with one line and exit 2", () => {
    for (const [env, flags, pattern] of [
      [{}, ["--threads", "0"], /--threads/],
      [{}, ["--threads", "two"], /--threads/],
      [{ COORDNET_THREADS: "abc" }, [], /^coordnet: COORDNET_THREADS must be an integer ≥ 1, got "abc"$/],
      [{ COORDNET_THREADS: "0" }, [], /^coordnet: COORDNET_THREADS must be an integer ≥ 1/],
    ] as const) {
      const r = run(env, "train", ...net, ...flags, "--out", join(tmp, "bad"));
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")[0]).toMatch(pattern);
    }
  });
});
