/**
 * Issue 17, class 1: outputs never replace what they must not. An output is written only over a
 * regular file or to a new path (never over a device, a FIFO or a folder), never over an input of
 * the same command, and `--force` removes only files the run folder's own runs wrote. Every case
 * here failed on the main branch before the fix (the FIFO, the device and the model were
 * replaced by a PNG; the input image was removed; the user's file was removed by --force).
 */

import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, expectRefused, nodeScript, scratch } from "./hostile-helpers.js";
import { patternPNG } from "./png-helpers.js";

const tmp = scratch("outputs");
const image = join(tmp, "pattern.png");
const tiny = ["--width", "8", "--depth", "1", "--batch-size", "64", "--epochs", "1", "--backend", "reference"];
const model = join(tmp, "trained", "model.safetensors");
const isRoot = process.getuid?.() === 0;

beforeAll(() => {
  writeFileSync(image, patternPNG(16, 12));
  const r = cli(tmp, ["train", "--image", image, ...tiny, "--out", join(tmp, "trained")]);
  expect(r.status, r.stderr).toBe(0);
});

describe("render --out never replaces what is not a regular file", () => {
  it("a FIFO stays a FIFO (refused before the model is read)", () => {
    const fifo = join(tmp, "pipe");
    execFileSync("mkfifo", [fifo]);
    expectRefused(cli(tmp, ["render", model, "--size", "8x8", "--out", fifo]), /pipe: it is a FIFO \(named pipe\), not a regular file/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  // a character device of our own (the one /dev/null is: 1,3), so that a regression replaces it and not /dev/null
  it.skipIf(!isRoot)("a character device stays a device (mknod needs root)", () => {
    const device = join(tmp, "null-device");
    execFileSync("mknod", [device, "c", "1", "3"]);
    expectRefused(cli(tmp, ["render", model, "--size", "8x8", "--out", device]), /null-device: it is a character device, not a regular file/);
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
  });

  it("a folder is named as one", () => {
    const folder = join(tmp, "a-folder.png");
    mkdirSync(folder);
    expectRefused(cli(tmp, ["render", model, "--size", "8x8", "--out", folder]), /a-folder\.png: it is a folder, not a regular file/);
    expect(statSync(folder).isDirectory()).toBe(true);
  });
});

describe("an output is never an input of the same command", () => {
  it("render MODEL --out MODEL leaves the model as it was", () => {
    const before = readFileSync(model);
    expectRefused(cli(tmp, ["render", model, "--size", "8x8", "--out", model]), /is also an input of this command/);
    expect(readFileSync(model).equals(before)).toBe(true);
  });

  it("render MODEL --out LINK-TO-MODEL likewise (links are followed)", () => {
    const link = join(tmp, "model-link.png");
    execFileSync("ln", ["-s", model, link]);
    const before = readFileSync(model);
    expectRefused(cli(tmp, ["render", model, "--size", "8x8", "--out", link]), /is also an input of this command/);
    expect(readFileSync(model).equals(before)).toBe(true);
  });

  it("train --image O/final.png --out O --force keeps the input image", () => {
    const out = join(tmp, "own-final");
    expect(cli(tmp, ["train", "--image", image, ...tiny, "--out", out]).status).toBe(0);
    const input = join(out, "final.png");
    const before = readFileSync(input);
    expectRefused(cli(tmp, ["train", "--image", input, ...tiny, "--out", out, "--force"]), /final\.png is an input of this run/);
    expect(readFileSync(input).equals(before)).toBe(true);
  });

  it("demo --image OUT/strip.png is refused before training, the image kept", () => {
    const out = join(tmp, "demo");
    mkdirSync(out);
    const input = join(out, "strip.png");
    writeFileSync(input, patternPNG(16, 12));
    expectRefused(cli(tmp, ["demo", "--image", input, "--size", "8x8", "--epochs", "1", "--backend", "reference", "--out", out]), /also an input/);
    expect(readFileSync(input).equals(Buffer.from(patternPNG(16, 12)))).toBe(true);
  });
});

describe("--force removes only files the folder's own runs wrote", () => {
  it("a file of the user's under a run file's name is kept, and named", () => {
    const out = join(tmp, "users-folder");
    mkdirSync(out);
    writeFileSync(join(out, "final.png"), "the user's own picture");
    expectRefused(cli(tmp, ["train", "--image", image, ...tiny, "--out", out, "--force"]), /final\.png, which no coordnet run in it wrote/);
    expect(readFileSync(join(out, "final.png"), "utf8")).toBe("the user's own picture");
  });

  it("a run's own files are still replaced", () => {
    const out = join(tmp, "replaced");
    expect(cli(tmp, ["train", "--image", image, ...tiny, "--epochs", "2", "--out", out]).status).toBe(0);
    expect(existsSync(join(out, "epoch-0002.png"))).toBe(true);
    const r = cli(tmp, ["train", "--image", image, ...tiny, "--out", out, "--force", "--snapshots", "1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(out, "epoch-0002.png"))).toBe(false);
  });
});

describe("the library's writers", () => {
  it("writePng and saveModel refuse a FIFO, leaving it a FIFO", () => {
    const fifo = join(tmp, "library-pipe");
    execFileSync("mkfifo", [fifo]);
    const r = nodeScript(
      tmp,
      `import { loadModel, saveModel, writePng } from ${JSON.stringify(join(process.cwd(), "dist", "node.js"))};
       const m = loadModel(${JSON.stringify(model)});
       const image = await m.render(4, 4, { backend: "reference" });
       for (const write of [() => writePng(${JSON.stringify(fifo)}, image), () => saveModel(${JSON.stringify(fifo)}, m)]) {
         try { write(); console.log("written"); } catch (e) { console.log(e.name + ": " + e.message); }
       }`,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      `FileError: cannot write ${fifo}: it is a FIFO (named pipe), not a regular file; coordnet writes only regular files or new paths`,
      `FileError: cannot write ${fifo}: it is a FIFO (named pipe), not a regular file; coordnet writes only regular files or new paths`,
    ]);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
});

// The lock every folder-writing command takes (io/out-dir.ts inLockedFolder): a run that stops
// before writing removes the folders it created on the way to --out, never one holding anything.
describe("inLockedFolder", () => {
  it("removes the folders it created when the work stops before writing, keeps a folder that holds something, and releases the lock", async () => {
    const { inLockedFolder } = await import("../dist/io/out-dir.js");
    const stopped = new Error("stopped");
    const deep = join(tmp, "locked-a", "b", "c");
    await expect(inLockedFolder(deep, async () => Promise.reject(stopped))).rejects.toBe(stopped);
    expect(existsSync(join(tmp, "locked-a"))).toBe(false);
    // a folder that was there keeps its file; the folders made below it go
    const kept = join(tmp, "locked-kept");
    mkdirSync(kept);
    writeFileSync(join(kept, "mine.txt"), "a user's file");
    await expect(inLockedFolder(join(kept, "run"), async () => Promise.reject(stopped))).rejects.toBe(stopped);
    expect(readdirSync(kept)).toEqual(["mine.txt"]);
    // work that wrote keeps its folder, lock released
    const done = join(tmp, "locked-done", "run");
    expect(await inLockedFolder(done, async () => writeFileSync(join(done, "out.json"), "{}"))).toBeUndefined();
    expect(readdirSync(done)).toEqual(["out.json"]);
  });
});
