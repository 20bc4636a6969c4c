/**
 * Issue 17, class 8 (the file system's part): a path that cannot be what it should be is named
 * in words — an empty `--out` as empty (not "the folder . does not exist"), a folder given where a
 * file is read as a folder (not `EISDIR`). Every case here failed on the main branch before the fix.
 */

import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, expectRefused, nodeScript, scratch } from "./hostile-helpers.js";
import { patternPNG } from "./png-helpers.js";

const tmp = scratch("paths");
const image = join(tmp, "pattern.png");
const folder = join(tmp, "a-folder");
const tiny = ["--image", image, "--width", "8", "--depth", "1", "--batch-size", "64", "--epochs", "1", "--backend", "reference"];

beforeAll(() => {
  writeFileSync(image, patternPNG(16, 12));
  mkdirSync(folder);
  const r = cli(tmp, ["train", ...tiny, "--out", join(tmp, "run")]);
  expect(r.status, r.stderr).toBe(0);
});

describe("empty paths are named as empty", () => {
  it.each([
    ["train --out ''", ["train", ...tiny, "--out", ""], /--out is empty/],
    ["train --resume ''", ["train", "--resume", ""], /--resume is empty/],
    ["demo --out ''", ["demo", "--image", image, "--size", "8x8", "--epochs", "1", "--backend", "reference", "--out", ""], /--out is empty/],
    ["paper --out ''", ["paper", "--image", image, "--epochs", "1", "--presets", "relu-sigmoid", "--backend", "reference", "--out", ""], /--out is empty/],
    ["render --out ''", ["render", join(tmp, "run", "model.safetensors"), "--size", "8x8", "--out", ""], /cannot write to an empty path/],
    ["train --image ''", ["train", "--image", "", "--out", "o1"], /--image is empty/],
  ])("%s", (_, args, pattern) => {
    expectRefused(cli(tmp, args), pattern);
  });
});

describe("paper checks every run's folder before it trains", () => {
  it("a file where a later preset's run folder goes is refused before the first preset trains", () => {
    const out = join(tmp, "paper-blocked");
    mkdirSync(out);
    writeFileSync(join(out, "gelu"), "not a folder");
    const args = ["paper", "--image", image, "--size", "8x8", "--epochs", "1", "--seeds", "1", "--presets", "relu-sigmoid,gelu", "--backend", "reference"];
    expectRefused(cli(tmp, [...args, "--out", out]), /paper-blocked\/gelu\/seed-0\/run\.json: a part of the path is a file, not a folder/);
    expect(readdirSync(out)).toEqual(["gelu"]);
  });
});

describe("a folder where a file is read is named as a folder", () => {
  it.each([
    ["--config DIR", ["train", "--config", folder, "--out", "o2"], /cannot read the config .*a-folder: it is a folder, not a regular file/],
    ["render DIR", ["render", folder, "--size", "8x8", "--out", "o.png"], /cannot read the model file .*a-folder: it is a folder, not a regular file/],
    [
      "paper --compare DIR",
      ["paper", "--image", image, "--epochs", "1", "--presets", "relu-sigmoid", "--compare", folder, "--out", "o3"],
      /cannot read the comparison file .*a-folder: it is a folder/,
    ],
  ])("%s", (_, args, pattern) => {
    expectRefused(cli(tmp, args), pattern);
  });

  it("loadModel and loadCheckpoint of a folder", () => {
    const r = nodeScript(
      tmp,
      `import { loadCheckpoint, loadModel } from ${JSON.stringify(join(process.cwd(), "dist", "node.js"))};
       for (const read of [loadModel, loadCheckpoint]) {
         try { read(${JSON.stringify(folder)}); console.log("read"); } catch (e) { console.log(e.name + ": " + e.message); }
       }`,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      `ModelFileError: cannot read the model file ${folder}: it is a folder, not a regular file`,
      `ModelFileError: cannot read the checkpoint ${folder}: it is a folder, not a regular file`,
    ]);
  });
});
