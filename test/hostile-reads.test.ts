/**
 * Issue 17, class 2: every file is opened once, checked to be a regular file, and read with a
 * limit fitting its kind. Before the fix each of these read without end (4–11 GB until the
 * process died: here, at the 3 GB cap of `cli`, a crash), blocked forever on a FIFO, or read a
 * file of any size. Every case here failed on the main branch before the fix.
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, expectRefused, nodeScript, scratch } from "./hostile-helpers.js";
import { patternPNG } from "./png-helpers.js";

const tmp = scratch("reads");
const image = join(tmp, "pattern.png");
const tiny = ["--width", "8", "--depth", "1", "--batch-size", "64", "--epochs", "2", "--backend", "reference"];
const run = join(tmp, "run");
const fifo = join(tmp, "pipe");
const NODE = join(process.cwd(), "dist", "node.js");

beforeAll(() => {
  writeFileSync(image, patternPNG(16, 12));
  execFileSync("mkfifo", [fifo]);
  const r = cli(tmp, ["train", "--image", image, ...tiny, "--out", run]);
  expect(r.status, r.stderr).toBe(0);
});

describe("devices and FIFOs are refused before a byte is read", () => {
  const device = /it is a character device, not a regular file/;
  it.each([
    ["--config /dev/zero", ["train", "--config", "/dev/zero", "--out", "o1"], /the config \/dev\/zero: it is a character device/],
    ["--image /dev/zero", ["train", "--image", "/dev/zero", "--out", "o2"], device],
    ["--image /dev/urandom", ["train", "--image", "/dev/urandom", "--out", "o3"], device],
    ["render /dev/zero", ["render", "/dev/zero", "--size", "8x8", "--out", "o4.png"], /the model file \/dev\/zero: it is a character device/],
    ["paper --compare /dev/zero", ["paper", "--image", image, "--epochs", "1", "--presets", "relu-sigmoid", "--compare", "/dev/zero", "--out", "o5"], device],
    ["--config FIFO (no writer: the open must not block)", ["train", "--config", fifo, "--out", "o6"], /it is a FIFO \(named pipe\)/],
    ["--image FIFO", ["train", "--image", fifo, "--out", "o7"], /it is a FIFO \(named pipe\)/],
  ])("%s", (_, args, pattern) => {
    expectRefused(cli(tmp, args, 20_000), pattern);
  });
});

describe("checkpoints that lead to a device", () => {
  it("a checkpoint that is a link to /dev/zero", () => {
    const dir = join(tmp, "linked");
    mkdirSync(dir);
    symlinkSync("/dev/zero", join(dir, "checkpoint.safetensors"));
    expectRefused(cli(tmp, ["train", "--resume", dir], 20_000), /the checkpoint .*checkpoint\.safetensors: it is a character device/);
  });

  it("a checkpoint whose recorded image is /dev/zero", () => {
    const dir = join(tmp, "recorded");
    // the run's own checkpoint, written again by the library with another image recorded in it
    const r = nodeScript(
      tmp,
      `import { loadCheckpoint, saveCheckpoint } from ${JSON.stringify(NODE)};
       import { mkdirSync } from "node:fs";
       const c = loadCheckpoint(${JSON.stringify(join(run, "checkpoint.safetensors"))});
       mkdirSync(${JSON.stringify(dir)});
       saveCheckpoint(${JSON.stringify(join(dir, "checkpoint.safetensors"))}, { ...c, position: { ...c.position, run: { ...c.position.run, image: "/dev/zero" } } }, "0.1.0");`,
    );
    expect(r.status, r.stderr).toBe(0);
    expectRefused(cli(tmp, ["train", "--resume", dir, "--epochs", "3"], 20_000), /the image \/dev\/zero: it is a character device/);
  });
});

describe("regular files above their kind's limit are refused by their size", () => {
  it("a config of 2 MiB (configs are under 1 kB; the limit is 1 MiB)", () => {
    const big = join(tmp, "big.json");
    writeFileSync(big, `{"network": {"width": 8}, "pad": "${"x".repeat(2 * 2 ** 20)}"}`);
    expectRefused(cli(tmp, ["train", "--config", big, "--out", "o8"]), /the config .*big\.json: it is 2048 kB, above the limit of 1024 kB for a config/);
    rmSync(big);
  });

  it("a PNG far larger than any image of --max-pixels can be", () => {
    const big = join(tmp, "big.png");
    // a valid PNG followed by 80 MiB of junk: over the limit for 100 pixels (64 MiB of room for ancillary chunks)
    writeFileSync(big, Buffer.concat([Buffer.from(patternPNG(16, 12)), Buffer.alloc(80 * 2 ** 20)]));
    expectRefused(cli(tmp, ["train", "--image", big, "--max-pixels", "100", "--out", "o9"]), /it is 80 MiB, above the limit of \d+ MiB for an image/);
    rmSync(big);
  });
});

describe("the library's readers", () => {
  it("readPng, loadModel and loadCheckpoint refuse /dev/zero and a FIFO at once", () => {
    const r = nodeScript(
      tmp,
      `import { loadCheckpoint, loadModel, readPng } from ${JSON.stringify(NODE)};
       for (const path of ["/dev/zero", ${JSON.stringify(fifo)}])
         for (const read of [readPng, loadModel, loadCheckpoint]) {
           try { read(path); console.log("read"); } catch (e) { console.log(e.name + ": " + e.message); }
         }`,
      20_000,
    );
    expect(r.error).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toEqual([
      "ImageError: cannot read the image /dev/zero: it is a character device, not a regular file",
      "ModelFileError: cannot read the model file /dev/zero: it is a character device, not a regular file",
      "ModelFileError: cannot read the checkpoint /dev/zero: it is a character device, not a regular file",
      `ImageError: cannot read the image ${fifo}: it is a FIFO (named pipe), not a regular file`,
      `ModelFileError: cannot read the model file ${fifo}: it is a FIFO (named pipe), not a regular file`,
      `ModelFileError: cannot read the checkpoint ${fifo}: it is a FIFO (named pipe), not a regular file`,
    ]);
  });
});
