/**
 * Issue 17, class 4: no recursion on input. JSON is measured for nesting on its text before it is
 * parsed, wherever it enters (config files, safetensors headers and metadata, comparison files,
 * run records), and configs given as objects are walked without recursion, arrays as well as
 * objects; messages quote values without a recursive `JSON.stringify`. Every case here failed on
 * the main branch before the fix with `Maximum call stack size exceeded` (a RangeError, exit 1).
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fit as train } from "../dist/api/fit.js";
import { applyOverrides, ConfigError, parseConfig } from "../dist/config.js";
import { cli, expectRefused, scratch } from "./hostile-helpers.js";

const tmp = scratch("nesting");
const DEPTH = 10_000;

function nestedArrays(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe("the command line", () => {
  it("a config of 10,000 nested arrays", () => {
    const file = join(tmp, "arrays.json");
    writeFileSync(file, `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`);
    expectRefused(cli(tmp, ["train", "--config", file, "--out", "o1"]), /config is nested more than 64 levels deep/);
  });
});

describe("the library", () => {
  const deep = nestedArrays(DEPTH);
  const image = { width: 2, height: 2, data: new Float32Array(12) };
  it.each([
    ["parseConfig(arrays)", () => parseConfig(deep)],
    ["applyOverrides(arrays, {})", () => applyOverrides(deep, {})],
    ["fit(image, { config: arrays })", () => train(image, { config: deep as never, backend: "reference" })],
  ])("%s is a ConfigError", async (_, f) => {
    let caught: unknown;
    try {
      await f();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toMatch(/^config must be a JSON object, got an array/);
  });
});
