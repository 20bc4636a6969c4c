/**
 * Faults and shared folders (issue 10): signals, killed runs, planted links, two writers, another
 * run's files, --resume with other flags, and one-line messages for the file system's errors.
 * Through the built command (bin/coordnet.js), as a user runs it.
 */

import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../dist/io/atomic.js";
import { loadCheckpoint, loadModel } from "../dist/io/model-file.js";
import { patternPNG } from "./png-helpers.js";

const BIN = join(process.cwd(), "bin", "coordnet.js");
const tmp = mkdtempSync(join(tmpdir(), "coordnet-robust-"));
const run = (...args: string[]): SpawnSyncReturns<string> => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: tmp });
const image = join(tmp, "pattern.png");
const tiny = ["--image", image, "--width", "8", "--depth", "1", "--batch-size", "64", "--backend", "reference"];
// long enough to be stopped part-way (the reference stops after any batch)
const long = [
  "--image",
  image,
  "--width",
  "48",
  "--depth",
  "2",
  "--batch-size",
  "32",
  "--epochs",
  "400",
  "--seed",
  "3",
  "--size",
  "32x32",
  "--backend",
  "reference",
];

beforeAll(() => {
  writeFileSync(image, patternPNG(16, 12));
});

function start(args: string[]): { child: ChildProcess; exit: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exit, stderr: () => stderr };
}

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 1200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 25));
  expect(existsSync(path)).toBe(true);
}

