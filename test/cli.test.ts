import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { drawText } from "../src/image/label.js";
import { decodePNG } from "../src/image/png.js";
import { loadCheckpoint, loadModel } from "../src/io/model-file.js";
import type { RunRecord } from "../src/training/runner.js";
import { chunk, patternPNG } from "./png-helpers.js";

// End-to-end: the built command (bin/coordnet.js → dist/), as a user runs it.
const BIN = join(process.cwd(), "bin", "coordnet.js");
const tmp = mkdtempSync(join(tmpdir(), "coordnet-cli-"));
const run = (...args: string[]): SpawnSyncReturns<string> => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: tmp });
const image = join(tmp, "pattern.png");
const small = ["--image", image, "--width", "16", "--depth", "2", "--batch-size", "64"];

/** one line on stderr, no stack trace */
function expectOneLineError(r: SpawnSyncReturns<string>, pattern: RegExp): void {
  expect(r.status).toBe(2);
  const lines = r.stderr.trim().split("\n");
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

let autoPick = "";

beforeAll(() => {
  writeFileSync(image, patternPNG(16, 12));
  autoPick = /auto picks: (\S+)/.exec(run("info").stdout)?.[1] ?? "";
});

describe("coordnet train", () => {
  const out = join(tmp, "train");
  let record: RunRecord;

  it("trains and writes run.json, model.safetensors, snapshots, final.png and loss.svg", () => {
    const r = run("train", ...small, "--epochs", "3", "--out", out, "--json");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    record = JSON.parse(lines[0]);
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8"))).toEqual(record);
    expect(record.files).toEqual([
      "checkpoint.safetensors",
      "epoch-0001.png",
      "epoch-0002.png",
      "epoch-0003.png",
      "final.png",
      "loss.svg",
      "model.safetensors",
      "run.json",
    ]);
    for (const f of ["epoch-0001.png", "epoch-0002.png", "epoch-0003.png", "final.png"]) expect(decodePNG(readFileSync(join(out, f))).width).toBe(16);
    expect(readFileSync(join(out, "loss.svg"), "utf8")).toMatch(/^<svg[\s\S]*epoch[\s\S]*<\/svg>$/);
    expect(loadModel(join(out, "model.safetensors")).config).toEqual(record.config);
  });

  it("run.json is consistent with its history and with final.png", () => {
    expect(record.status).toBe("complete");
    expect(record.backend.name).toBe(autoPick);
    if (autoPick === "wasm") expect(record.backend.details.threads).toMatch(/^[12]$/);
    else if (autoPick !== "reference") expect(record.backend.details.executor).toMatch(/fused|generic/);
    expect(record.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(record.finalLoss).toBe(record.history[2].loss);
    const mse = record.mse as number;
    expect(record.psnr).toBeCloseTo(10 * Math.log10(1 / mse), 10);
    const epochSeconds = record.history.reduce((s, h) => s + h.seconds, 0);
    expect(Math.abs(record.trainingSeconds - epochSeconds)).toBeLessThan(0.05 + 0.05 * epochSeconds);
    // final.png is the prediction rounded to 8 bits: its MSE against the source is within rounding of run.json's
    const final = decodePNG(readFileSync(join(out, "final.png")));
    const source = decodePNG(readFileSync(image));
    let sum = 0;
    for (let k = 0; k < final.data.length; k++) sum += (final.data[k] - source.data[k]) ** 2;
    expect(Math.abs(sum / final.data.length - mse)).toBeLessThan(2e-3);
  });

  it("--epochs 0 writes the initialised model", () => {
    const dir = join(tmp, "zero");
    const r = run("train", ...small, "--epochs", "0", "--out", dir, "--json");
    expect(r.status).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec.history).toEqual([]);
    expect(rec.finalLoss).toBeNull();
    expect(existsSync(join(dir, "model.safetensors"))).toBe(true);
    expect(existsSync(join(dir, "final.png"))).toBe(true);
  });

  it("prints a one-line summary without --json, and no progress bar in a pipe", () => {
    const r = run("train", ...small, "--epochs", "1", "--out", join(tmp, "plain"));
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toMatch(/^1 epoch on [\w-]+ in [\d.]+ s: loss [\d.e+-]+, MSE [\d.e+-]+, PSNR [\d.]+ dB → /);
  });

  it("Ctrl-C writes a checkpoint and exits 130; --resume finishes bit-identical to an uninterrupted run", async () => {
    // the reference stops mid-epoch, after the current batch
    const args = [
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
    const dir = join(tmp, "interrupted");
    const child = spawn(process.execPath, [BIN, "train", ...args, "--out", dir], { cwd: tmp });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    for (let i = 0; i < 200 && !existsSync(dir); i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGINT");
    expect(await exit).toBe(130);
    expect(stderr).toMatch(/coordnet train --resume/);
    expect(existsSync(join(dir, "checkpoint.safetensors"))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8")).status).toBe("interrupted");
    expect(existsSync(join(dir, "model.safetensors"))).toBe(false);

    const resumed = run("train", "--resume", dir, "--json");
    expect(resumed.status).toBe(0);
    // the final state stays, for `--resume --epochs N`
    expect(loadCheckpoint(join(dir, "checkpoint.safetensors")).position.epoch).toBe(400);
    const straight = join(tmp, "straight");
    expect(run("train", ...args, "--out", straight, "--json").status).toBe(0);
    const a = loadModel(join(dir, "model.safetensors")).weights;
    const b = loadModel(join(straight, "model.safetensors")).weights;
    a.forEach((w, l) => {
      expect(Buffer.from(w.weight.buffer).equals(Buffer.from(b[l].weight.buffer))).toBe(true);
      expect(Buffer.from(w.bias.buffer).equals(Buffer.from(b[l].bias.buffer))).toBe(true);
    });
    const losses = (d: string) => JSON.parse(readFileSync(join(d, "run.json"), "utf8")).history.map((h: { loss: number }) => h.loss);
    expect(losses(dir)).toEqual(losses(straight));
  });
});

describe("coordnet train --backend", () => {
  for (const [backend, mode, executor] of [
    ["gpujs-wasm", "webasm", /^fused-(sync|threaded)$/],
    ["gpujs-cpu", "cpu", /^generic$/],
  ] as const) {
    it(`${backend} trains and records the mode and executor that ran`, () => {
      const r = run("train", ...small, "--epochs", "1", "--backend", backend, "--out", join(tmp, `backend-${backend}`), "--json");
      expect(r.status).toBe(0);
      const rec = JSON.parse(r.stdout) as RunRecord;
      expect(rec.backend.name).toBe(backend);
      expect(rec.backend.details.mode).toBe(mode);
      expect(rec.backend.details.executor).toMatch(executor);
    });
  }

  // issue 18: the hand-written WGSL trainer through the CLI, on whatever adapter answers (CI: SwiftShader)
  it("webgpu trains to the reference's weights from the same seed and records the adapter", (ctx) => {
    const info = run("info").stdout;
    const line = /^\s*webgpu: (.*)$/m.exec(info)?.[1] ?? "not listed";
    if (!line.startsWith("available")) {
      if (process.env.CI === "true") throw new Error(`webgpu must run in CI (SwiftShader): ${line}`);
      console.warn(`  skipping train --backend webgpu: ${line}`);
      ctx.skip();
    }
    const args = [...small, "--epochs", "2", "--lr", "1e-3", "--json"];
    const ran = (backend: string) => {
      const r = run("train", ...args, "--backend", backend, "--out", join(tmp, `same-seed-${backend}`));
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as RunRecord;
    };
    const [gpu, reference] = [ran("webgpu"), ran("reference")];
    expect(gpu.backend.name).toBe("webgpu");
    expect(gpu.backend.details.adapter).toMatch(/\S/);
    expect(gpu.backend.details.mode).toBe("wgsl");
    const [a, b] = ["webgpu", "reference"].map((x) => loadModel(join(tmp, `same-seed-${x}`, "model.safetensors")).weights);
    // 2 epochs of 3 steps in float32, summed in another order: Adam's normalised update turns a
    // gradient's relative error ε (~1e-6) into an update error of about lr·ε, so nearly every weight
    // agrees to 1e-5 (a wrong kernel moves most of them by ~lr = 1e-3); only where a gradient is
    // near zero can the step's sign differ, by at most 2·lr a step (compareBackends' bound for those)
    const steps = 2 * Math.ceil((16 * 12) / 64);
    const diffs: number[] = [];
    a.forEach((w, l) => {
      for (const [x, y] of [
        [w.weight, b[l].weight],
        [w.bias, b[l].bias],
      ])
        for (let k = 0; k < x.length; k++) diffs.push(Math.abs(x[k] - y[k]));
    });
    expect(Math.max(...diffs)).toBeLessThanOrEqual(2 * steps * 1e-3);
    expect(diffs.filter((d) => d > 1e-5).length).toBeLessThanOrEqual(0.01 * diffs.length);
    // and the losses agree to float32 precision
    for (const [e, h] of gpu.history.entries()) expect(Math.abs(h.loss - reference.history[e].loss)).toBeLessThan(1e-5 * reference.history[e].loss + 1e-7);
  });

  it("webasm, the old name of gpujs-wasm, still works and says once that the name changed", () => {
    const r = run("train", ...small, "--epochs", "1", "--backend", "webasm", "--out", join(tmp, "backend-webasm"), "--json");
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as RunRecord).backend.name).toBe("gpujs-wasm");
    expect(r.stderr.trim().split("\n")).toEqual(["coordnet: backend 'webasm' is now called 'gpujs-wasm'; using 'gpujs-wasm'"]);
  });
});

describe("coordnet demo", () => {
  it("trains ReLU and positional encoding from one seed, prints both PSNRs and writes the strip, captioned", () => {
    const out = join(tmp, "demo");
    // 108 pixels wide: room for 18 characters of caption ("positional 23.4 dB")
    const r = run("demo", "--size", "108x16", "--epochs", "3", "--out", out);
    expect(r.status).toBe(0);
    const psnr = [...r.stdout.matchAll(/PSNR (\d+\.\d+) dB/g)].map((m) => Number(m[1]));
    const record = JSON.parse(readFileSync(join(out, "demo.json"), "utf8"));
    expect(record.runs.map((x: { preset: string }) => x.preset)).toEqual(["relu-sigmoid", "positional"]);
    expect(psnr).toEqual(record.runs.map((x: { psnr: number }) => Number(x.psnr.toFixed(2))));
    const strip = decodePNG(readFileSync(join(out, "strip.png")));
    // the panels, then an 11-row caption band (5×7 font at 1 dot a pixel, 2 rows above and below)
    expect([strip.width, strip.height]).toEqual([3 * 108 + 2 * 4, 16 + 11]);
    // the middle panel is the ReLU network's image, as written on its own
    const relu = decodePNG(readFileSync(join(out, "relu.png")));
    const panel = 108 * 3;
    for (let y = 0; y < 16; y++) for (let x = 0; x < panel; x++) expect(strip.data[(y * strip.width + 112) * 3 + x]).toBe(relu.data[y * panel + x]);
    // under each panel its caption, the PSNR as demo.json has it, drawn exactly as drawText draws it
    const captions = ["source", ...record.runs.map((x: { preset: string; psnr: number }, i: number) => `${["ReLU", "positional"][i]} ${x.psnr.toFixed(1)} dB`)];
    for (const [i, caption] of captions.entries()) {
      const expected = { width: 108, height: 11, data: new Float32Array(108 * 11 * 3).fill(1) };
      drawText(expected, caption, 1, 2);
      const band = Array.from({ length: 11 }, (_, y) =>
        Array.from(strip.data.subarray(((16 + y) * strip.width + i * 112) * 3, ((16 + y) * strip.width + i * 112 + 108) * 3)),
      );
      expect(band.flat()).toEqual(Array.from(expected.data));
      expect(band.flat()).toContain(0);
    }
  });
});

// demo writes its four files after two trainings: it holds --out's lock from the start, as
// train, paper and sweep do, so a second demo into the folder is refused before it trains and the
// two runs' files never mix; a folder the run created is removed again if it stops before writing.
describe("coordnet demo's output folder", () => {
  const lock = (dir: string) => join(dir, ".coordnet.lock");
  /** a demo long enough to be running while the test acts on it (stopped by the test) */
  const longDemo = (dir: string) =>
    spawn(process.execPath, [BIN, "demo", "--size", "16x16", "--epochs", "100000", "--out", dir], { cwd: tmp, stdio: "ignore" });
  const waitFor = async (path: string) => {
    for (let i = 0; i < 1200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 25));
  };

  it("refuses a second demo into a running one's --out, naming its PID, before printing anything", async () => {
    const dir = join(tmp, "demo-locked");
    const first = longDemo(dir);
    const exited = new Promise((resolve) => first.on("exit", resolve));
    try {
      await waitFor(lock(dir));
      expect(readFileSync(lock(dir), "utf8")).toBe(`${first.pid} ${hostname()}\n`);
      const second = run("demo", "--size", "16x16", "--epochs", "1", "--out", dir);
      expectOneLineError(second, new RegExp(`^coordnet: .*in use by another coordnet process \\(PID ${first.pid}\\)`));
      expect(second.stdout).toBe("");
      expect(readdirSync(dir)).toEqual([".coordnet.lock"]);
    } finally {
      first.kill("SIGKILL");
      await exited;
    }
  }, 60_000);

  it("stopped before its files are written, it leaves no folder it created, and releases the lock", async () => {
    // two folders deep, neither there yet: both go
    const dir = join(tmp, "demo-stopped", "inner");
    const first = spawn(process.execPath, [BIN, "demo", "--size", "16x16", "--epochs", "100000", "--out", dir], { cwd: tmp });
    let stderr = "";
    first.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => first.on("exit", (code) => resolve(code)));
    await waitFor(lock(dir));
    expect(existsSync(lock(dir))).toBe(true);
    // once it trains (its first line is out), Ctrl-C: exit 130 as for train, one line saying why
    await new Promise((r) => first.stdout.once("data", r));
    first.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr.trim().split("\n").at(-1)).toMatch(/^coordnet: interrupted; .*nothing was written/);
    expect(existsSync(join(tmp, "demo-stopped"))).toBe(false);
  }, 60_000);
});

