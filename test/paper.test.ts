import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { referenceBackend } from "../dist/backends/reference.js";
import { registerBackend } from "../dist/backends/registry.js";
import { runPaper, snapshotEpochs } from "../dist/experiments/paper.js";
import { decodePNG } from "../dist/image/png.js";
import { lossChart } from "../dist/plot/charts.js";
import { judgeClaims } from "../dist/report/claims.js";
import { parseComparison } from "../dist/report/comparison.js";
import { markdownTable } from "../dist/report/render.js";
import { type PresetStats, separation, spread } from "../dist/report/statistics.js";
import { patternPNG } from "./png-helpers.js";

registerBackend(referenceBackend);
const image = decodePNG(patternPNG(16, 16));
const base = { image, imageSource: "pattern", epochs: 3, backend: "reference", version: "test", presets: ["relu-sigmoid", "gelu", "siren"], seeds: 2 };

it("scales the study's snapshot epochs (10, 50, 100, 200 of 200) to shorter runs", () => {
  expect(snapshotEpochs(200)).toEqual([10, 50, 100, 200]);
  expect(snapshotEpochs(20)).toEqual([1, 5, 10, 20]);
  expect(snapshotEpochs(2)).toEqual([1, 2]);
});

it("an interrupted paper run continues where it stopped and ends like an uninterrupted one", async () => {
  const straight = await runPaper({ ...base, outDir: join(mkdtempSync(join(tmpdir(), "coordnet-paper-")), "a") });
  const dir = join(mkdtempSync(join(tmpdir(), "coordnet-paper-")), "b");
  let looks = 0;
  const first = await runPaper({ ...base, outDir: dir, shouldStop: () => ++looks >= 6 });
  expect(first.status).toBe("interrupted");
  expect(existsSync(join(dir, "report.html"))).toBe(false);
  const actions: string[] = [];
  const second = await runPaper({ ...base, outDir: dir, onPreset: (p, _i, _n, action, seed) => actions.push(`${p.name}:${seed}:${action}`) });
  expect(second.status).toBe("complete");
  expect(actions).toContain("relu-sigmoid:0:skip");
  expect(actions).toHaveLength(6); // 3 presets × 2 seeds
  expect(second.rows.map((r) => `${r.preset.name}:${r.seed}`)).toEqual(["relu-sigmoid:0", "relu-sigmoid:1", "gelu:0", "gelu:1", "siren:0", "siren:1"]);
  expect(actions.some((a) => a.endsWith(":resume"))).toBe(true);
  expect(second.rows.map((r) => r.record.history.map((h) => h.loss))).toEqual(straight.rows.map((r) => r.record.history.map((h) => h.loss)));
  expect(existsSync(join(dir, "report.html"))).toBe(true);
});

it("a checkpoint left by a run at another size (or of other pixels) is not resumed: the run starts afresh", async () => {
  const one = { ...base, presets: ["relu-sigmoid"], seeds: 1 };
  const smaller = decodePNG(patternPNG(8, 8));
  const fresh = await runPaper({ ...one, image: smaller, outDir: join(mkdtempSync(join(tmpdir(), "coordnet-paper-")), "fresh") });
  const dir = join(mkdtempSync(join(tmpdir(), "coordnet-paper-")), "resized");
  let looks = 0;
  expect((await runPaper({ ...one, outDir: dir, shouldStop: () => ++looks >= 3 })).status).toBe("interrupted");
  expect(existsSync(join(dir, "relu-sigmoid", "seed-0", "checkpoint.safetensors"))).toBe(true);
  const actions: string[] = [];
  const rerun = await runPaper({ ...one, image: smaller, outDir: dir, onPreset: (_p, _i, _n, action) => actions.push(action) });
  expect(actions).toEqual(["run"]);
  expect(rerun.rows[0].record.history.map((h) => h.loss)).toEqual(fresh.rows[0].record.history.map((h) => h.loss));
  // same size, other pixels: the checkpoint's image hash tells them apart
  looks = 0;
  const other = join(mkdtempSync(join(tmpdir(), "coordnet-paper-")), "repainted");
  expect((await runPaper({ ...one, image: smaller, outDir: other, shouldStop: () => ++looks >= 3 })).status).toBe("interrupted");
  const repainted = { ...smaller, data: smaller.data.map((v) => 1 - v) };
  const again: string[] = [];
  await runPaper({ ...one, image: repainted, outDir: other, onPreset: (_p, _i, _n, action) => again.push(action) });
  expect(again).toEqual(["run"]);
});

it("a completed run on other pixels (same source and size) is run again, not kept; on the same pixels it is kept", async () => {
  const one = { ...base, presets: ["relu-sigmoid"], seeds: 1 };
  const dir = join(mkdtempSync(join(tmpdir(), "coordnet-paper-")), "repainted-complete");
  const first = await runPaper({ ...one, outDir: dir });
  expect(first.rows[0].record.image.hash).toMatch(/^[0-9a-f]{64}$/);
  const actions: string[] = [];
  await runPaper({ ...one, outDir: dir, onPreset: (_p, _i, _n, action) => actions.push(action) });
  const repainted = { ...base.image, data: base.image.data.map((v) => 1 - v) };
  const rerun = await runPaper({ ...one, image: repainted, outDir: dir, onPreset: (_p, _i, _n, action) => actions.push(action) });
  expect(actions).toEqual(["skip", "run"]);
  expect(rerun.rows[0].record.mse).not.toBe(first.rows[0].record.mse);
});