/** One line on stderr, `coordnet: …`, no stack. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^coordnet: /);
  return lines[0];
}

function sameWeights(a: string, b: string): void {
  const x = loadModel(join(a, "model.safetensors")).weights;
  const y = loadModel(join(b, "model.safetensors")).weights;
  x.forEach((w, l) => {
    expect(Buffer.from(w.weight.buffer).equals(Buffer.from(y[l].weight.buffer))).toBe(true);
    expect(Buffer.from(w.bias.buffer).equals(Buffer.from(y[l].bias.buffer))).toBe(true);
  });
  const losses = (d: string) => JSON.parse(readFileSync(join(d, "run.json"), "utf8")).history.map((h: { loss: number }) => h.loss);
  expect(losses(a)).toEqual(losses(b));
}

/** A PID that no process has: one of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }).stdout.trim());
}

let straight = "";
async function straightRun(): Promise<string> {
  if (straight === "") {
    straight = join(tmp, "straight");
    expect(run("train", ...long, "--out", straight, "--json").status).toBe(0);
  }
  return straight;
}

describe("signals and killed runs", () => {
  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    it(`${signal} writes the checkpoint and exits ${code}`, async () => {
      const dir = join(tmp, `signal-${signal}`);
      const p = start(["train", ...long, "--out", dir]);
      await waitFor(dir);
      await new Promise((r) => setTimeout(r, 300));
      p.child.kill(signal);
      expect(await p.exit).toBe(code);
      expect(p.stderr()).toMatch(/coordnet train --resume/);
      expect(existsSync(join(dir, "checkpoint.safetensors"))).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8")).status).toBe("interrupted");
      expect(existsSync(join(dir, ".coordnet.lock"))).toBe(false);
    });
  }

  it("a SIGKILLed run resumes bit for bit from its periodic checkpoint; a dead process's temporary file is removed", async () => {
    const dir = join(tmp, "killed");
    // a checkpoint every 0.3 s of training
    const p = start(["train", ...long, "--out", dir, "--checkpoint-every", "0.005"]);
    await waitFor(join(dir, "checkpoint.safetensors"));
    p.child.kill("SIGKILL");
    await p.exit;
    const position = loadCheckpoint(join(dir, "checkpoint.safetensors")).position;
    expect(position.epoch * 1024 + position.next).toBeGreaterThan(0);
    expect(position.epoch).toBeLessThan(400);
    // what a run killed while writing leaves (coordnet 0.1's name, and today's)
    const orphans = [`model.safetensors.tmp-${deadPid()}`, `run.json.tmp-${deadPid()}-0a1b2c3d4e5f`];
    for (const name of orphans) writeFileSync(join(dir, name), "half a file");
    const live = `final.png.tmp-${process.pid}-abcdef`; // a live process's: kept
    writeFileSync(join(dir, live), "in progress");
    const resumed = run("train", "--resume", dir, "--json");
    expect(resumed.stderr).toBe("");
    expect(resumed.status).toBe(0);
    for (const name of orphans) expect(existsSync(join(dir, name))).toBe(false);
    expect(existsSync(join(dir, live))).toBe(true);
    sameWeights(dir, await straightRun());
  });
});

describe("files and folders", () => {
  it("a link planted under the temporary file's old name is never written through", () => {
    const dir = join(tmp, "planted");
    mkdirSync(dir);
    const outside = join(tmp, "outside.txt");
    writeFileSync(outside, "precious");
    // coordnet 0.1 wrote NAME.tmp-PID: a link under that name sent the write outside the folder
    symlinkSync(outside, join(dir, `run.json.tmp-${process.pid}`));
    writeFileAtomic(join(dir, "run.json"), "{}");
    expect(readFileSync(outside, "utf8")).toBe("precious");
    expect(lstatSync(join(dir, "run.json")).isFile()).toBe(true);
    expect(readFileSync(join(dir, "run.json"), "utf8")).toBe("{}");
  });

  const hasStrace = spawnSync("strace", ["-qq", "-e", "trace=none", "true"]).status === 0;
  it.skipIf(!hasStrace)("a file is flushed (fsync) before its rename, and its folder after (strace)", () => {
    const dir = mkdtempSync(join(tmp, "sync-"));
    const target = join(dir, "run.json");
    const log = join(tmp, "strace.log");
    const code = `import(${JSON.stringify(join(process.cwd(), "dist", "io", "atomic.js"))}).then((m) => m.writeFileAtomic(${JSON.stringify(target)}, "{}"))`;
    const r = spawnSync("strace", ["-f", "-qq", "-e", "trace=openat,fsync,rename,renameat,renameat2", "-o", log, process.execPath, "-e", code], {
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    const calls = readFileSync(log, "utf8")
      .split("\n")
      .map((l) => l.replace(/^\d+\s+/, ""))
      .filter((l) => l.includes(dir) || l.startsWith("fsync("));
    const open = calls.findIndex((l) => /^openat\(.*run\.json\.tmp-\d+-[0-9a-f]+", .*O_EXCL/.test(l));
    expect(open).toBeGreaterThanOrEqual(0);
    const fd = /= (\d+)$/.exec(calls[open])?.[1];
    const rename = calls.findIndex((l) => /^rename/.test(l) && l.includes(`"${target}"`));
    const fileSync = calls.findIndex((l, i) => i > open && l.startsWith(`fsync(${fd})`));
    expect(fileSync).toBeGreaterThan(open);
    expect(rename).toBeGreaterThan(fileSync);
    const folderOpen = calls.findIndex((l, i) => i > rename && l.startsWith("openat(") && l.includes(`"${dir}"`));
    const folderFd = /= (\d+)$/.exec(calls[folderOpen] ?? "")?.[1];
    expect(calls.findIndex((l, i) => i > folderOpen && l.startsWith(`fsync(${folderFd})`))).toBeGreaterThan(rename);
  });

  it("a second writer into the same --out is refused naming the holder's PID; a dead holder's lock is taken over", async () => {
    const dir = join(tmp, "shared");
    const p = start(["train", ...long, "--out", dir]);
    await waitFor(join(dir, ".coordnet.lock"));
    const second = run("train", ...tiny, "--epochs", "1", "--out", dir);
    expect(second.status).toBe(2);
    expect(oneLine(second.stderr)).toMatch(new RegExp(`in use by another coordnet process \\(PID ${p.child.pid}\\)`));
    p.child.kill("SIGTERM");
    expect(await p.exit).toBe(143);

    const stale = join(tmp, "stale");
    mkdirSync(stale);
    writeFileSync(join(stale, ".coordnet.lock"), `${deadPid()} ${(await import("node:os")).hostname()}\n`);
    const r = run("train", ...tiny, "--epochs", "1", "--out", stale);
    expect(r.status).toBe(0);
    expect(existsSync(join(stale, ".coordnet.lock"))).toBe(false);
  });

  it("a new run into a finished run's folder is refused; with --force it replaces that run's files", () => {
    const dir = join(tmp, "finished");
    expect(run("train", ...tiny, "--epochs", "20", "--out", dir).status).toBe(0);
    const before = readFileSync(join(dir, "run.json"), "utf8");
    const refused = run("train", ...tiny, "--epochs", "2", "--out", dir);
    expect(refused.status).toBe(2);
    expect(oneLine(refused.stderr)).toMatch(/holds another run's files .*--force/);
    expect(readFileSync(join(dir, "run.json"), "utf8")).toBe(before);
    const forced = run("train", ...tiny, "--epochs", "2", "--out", dir, "--force", "--json");
    expect(forced.status).toBe(0);
    const record = JSON.parse(forced.stdout);
    // nothing of the old run is left beside the new one (and the manifest of what runs here wrote)
    expect(readdirSync(dir).sort()).toEqual([".coordnet.files", ...record.files].sort());
    expect(existsSync(join(dir, "epoch-0005.png"))).toBe(false);
  });
});

describe("--resume with other flags", () => {
  it("flags that conflict with the checkpoint are refused, named in one line, the folder untouched", () => {
    const dir = join(tmp, "conflicts");
    expect(run("train", ...tiny, "--epochs", "3", "--out", dir).status).toBe(0);
    const before = readFileSync(join(dir, "checkpoint.safetensors"));
    const r = run("train", "--resume", dir, "--epochs", "2", "--width", "16", "--out", join(tmp, "x"), "--image", join(tmp, "other.png"), "--backend", "wasm");
    expect(r.status).toBe(2);
    const line = oneLine(r.stderr);
    for (const flag of ["--epochs 2", "--width 16", "--out", "--image", "--backend wasm"]) expect(line).toContain(flag);
    expect(readFileSync(join(dir, "checkpoint.safetensors")).equals(before)).toBe(true);
    expect(existsSync(join(tmp, "x"))).toBe(false);
    // flags equal to the checkpoint's are fine; a finished run without a new --epochs has nothing to do
    const same = run("train", "--resume", dir, "--width", "8", "--backend", "reference");
    expect(same.status).toBe(2);
    expect(oneLine(same.stderr)).toMatch(/is complete \(3 epochs\).*--epochs N/);
  });

  it("--epochs extends a finished run bit for bit as if it had been asked for from the start", () => {
    const dir = join(tmp, "extended");
    const whole = join(tmp, "whole");
    expect(run("train", ...tiny, "--epochs", "2", "--seed", "5", "--out", dir).status).toBe(0);
    const r = run("train", "--resume", dir, "--epochs", "5", "--json");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).config.training.epochs).toBe(5);
    expect(run("train", ...tiny, "--epochs", "5", "--seed", "5", "--out", whole).status).toBe(0);
    sameWeights(dir, whole);
    expect(existsSync(join(dir, "epoch-0005.png"))).toBe(true);
  });

  it("a source image replaced since the checkpoint is reported in one warning line", () => {
    const dir = join(tmp, "changed");
    const source = join(tmp, "changing.png");
    writeFileSync(source, patternPNG(16, 12));
    expect(run("train", ...tiny, "--image", source, "--epochs", "1", "--out", dir).status).toBe(0);
    writeFileSync(source, patternPNG(12, 16));
    const r = run("train", "--resume", dir, "--epochs", "2");
    expect(r.status).toBe(0);
    expect(oneLine(r.stderr)).toMatch(/^coordnet: warning: .*changing\.png has changed since the checkpoint was written/);
  });
});

describe("every failure is one coordnet: line naming the file", () => {
  it("the argument parser's errors", () => {
    for (const args of [["train", "--widht", "3"], ["train", "--width", "0"], ["render"], ["trian"]]) {
      const r = run(...args);
      expect(r.status).toBe(2);
      oneLine(r.stderr);
    }
  });

  it("render --out into a missing folder names the output, not a temporary file", () => {
    const dir = join(tmp, "for-render");
    expect(run("train", ...tiny, "--epochs", "1", "--out", dir).status).toBe(0);
    const out = join(tmp, "no-such-folder", "big.png");
    const r = run("render", join(dir, "model.safetensors"), "--size", "8x8", "--out", out);
    expect(r.status).toBe(2);
    const line = oneLine(r.stderr);
    expect(line).toContain(`cannot write ${out}: the folder ${join(tmp, "no-such-folder")} does not exist`);
    expect(line).not.toMatch(/\.tmp-/);
  });

  it("a corrupt run.json in a paper folder: its name in one line, and no source.png written", () => {
    const out = join(tmp, "paper-corrupt");
    // each (preset, seed) run has its folder
    mkdirSync(join(out, "relu-sigmoid", "seed-0"), { recursive: true });
    writeFileSync(join(out, "relu-sigmoid", "seed-0", "run.json"), "{ half");
    const r = run("paper", "--image", image, "--presets", "relu-sigmoid", "--seeds", "1", "--epochs", "1", "--backend", "reference", "--out", out);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toContain(join(out, "relu-sigmoid", "seed-0", "run.json"));
    expect(existsSync(join(out, "source.png"))).toBe(false);
  });

  it("permission denied is said in words (EACCES), as a user without write access meets it", () => {
    const dir = join(tmp, "locked-away");
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    chmodSync(tmp, 0o755);
    const r = spawnSync(
      "setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, BIN, "train", ...tiny, "--epochs", "1", "--out", join(dir, "run")],
      {
        encoding: "utf8",
        cwd: tmp,
      },
    );
    if (r.error) return expect.soft(r.error, "setpriv is not available here").toBeUndefined();
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`${join(dir, "run")}.*permission denied \\(EACCES\\)`));
  });
});

// A read-only file system and a full disk, in a private mount namespace (unshare -rm): a tmpfs that
// is remounted read-only, and one of 64 KiB.
const canMount = spawnSync("unshare", ["-rm", "sh", "-c", `mount -t tmpfs tmpfs ${tmpdir()} && echo ok`], { encoding: "utf8" }).stdout?.trim() === "ok";

describe.skipIf(!canMount)("a read-only file system and a full disk (unshare -rm)", () => {
  const inMount = (mountOptions: string, setup: string, args: string[]) => {
    const mnt = mkdtempSync(join(tmpdir(), "coordnet-mnt-"));
    // after the run, what is left in MNT/run goes to stdout (the mount ends with the namespace)
    const cmd = [
      `mount -t tmpfs -o ${mountOptions} tmpfs ${mnt}`,
      setup.replaceAll("MNT", mnt),
      `{ "$@"; rc=$?; echo "FILES:$(ls -A ${mnt}/run 2>/dev/null | tr '\\n' ' ')"; exit $rc; }`,
    ]
      .filter(Boolean)
      .join(" && ");
    const r = spawnSync("unshare", ["-rm", "sh", "-c", cmd, "sh", process.execPath, BIN, ...args.map((a) => a.replaceAll("MNT", mnt))], {
      encoding: "utf8",
      cwd: tmp,
    });
    return r;
  };

  it("EROFS: one line naming the folder, 'read-only file system', exit 2", () => {
    const r = inMount("size=1m", "mount -o remount,ro,bind MNT", ["train", ...tiny, "--epochs", "1", "--out", "MNT/run"]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/cannot create the folder .*\/run: read-only file system \(EROFS\)/);
    // a folder that exists on it
    const there = inMount("size=1m", "mkdir MNT/run && mount -o remount,ro,bind MNT", ["train", ...tiny, "--epochs", "1", "--out", "MNT/run"]);
    expect(there.status).toBe(2);
    expect(oneLine(there.stderr)).toMatch(/cannot write in .*\/run: read-only file system \(EROFS\)/);
  });

  it("ENOSPC: one line naming the file, 'no space left', exit 1, no half-written or temporary file left", () => {
    // two 128×128 hidden layers are 128 KiB of weights: the model does not fit
    const r = inMount("size=64k", "", [
      "train",
      ...tiny,
      "--width",
      "128",
      "--depth",
      "3",
      "--epochs",
      "1",
      "--snapshots",
      "",
      "--out",
      "MNT/run",
      "--checkpoint-every",
      "0",
    ]);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/cannot write .*\/run\/\S+: no space left on the device \(ENOSPC\)/);
    const left = /FILES:(.*)/.exec(r.stdout)?.[1].trim().split(/\s+/) ?? ["?"];
    expect(left.filter((f) => /\.tmp-/.test(f))).toEqual([]);
    expect(left).not.toContain("model.safetensors");
  });
});
