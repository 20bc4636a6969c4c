import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { judgeClaims } from "../dist/report/claims.js";
import { presetStats } from "../dist/report/statistics.js";
import { studyVerdicts } from "../dist/report/study.js";
import { type Outcome, runMain } from "./cli-inprocess.js";
import { patternPNG } from "./png-helpers.js";

// The command line's --holdout (train, paper) and sweep, run in this process from dist/.
const tmp = mkdtempSync(join(tmpdir(), "coordnet-holdout-cli-"));
const image = join(tmp, "pattern.png");
writeFileSync(image, patternPNG(16, 12));
const small = ["--image", image, "--width", "8", "--depth", "1", "--batch-size", "32", "--backend", "reference"];

/** one line on stderr starting `coordnet:`, exit code 2, no stack */
function expectUsage(r: Outcome, pattern: RegExp): void {
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^coordnet: /);
  expect(lines[0]).toMatch(pattern);
}

describe("coordnet train --holdout", () => {
  const out = join(tmp, "every-other");

  it("reports train and test PSNR and records them in run.json", async () => {
    const r = await runMain("train", ...small, "--epochs", "2", "--holdout", "every-other", "--out", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/train MSE .*, PSNR [\d.]+ dB; test \(held-out\) MSE .*, PSNR [\d.]+ dB/);
    const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
    expect(record.holdout).toEqual({ setting: "every-other", trainPixels: 48, testPixels: 144 });
    expect(record.testPsnr).toBeTypeOf("number");
    expect(record.testMse).toBeTypeOf("number");
  });

  const bad: [string, RegExp][] = [
    ["1.5", /--holdout .*'1\.5' is invalid\. a fraction of the pixels must be above 0 and below 1/],
    ["0", /above 0 and below 1/],
    ["-0.2", /above 0 and below 1/],
    ["nope", /'nope' is invalid\. must be every-other or a fraction of the pixels in \(0, 1\), e\.g\. 0\.1 \(add/],
    ["every_other", /\(did you mean 'every-other'\?\)/],
    ["", /must be every-other or a fraction/],
  ];
  for (const [value, pattern] of bad)
    it(`--holdout ${JSON.stringify(value)} is one line, exit 2, nothing written`, async () => {
      const dir = join(tmp, `bad-${value.replace(/\W/g, "_")}`);
      expectUsage(await runMain("train", ...small, "--epochs", "1", "--holdout", value, "--out", dir), pattern);
      expect(existsSync(dir)).toBe(false);
    });

  it("--resume keeps the run's split; another --holdout is refused by name", async () => {
    const dir = join(tmp, "resume");
    expect((await runMain("train", ...small, "--epochs", "1", "--holdout", "0.25", "--out", dir)).code).toBe(0);
    const before = readFileSync(join(dir, "run.json"), "utf8");
    for (const other of ["0.3", "every-other"])
      expectUsage(
        await runMain("train", "--resume", dir, "--epochs", "2", "--holdout", other),
        new RegExp(`conflict with its checkpoint: --holdout ${other}$`),
      );
    expect(readFileSync(join(dir, "run.json"), "utf8")).toBe(before);
    // the same value, or none, continues on the same pixels
    const resumed = await runMain("train", "--resume", dir, "--epochs", "2", "--holdout", "0.25");
    expect(resumed.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8")).holdout).toEqual({ setting: 0.25, trainPixels: 144, testPixels: 48 });
  });
});

describe("coordnet paper --holdout", () => {
  it("adds the generalisation table and results.json's test PSNR", async () => {
    const out = join(tmp, "paper");
    const r = await runMain(
      "paper",
      "--image",
      image,
      "--epochs",
      "1",
      "--seeds",
      "2",
      "--presets",
      "relu-sigmoid,positional",
      "--holdout",
      "every-other",
      "--backend",
      "wasm",
      "--out",
      out,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/relu-sigmoid +PSNR [\d.]+ ± [\d.]+ dB \(test [\d.]+ ± [\d.]+ dB\)/);
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("## Generalisation: held-out pixels");
    expect(md).toMatch(/\| ReLU \+ sigmoid \(`relu-sigmoid`\) \| [\d.]+ ± [\d.]+ \| [\d.]+ ± [\d.]+ \| -?[\d.]+ ± [\d.]+ \|/);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("<h2>Generalisation: held-out pixels</h2>");
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(results).toHaveLength(4);
    for (const row of results) expect(row.testPsnr).toBeTypeOf("number");
  });
});

describe("coordnet sweep", () => {
  it("trains each σ with held-out pixels and writes sweep.json, sweep.svg and sweep.html", async () => {
    const out = join(tmp, "sweep");
    const r = await runMain("sweep", "--image", image, "--epochs", "2", "--sigma", "1,10", "--backend", "wasm", "--out", out);
    expect(r.code).toBe(0);
    const sweep = JSON.parse(readFileSync(join(out, "sweep.json"), "utf8"));
    expect(sweep.holdout).toBe("every-other");
    expect(sweep.points.map((p: { sigma: number }) => p.sigma)).toEqual([1, 10]);
    for (const p of sweep.points) {
      const run = JSON.parse(readFileSync(join(out, p.dir, "run.json"), "utf8"));
      expect(run.config.encoding.sigma).toBe(p.sigma);
      expect(p.testPsnr).toBe(run.testPsnr);
      expect(p.trainPsnr).toBe(run.psnr);
    }
    const top = sweep.points.reduce((a: { testPsnr: number }, b: { testPsnr: number }) => (b.testPsnr > a.testPsnr ? b : a));
    expect(sweep.best).toEqual({ sigma: top.sigma, testPsnr: top.testPsnr, interior: false });
    expect(readFileSync(join(out, "sweep.svg"), "utf8")).toMatch(/^<svg/);
    expect(readFileSync(join(out, "sweep.html"), "utf8")).toContain("σ = 10");
  });

  it("refuses a bad σ list or a preset without Gaussian features in one line, before writing", async () => {
    const out = join(tmp, "sweep-bad");
    expectUsage(await runMain("sweep", "--image", image, "--sigma", "1,x", "--out", out), /--sigma .*comma-separated list of numbers > 0/);
    expectUsage(await runMain("sweep", "--image", image, "--sigma", "1,1", "--out", out), /lists a σ more than once/);
    expectUsage(await runMain("sweep", "--image", image, "--preset", "positional", "--out", out), /a σ sweep needs a gaussian one/);
    expectUsage(await runMain("sweep", "--image", image, "--holdout", "2", "--out", out), /above 0 and below 1/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("the study's own figures in the claims table", () => {
  const figures = { "relu-sigmoid": 0.00403014, "relu-linear": 0.003259, gelu: 0.0026303, elu: 0.00400449, tanh: 0.00426288, positional: 0.00091497 };

  it("judges the four claims in the report's order", () => {
    const claims = judgeClaims(presetStats([]));
    const study = studyVerdicts(figures);
    expect(study).toHaveLength(claims.length);
    for (const [i, v] of study.entries()) expect(claims[i].claim).toContain(v.about);
  });

  it("reads the published figures: sigmoid ×1.24, no [−1,1] figure, GELU lowest, positional 2.87×", () => {
    expect(studyVerdicts(figures).map((v) => v.verdict)).toEqual(["supported", "no figure", "supported", "supported"]);
    expect(studyVerdicts(figures)[0].detail).toContain("×1.24");
    expect(studyVerdicts(figures)[3].detail).toContain("2.87× lower");
    // the same reading turns when the figures do
    expect(studyVerdicts({ ...figures, tanh: 0.001 }).map((v) => v.verdict)).toEqual(["supported", "no figure", "contradicted", "contradicted"]);
  });
});