describe("coordnet render", () => {
  it("renders a trained model at any size; at the training size it reproduces final.png", () => {
    const model = join(tmp, "train", "model.safetensors");
    const big = join(tmp, "big.png");
    const r = run("render", model, "--size", "40x30", "--out", big);
    expect(r.status).toBe(0);
    const img = decodePNG(readFileSync(big));
    expect([img.width, img.height]).toEqual([40, 30]);
    const same = join(tmp, "same.png");
    expect(run("render", model, "--size", "16x12", "--out", same).status).toBe(0);
    expect(readFileSync(same).equals(readFileSync(join(tmp, "train", "final.png")))).toBe(true);
  });
});

describe("coordnet paper", () => {
  const out = join(tmp, "paper");

  it("runs every preset and writes results.json, report.md and a self-contained report.html", () => {
    const r = run("paper", "--image", image, "--epochs", "2", "--size", "16x16", "--seeds", "1", "--backend", "reference", "--out", out);
    expect(r.status).toBe(0);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(results.map((x: { name: string }) => x.name)).toEqual([
      "relu-sigmoid",
      "relu-linear",
      "relu-range11",
      "gelu",
      "elu",
      "tanh",
      "positional",
      "positional-l10",
      "gaussian",
      "siren",
      "sape",
    ]);
    for (const row of results) {
      expect(Number.isFinite(row.psnr)).toBe(true);
      expect(row.backend).toBe("reference");
    }
    const html = readFileSync(join(out, "report.html"), "utf8");
    for (const row of results) expect(html).toContain(row.title.replace(/&/g, "&amp;"));
    expect(html).not.toMatch(/src="(?!data:)/); // every image embedded
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(11); // one loss chart per preset + the combined one
    // the spectral-bias heatmap: written, linked from report.md, inlined in report.html
    expect(html).toContain("<h2>Spectral bias</h2>");
    expect(readFileSync(join(out, "spectrum-image.svg"), "utf8")).toMatch(/^<svg[\s\S]*radial band[\s\S]*<\/svg>$/);
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("![spectral bias](spectrum-image.svg)");
    expect(md).toContain("| preset | seeds | MSE mean ± sd | MSE min–max | PSNR (dB) mean ± sd | PSNR min–max | study's MSE | s / run | backend |");
  });

  it("keeps completed presets when rerun", () => {
    const before = readFileSync(join(out, "gelu", "seed-0", "model.safetensors"));
    const r = run("paper", "--image", image, "--epochs", "2", "--size", "16x16", "--seeds", "1", "--backend", "reference", "--out", out);
    expect(r.status).toBe(0);
    expect((r.stderr.match(/already complete, kept/g) ?? []).length).toBe(11);
    expect(readFileSync(join(out, "gelu", "seed-0", "model.safetensors")).equals(before)).toBe(true);
  });

  // test/fixtures/torch-paper-16x12.json: scripts/torch_paper.py's output for this test's image
  // (patternPNG(16, 12)), 2 epochs, seeds 0 and 1, relu-sigmoid and gelu; made once with PyTorch 1.13
  const fixture = join(process.cwd(), "test", "fixtures", "torch-paper-16x12.json");
  const seeded = join(tmp, "paper-seeds");
  const paperArgs = ["paper", "--image", image, "--epochs", "2", "--presets", "relu-sigmoid,gelu", "--backend", "reference"];

  it("--seeds K trains every preset from seeds 0…K−1, keeps every row, and --compare puts PyTorch beside it", () => {
    const r = run(...paperArgs, "--seeds", "2", "--compare", fixture, "--out", seeded);
    expect(r.stderr).not.toMatch(/coordnet:/);
    expect(r.status).toBe(0);
    const results = JSON.parse(readFileSync(join(seeded, "results.json"), "utf8"));
    expect(results.map((x: { name: string; seed: number }) => `${x.name}:${x.seed}`)).toEqual(["relu-sigmoid:0", "relu-sigmoid:1", "gelu:0", "gelu:1"]);
    for (const row of results) {
      const record = JSON.parse(readFileSync(join(seeded, row.name, `seed-${row.seed}`, "run.json"), "utf8"));
      expect(record.config.training.seed).toBe(row.seed);
      expect(record.mse).toBe(row.mse);
    }
    expect(results[0].mse).not.toBe(results[1].mse); // different seeds, different networks
    const md = readFileSync(join(seeded, "report.md"), "utf8");
    const torch = JSON.parse(readFileSync(fixture, "utf8"));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const torchGelu = torch.runs.filter((x: { name: string }) => x.name === "gelu").map((x: { mse: number }) => x.mse);
    const gelu = md.split("\n").find((l) => l.startsWith("| GELU")) as string;
    expect(gelu).toContain(mean(torchGelu).toFixed(5)); // PyTorch's mean, beside coordnet's
    expect(gelu).toContain(mean(results.slice(2).map((x: { mse: number }) => x.mse)).toFixed(5));
    expect(gelu).toMatch(/\| (overlap|\*\*differ\*\*) \|$/);
    expect(md).toContain("PyTorch 1.13.0a0 MSE mean ± sd");
    expect(md).toContain("## The study's claims");
    const html = readFileSync(join(seeded, "report.html"), "utf8");
    expect(html).toContain("mark-area"); // the loss band over seeds
  });

  it("a rerun keeps the finished (preset, seed) runs and adds the new seeds", () => {
    const before = readFileSync(join(seeded, "gelu", "seed-1", "model.safetensors"));
    const r = run(...paperArgs, "--seeds", "3", "--out", seeded);
    expect(r.status).toBe(0);
    expect(r.stderr.match(/: already complete, kept/g)).toHaveLength(4);
    expect(r.stderr).toMatch(/relu-sigmoid seed 1: already complete, kept/);
    expect(readFileSync(join(seeded, "gelu", "seed-1", "model.safetensors")).equals(before)).toBe(true);
    expect(JSON.parse(readFileSync(join(seeded, "results.json"), "utf8"))).toHaveLength(6);
  });

  it("--compare with a bad file, or one from another size or epoch count, is refused before anything is written", () => {
    const bad = writeTmp("torch-bad.json", JSON.stringify({ label: "x", width: 16, height: 12, epochs: 2, runs: [{ name: "gelu", seed: 0 }] }));
    const cases: [string, RegExp][] = [
      [bad, /runs\[0\] needs .*"mse"/],
      [writeTmp("torch-text.json", "not json"), /not JSON/],
      [join(tmp, "missing.json"), /no such file/],
    ];
    for (const [file, pattern] of cases) {
      const out = join(tmp, "paper-refused");
      expectOneLineError(run(...paperArgs, "--compare", file, "--out", out), pattern);
      expect(existsSync(out)).toBe(false);
    }
    const other = join(tmp, "paper-refused-size");
    expectOneLineError(run(...paperArgs, "--size", "8x6", "--compare", fixture, "--out", other), /ran at 16x12, 2 epochs; this run is 8x6, 2 epochs/);
    expect(existsSync(other)).toBe(false);
  });
});

describe("bad input: one line on stderr, exit code 2, no output written", () => {
  const cases: [string, () => string[], RegExp][] = [
    ["a text file as the image", () => ["--image", writeTmp("notes.png", "just some text")], /not a PNG/],
    ["a truncated PNG", () => ["--image", writeTmp("cut.png", patternPNG(16, 12).subarray(0, 60))], /truncated/],
    ["an image above the pixel limit", () => ["--image", image, "--max-pixels", "100"], /above the limit of 0.0 megapixels|above the limit/],
    ["a huge image header", () => ["--image", writeTmp("huge.png", hugeHeaderPNG())], /100000×100000 .*above the limit/],
    ["a missing image", () => ["--image", join(tmp, "missing.png")], /no such file/],
    ["a zero width", () => ["--width", "0"], /--width.*must be an integer ≥ 1/],
    ["a bad size", () => ["--size", "12by5"], /--size.*WIDTHxHEIGHT/],
    [
      "an invalid config",
      () => ["--config", writeTmp("bad.json", JSON.stringify({ network: { width: -3 } }))],
      /network.width must be an integer from 1 to 4096, got -3/,
    ],
    ["a config that is not JSON", () => ["--config", writeTmp("bad2.json", "{ nope")], /not valid JSON/],
    ["an unknown preset", () => ["--preset", "fancy"], /unknown preset 'fancy'/],
    ["an unknown backend", () => ["--backend", "cuda"], /backend 'cuda' is not available here; available: ([\w-]+, )*reference(, [\w-]+)*$/],
    ["--frequencies without positional encoding", () => ["--frequencies", "4"], /--frequencies applies to --encoding positional/],
    ["an unknown activation", () => ["--activation", "swish"], /swish.*invalid|Allowed choices/],
    [
      "a network too large for the wasm backend's 4 GiB",
      () => ["--size", "256x256", "--backend", "wasm", "--width", "4096", "--depth", "8", "--batch-size", "65536"],
      /the wasm backend cannot hold this network with batches of 65536: it needs \d+\.\d GiB/,
    ],
  ];
  for (const [what, args, pattern] of cases) {
    it(what, () => {
      const out = join(tmp, `bad-${what.replace(/\W+/g, "-")}`);
      const r = run("train", "--epochs", "1", ...args(), "--out", out);
      expectOneLineError(r, pattern);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("a diverging run stops with one line and exit code 1", () => {
    const r = run("train", ...small, "--epochs", "3", "--lr", "1e30", "--output-activation", "none", "--backend", "reference", "--out", join(tmp, "diverged"));
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^coordnet: training diverged in epoch \d+: the loss is (NaN|Infinity); try a lower learning rate \(--lr\)$/);
  });

  it("--resume of a folder without a checkpoint", () => {
    expectOneLineError(run("train", "--resume", tmp), /has no checkpoint.safetensors/);
  });

  it("render of a file that is not a model", () => {
    const out = join(tmp, "never.png");
    expectOneLineError(run("render", image, "--size", "4x4", "--out", out), /not a safetensors file/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("coordnet info and --help", () => {
  it("lists the backends", () => {
    const r = run("info");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/reference: available/);
    expect(r.stdout).toMatch(/auto picks: /);
  });

  it("has --help on every command", () => {
    for (const cmd of ["train", "demo", "paper", "render", "spectrum", "ntk", "info"]) {
      const r = run(cmd, "--help");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Usage: coordnet/);
    }
  });
});

function writeTmp(name: string, data: string | Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, data);
  return path;
}

/** A structurally valid PNG whose header claims 100000×100000 pixels. */
function hugeHeaderPNG(): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, 100000);
  dv.setUint32(4, 100000);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", new Uint8Array(8)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}
