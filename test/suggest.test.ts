import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { didYouMean, suggestion } from "../dist/suggest.js";
import { isOneLineRefusal, runMain } from "./cli-inprocess.js";

// Issue 22, item 8: a misspelt preset, enum value or backend gets "did you mean …?"; a size of the
// right form but impossible numbers says what is wrong with the numbers.

describe("suggestion", () => {
  it("finds the name meant: another case, a typo, a swap; nothing for a different word", () => {
    expect(suggestion("Relu", ["relu", "gelu"])).toBe("relu");
    expect(suggestion("gelo", ["relu", "gelu", "elu"])).toBe("gelu");
    expect(suggestion("gleu", ["relu", "gelu", "elu"])).toBe("gelu");
    expect(suggestion("gausian", ["none", "positional", "gaussian"])).toBe("gaussian");
    expect(suggestion("cuda", ["reference", "wasm", "webgpu"])).toBeNull();
    expect(suggestion("x", ["relu", "elu"])).toBeNull();
    expect(didYouMean("wsam", ["wasm"])).toBe(" (did you mean 'wasm'?)");
    expect(didYouMean(5, ["wasm"])).toBe("");
  });
});

describe("the command line", () => {
  const out = mkdtempSync(join(tmpdir(), "coordnet-suggest-"));
  const cases: [string[], RegExp][] = [
    [["--preset", "gelo"], /unknown preset 'gelo' \(did you mean 'gelu'\?\); available: /],
    [["--activation", "Relu"], /Allowed choices are relu, .* \(did you mean 'relu'\?\)/],
    [["--encoding", "gausian"], /\(did you mean 'gaussian'\?\)/],
    [["--backend", "wsam"], /backend 'wsam' is not available here \(did you mean 'wasm'\?\)/],
    [["--size", "0x0"], /the width and the height must be at least 1 pixel/],
    [["--size", "70000x8"], /the width and the height must be at most 65536 pixels/],
  ];
  for (const [args, pattern] of cases)
    it(`train ${args.join(" ")}: one line, exit 2, the hint`, async () => {
      const o = await runMain("train", ...args, "--epochs", "0", "--out", join(out, "run"));
      expect(isOneLineRefusal(o), JSON.stringify(o)).toBe(true);
      expect(o.stderr).toMatch(pattern);
    });

  it("a config file's misspelt activation", async () => {
    const config = join(out, "config.json");
    writeFileSync(config, JSON.stringify({ network: { activation: "gleu" } }));
    const o = await runMain("train", "--config", config, "--epochs", "0", "--out", join(out, "run"));
    expect(isOneLineRefusal(o), JSON.stringify(o)).toBe(true);
    expect(o.stderr).toMatch(/network\.activation must be one of .*, got "gleu" \(did you mean 'gelu'\?\)/);
    expect(readdirSync(out)).toEqual(["config.json"]);
  });
});
