/**
 * Issue 17, class 3: error lines stay short. A value quoted in a message is cut with "…", a list
 * of problems is capped with a count of the rest, and every CoordnetError is one line of at most
 * MAX_MESSAGE_LENGTH characters — on the command line and in the library. Every case here failed
 * on the main branch before the fix (a 900 kB or 5 MB line; a 35 MB line for a million keys).
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Model } from "../dist/api/model.js";
import { parseConfig } from "../dist/config.js";
import { CoordnetError, MAX_MESSAGE_LENGTH } from "../dist/errors.js";
import { encodeSafeTensors } from "../dist/io/safetensors.js";
import { loadPreset } from "../dist/presets.js";
import { cli, expectRefused, scratch } from "./hostile-helpers.js";

const tmp = scratch("lines");
const huge = "x".repeat(5_000_000);

/** The rejection of `f`: a CoordnetError of one line within the limit. */
async function rejection(f: () => unknown): Promise<string> {
  let caught: unknown;
  try {
    await f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CoordnetError);
  const message = (caught as Error).message;
  expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
  expect(message).not.toMatch(/\n/);
  return message;
}

describe("the command line", () => {
  it("a config holding a 900 kB string", () => {
    const file = join(tmp, "long-string.json");
    writeFileSync(file, JSON.stringify({ network: { activation: "x".repeat(900_000) } }));
    expectRefused(cli(tmp, ["train", "--config", file, "--out", "o1"]), /network\.activation .*got "xxxx.*…/);
  });

  it("a config with 5,000 unknown keys: five named and a count", () => {
    const file = join(tmp, "many-keys.json");
    writeFileSync(file, JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 0]))));
    expectRefused(cli(tmp, ["train", "--config", file, "--out", "o2"]), /config has unknown keys "k0", "k1", "k2", "k3", "k4" and 4995 more/);
  });

  it("a config with 60,000 keys (a 900 kB file): refused by count before the schema lists them", () => {
    const file = join(tmp, "more-keys.json");
    writeFileSync(file, JSON.stringify(Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, 0]))));
    expectRefused(cli(tmp, ["train", "--config", file, "--out", "o2"]), /config holds more than 10000 keys and values/);
  });

  it("a 100 kB preset name", () => {
    expectRefused(cli(tmp, ["train", "--preset", "p".repeat(100_000), "--out", "o3"]), /unknown preset 'p+…'; available: elu, gaussian/);
  });

  it("a 100 kB value for a numeric flag", () => {
    expectRefused(cli(tmp, ["train", "--width", "9".repeat(100_000), "--out", "o4"]), /--width/);
  });
});

describe("the library", () => {
  it("parseConfig with a 5 MB string", async () => {
    expect(await rejection(() => parseConfig({ network: { activation: huge } }))).toMatch(/network\.activation .*got "x+…/);
  });

  it("parseConfig with a million unknown keys: refused by count, at once", async () => {
    const many = Object.fromEntries(Array.from({ length: 1_000_000 }, (_, i) => [`k${i}`, 0]));
    expect(await rejection(() => parseConfig(many))).toMatch(/more than 10000 keys and values/);
  });

  it("loadPreset with a 5 MB name", async () => {
    expect(await rejection(() => loadPreset(huge))).toMatch(/^unknown preset 'x+…'; available: /);
  });

  it("a model file with a 5 MB tensor name", async () => {
    const bytes = encodeSafeTensors(new Map([[huge, { shape: [1], data: new Float32Array(1) }]]), { config: "{}" });
    // the shape written as a string: a malformed tensor whose name the message quotes
    const text = Buffer.from(bytes).toString("latin1").replace('"shape":[1]', '"shape":"1"  ');
    expect(await rejection(() => Model.fromSafetensors(Buffer.from(text, "latin1")))).toMatch(/tensor "?x+…/);
  });
});