describe("statistics over seeds", () => {
  it("spread: mean, sample sd (n − 1), min, max; one value has no sd", () => {
    expect(spread([1, 2, 3])).toEqual({ n: 3, mean: 2, sd: 1, min: 1, max: 3 });
    expect(spread([0.5, null])).toEqual({ n: 1, mean: 0.5, sd: null, min: 0.5, max: 0.5 });
    expect(spread([null])).toBeNull();
  });

  it("separation: intervals mean ± sd apart, touching, or no spread to judge by", () => {
    expect(separation(spread([1, 1.1, 0.9]), spread([2, 2.1, 1.9]))).toBe("lower");
    expect(separation(spread([2, 2.1, 1.9]), spread([1, 1.1, 0.9]))).toBe("higher");
    expect(separation(spread([1, 2]), spread([1.5, 2.5]))).toBe("overlap");
    expect(separation(spread([1]), spread([2, 3]))).toBeNull();
  });

  // presets with MSE values per seed, nothing else
  const stats = (mse: Record<string, number[]>): PresetStats[] =>
    Object.entries(mse).map(([name, v]) => ({
      name,
      title: name,
      group: "study",
      seeds: v.map((_, i) => i),
      mse: spread(v),
      psnr: spread(v.map((m) => -10 * Math.log10(m))),
      seconds: 1,
      backend: "reference",
    }));
  const verdicts = (mse: Record<string, number[]>) => judgeClaims(stats(mse)).map((c) => c.verdict);

  it("judges each of the study's four claims against the seed spread", () => {
    // the study's story, with tight spreads: sigmoid a little worse, range ~equal, GELU best plain, positional 5× better
    const study = {
      "relu-sigmoid": [0.0033, 0.0034, 0.0032],
      "relu-linear": [0.003, 0.0031, 0.0029],
      "relu-range11": [0.00335, 0.0033, 0.0034],
      gelu: [0.0026, 0.00265, 0.00255],
      elu: [0.0029, 0.00295, 0.00285],
      tanh: [0.004, 0.0041, 0.0039],
      positional: [0.0005, 0.00052, 0.00048],
    };
    expect(verdicts(study)).toEqual(["supported", "supported", "supported", "supported"]);
    // the opposite story
    const against = {
      ...study,
      "relu-sigmoid": [0.002, 0.0021, 0.0019],
      "relu-range11": [0.004, 0.0041, 0.0039],
      elu: [0.001, 0.0011, 0.0009],
      positional: [0.003, 0.0031, 0.0029],
    };
    expect(verdicts(against)).toEqual(["contradicted", "contradicted", "contradicted", "contradicted"]);
    // spreads as wide as the differences: nothing is shown
    const noisy = Object.fromEntries(Object.keys(study).map((k) => [k, [0.001, 0.005, 0.003]]));
    expect(verdicts(noisy)).toEqual(["not shown", "supported", "not shown", "not shown"]);
    // one seed: no spread, no verdict; a missing preset: not run
    expect(verdicts(Object.fromEntries(Object.entries(study).map(([k, v]) => [k, [v[0]]])))).toEqual(["not shown", "not shown", "not shown", "not shown"]);
    expect(verdicts({ gelu: study.gelu })[0]).toBe("not run");
  });

  it("the table shows mean ± sd and min–max, the study's MSE where known, and marks spreads that differ from the comparison", () => {
    const s = stats({ "relu-sigmoid": [0.01, 0.012, 0.011], gelu: [0.02, 0.021, 0.019], "relu-range11": [0.03, 0.031, 0.029] });
    const compare = parseComparison(
      JSON.stringify({
        label: "PyTorch",
        width: 16,
        height: 16,
        epochs: 3,
        runs: [
          ...[0.0105, 0.0115].map((mse, seed) => ({ name: "relu-sigmoid", seed, mse, psnr: 20 })),
          ...[0.05, 0.051].map((mse, seed) => ({ name: "gelu", seed, mse, psnr: 13 })),
        ],
      }),
      "torch.json",
    );
    const lines = markdownTable(s, compare).split("\n");
    expect(lines[2]).toMatch(
      /^\| relu-sigmoid \(`relu-sigmoid`\) \| 3 \| 0\.01100 ± 0\.00100 \| 0\.01000–0\.01200 \| .* \| 0\.00403 \| .* \| 0\.01100 ± 0\.00071 \| 20\.00 ± 0\.00 \| overlap \|$/,
    );
    expect(lines[3]).toMatch(/\| 0\.00263 \| .*\| \*\*differ\*\* \|$/);
    // the study published no figure for inputs in [−1, 1]; no PyTorch run either
    expect(lines[4]).toMatch(/\| relu-range11 \(`relu-range11`\) \| 3 \| .* \| {2}\| .*\| – \| – \| – \|$/);
  });

  it("parseComparison names the file and what is wrong", () => {
    expect(() => parseComparison("[]", "t.json")).toThrow(/^t\.json: not a JSON object/);
    expect(() =>
      parseComparison(JSON.stringify({ label: "x", width: 0, height: 1, epochs: 1, runs: [{ name: "a", seed: 0, mse: 1, psnr: 0 }] }), "t.json"),
    ).toThrow(/"width" must be a positive integer/);
  });

  it("loss charts draw a band where a preset has several seeds, and none for one", async () => {
    const pts = (seeds: number) =>
      Array.from({ length: seeds }, (_, s) => [1, 2, 3].map((epoch) => ({ series: "gelu", epoch, loss: 0.1 / epoch + 0.01 * s }))).flat();
    expect(await lossChart(pts(3), "t")).toContain("mark-area");
    expect(await lossChart(pts(1), "t")).not.toContain("mark-area");
  });
});
