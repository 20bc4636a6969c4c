#!/usr/bin/env node
// npm run bench [-- --quick] [--samples N] [--rounds N] [--repeats N] [--backends a,b] [--presets a,b | study | all] [--include-software] [--no-cli] [--no-tfjs] [--torch-threads 1,2] [--out DIR]
// npm run bench -- --contention [--quick] …: several runs at once on a busy machine (bench/contention.mjs)
//
// Times training of the study's network (preset relu-sigmoid: 4×128 ReLU, batch 1024, Adam) and
// of the positional-encoding preset on every backend that runs here, each in a fresh process
// (warm-up epoch excluded), and in the same run the same workload in
// PyTorch (bench/torch_peer.py with Debian's python3-torch) at 1 and 2 threads and in TensorFlow.js
// 4.22 on its WebAssembly backend (bench/tfjs_peer.mjs: hand-written passes, and
// optimizer.minimize). Then the tool as
// a user runs it: `coordnet train --epochs 1` on the default backend and image (512×512, the study's
// network), its epoch time against PyTorch's best. Prints a table and writes
// bench/results/latest.json and latest.md.
//
// These machines are shared and their speed drifts by 2× over minutes, so the measurements are
// taken in rounds — every backend, PyTorch and the tool once per round, interleaved — and each row
// reports the median over all its timed epochs: a slow spell then lands on every row alike.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
// registers every built-in backend
import { backendNames, probeBackend } from "../dist/backends/index.js";
import { networkSpec } from "../dist/network.js";
import { loadPreset, PAPER_PRESETS } from "../dist/presets.js";

const PRESET_DIR = fileURLToPath(new URL("../presets/", import.meta.url));

import { layerSizes } from "../dist/reference/mlp.js";

if (process.argv.includes("--contention")) {
  const { runContention } = await import("./contention.mjs");
  await runContention(process.argv.slice(2).filter((a) => a !== "--contention"));
  process.exit(0);
}

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    samples: { type: "string" },
    repeats: { type: "string" },
    rounds: { type: "string" },
    backends: { type: "string" },
    presets: { type: "string" },
    "include-software": { type: "boolean", default: false },
    "no-cli": { type: "boolean", default: false },
    // tfjs's optimizer.minimize takes ~10× coordnet's epoch: at full size it alone doubles a run
    "no-tfjs": { type: "boolean", default: false },
    // PyTorch's thread counts: all of its process's CPU threads (bench/torch_peer.py: OpenBLAS's
    // threads, torch's intra-op pool at one; measured, 2 × 2 oversubscribes 2 cores 3–4×)
    "torch-threads": { type: "string", default: "1,2" },
    out: { type: "string", default: join("bench", "results") },
  },
});
const EPOCH = 262144; // the study's 512×512 image
const samples = Number(opts.samples ?? (opts.quick ? 8192 : 65536));
const repeats = Number(opts.repeats ?? 1);
const rounds = Number(opts.rounds ?? (opts.quick ? 1 : 3));
if (!Number.isInteger(repeats) || repeats < 1 || !Number.isInteger(rounds) || rounds < 1) throw new Error("--repeats and --rounds must be positive integers");
if (!Number.isInteger(samples / 512) || samples <= 0) throw new Error("--samples must be a positive multiple of 512");
// --presets study: the study's seven rows (group "study"); --presets all: every preset `coordnet paper` runs
const STUDY_PRESETS = PAPER_PRESETS.filter((p) => loadPreset(p).group === "study");
const torchThreads = opts["torch-threads"].split(",").map(Number);
if (!torchThreads.every((t) => Number.isInteger(t) && t >= 1)) throw new Error("--torch-threads must list positive integers");
const presets = opts.presets === "study" ? STUDY_PRESETS : opts.presets === "all" ? [...PAPER_PRESETS] : (opts.presets ?? "relu-sigmoid,positional").split(",");

const backends = [];
const skipped = [];
for (const name of opts.backends ? opts.backends.split(",") : backendNames()) {
  const { probe } = await probeBackend(name);
  if (!probe.available) skipped.push(`${name}: ${probe.reason}`);
  else if (/webgpu|webgl2/.test(name) && probe.autoSkip && !opts["include-software"]) skipped.push(`${name}: ${probe.autoSkip} (add --include-software)`);
  else if (name === "gpujs-cpu" && opts.quick && !opts.backends) skipped.push(`${name}: left out of --quick (a mode for checking kernels)`);
  else backends.push(name);
}

/** multiply-adds per sample of one training step: forward, weight gradients, input gradients below the first layer */
function flopsPerSample(config) {
  const sizes = layerSizes(networkSpec(config));
  let macs = 0;
  for (let l = 0; l + 1 < sizes.length; l++) macs += sizes[l] * sizes[l + 1];
  return 2 * (3 * macs - sizes[0] * sizes[1]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let torchNote = null;
const hasTorch = spawnSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" }).status === 0;
if (!hasTorch) torchNote = "PyTorch peer skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch)";

/** One backend's epochs on one preset, in a fresh process. */
function measureBackend(preset, backend) {
  const out = execFileSync(process.execPath, [join("bench", "worker.mjs"), backend, preset, String(samples), String(repeats)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").pop());
}

/** PyTorch's epochs on one preset at `threads` threads. */
function measureTorch(preset, threads) {
  const out = execFileSync(
    "/usr/bin/python3",
    [join("bench", "torch_peer.py"), join(PRESET_DIR, `${preset}.json`), String(samples), String(repeats), String(threads)],
    { encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").pop());
}

const TFJS_MODES = ["manual", "minimize"];

/** TensorFlow.js's epochs on one preset (wasm backend), in a fresh process; null where it cannot run. */
function measureTfjs(preset, mode) {
  const r = spawnSync(process.execPath, [join("bench", "tfjs_peer.mjs"), preset, String(samples), String(repeats), mode], { encoding: "utf8" });
  if (r.status !== 0) {
    tfjsNote = `tfjs peer skipped: ${
      r.stderr
        .trim()
        .split("\n")
        .find((l) => /Error/.test(l)) ?? "it failed"
    }`;
    return null;
  }
  return JSON.parse(r.stdout.trim().split("\n").pop());
}
let tfjsNote = opts["no-tfjs"] ? "tfjs peer left out (--no-tfjs)" : null;

/** One epoch of the default training run, as a user types it: `coordnet train --epochs 1`. */
function measureCli() {
  const dir = mkdtempSync(join(tmpdir(), "coordnet-bench-"));
  try {
    // GNU time reports the peak resident memory of the whole command where it is installed
    const timed = existsSync("/usr/bin/time");
    const args = [join("bin", "coordnet.js"), "train", "--epochs", "1", "--json", "--out", join(dir, "run")];
    const t0 = performance.now();
    const r = timed
      ? spawnSync("/usr/bin/time", ["-f", "%M", "-o", join(dir, "rss"), process.execPath, ...args], { encoding: "utf8" })
      : spawnSync(process.execPath, args, { encoding: "utf8" });
    const wall = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`coordnet train failed: ${r.stderr.trim()}`);
    const record = JSON.parse(r.stdout.trim().split("\n").pop());
    const rss = timed ? Number(readFileSync(join(dir, "rss"), "utf8").trim().split("\n").pop()) / 1024 : undefined;
    return { backend: record.backend.name, details: record.backend.details, epoch: record.history[0].seconds, wall, rss };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// rounds: every measurement once per round, interleaved
const runs = new Map(); // key → { seconds: [], last result }
const collect = (key, result, seconds) => {
  const entry = runs.get(key) ?? { seconds: [], result };
  entry.seconds.push(...seconds);
  entry.cpuSeconds = [...(entry.cpuSeconds ?? []), ...(result.cpuSeconds ?? [])];
  entry.result = result;
  entry.peakRssMB = Math.max(entry.peakRssMB ?? 0, result.peakRssMB ?? result.rss ?? 0);
  runs.set(key, entry);
};
for (let round = 1; round <= rounds; round++) {
  for (const preset of presets) {
    for (const backend of backends) {
      process.stderr.write(`bench [round ${round}/${rounds}]: ${preset} on ${backend} (${samples} samples × ${repeats})…\n`);
      const r = measureBackend(preset, backend);
      collect(`${preset}|${backend}`, r, r.seconds);
    }
    if (hasTorch)
      for (const threads of torchThreads) {
        process.stderr.write(`bench [round ${round}/${rounds}]: ${preset} on PyTorch, ${threads} thread(s)…\n`);
        const r = measureTorch(preset, threads);
        collect(`${preset}|torch${threads}`, r, r.seconds);
      }
    for (const mode of TFJS_MODES) {
      if (tfjsNote) break;
      process.stderr.write(`bench [round ${round}/${rounds}]: ${preset} on tfjs-wasm (${mode})…\n`);
      const r = measureTfjs(preset, mode);
      if (r) collect(`${preset}|tfjs-${mode}`, r, r.seconds);
    }
  }
  if (!opts["no-cli"]) {
    process.stderr.write(`bench [round ${round}/${rounds}]: coordnet train --epochs 1 (default backend, built-in 512×512 image)…\n`);
    const r = measureCli();
    collect("cli", r, [r.epoch]);
    runs.get("cli").walls = [...(runs.get("cli").walls ?? []), r.wall];
  }
}

const rows = [];
const torchRows = [];
const tfjsRows = [];
for (const preset of presets) {
  const flops = flopsPerSample(loadPreset(preset).config);
  const stats = (entry) => {
    const s = median(entry.seconds);
    return {
      samples,
      epochsTimed: entry.seconds.length,
      secondsMedian: s,
      // CPU time of all the runner's threads (the work, whatever share of a busy machine it got)
      cpuSecondsPerEpoch: entry.cpuSeconds.length > 0 ? (median(entry.cpuSeconds) * EPOCH) / samples : undefined,
      secondsPerEpoch: (s * EPOCH) / samples,
      samplesPerSecond: samples / s,
      gflops: (flops * samples) / s / 1e9,
      peakRssMB: entry.peakRssMB,
    };
  };
  for (const backend of backends) {
    const entry = runs.get(`${preset}|${backend}`);
    rows.push({ preset, backend, details: entry.result.details, ...stats(entry) });
  }
  if (hasTorch)
    for (const threads of torchThreads) {
      const entry = runs.get(`${preset}|torch${threads}`);
      torchRows.push({ preset, threads, torch: entry.result.torch, blas: entry.result.blas, ...stats(entry) });
    }
  for (const mode of TFJS_MODES) {
    const entry = runs.get(`${preset}|tfjs-${mode}`);
    if (entry) tfjsRows.push({ preset, mode, tfjs: entry.result.tfjs, threads: entry.result.threads, ...stats(entry) });
  }
}

let cli = null;
if (runs.has("cli")) {
  const entry = runs.get("cli");
  const fastest = (peers) =>
    peers.filter((t) => t.preset === "relu-sigmoid").reduce((a, b) => (a === null || b.secondsPerEpoch < a.secondsPerEpoch ? b : a), null);
  const best = fastest(torchRows);
  const bestTfjs = fastest(tfjsRows);
  const epochSeconds = median(entry.seconds);
  cli = {
    command: "coordnet train --epochs 1",
    backend: entry.result.backend,
    details: entry.result.details,
    epochSeconds,
    epochs: entry.seconds,
    wallSeconds: median(entry.walls),
    peakRssMB: entry.peakRssMB || undefined,
    ratioToTorchBest: best ? epochSeconds / best.secondsPerEpoch : undefined,
    ratioToTfjsBest: bestTfjs ? epochSeconds / bestTfjs.secondsPerEpoch : undefined,
  };
}

for (const row of rows) {
  const tfjsPeers = tfjsRows.filter((t) => t.preset === row.preset);
  if (tfjsPeers.length > 0) row.ratioToTfjsBest = row.secondsMedian / Math.min(...tfjsPeers.map((t) => t.secondsMedian));
  const peers = torchRows.filter((t) => t.preset === row.preset);
  if (peers.length === 0) continue;
  const best = peers.reduce((a, b) => (b.secondsMedian < a.secondsMedian ? b : a));
  row.ratioToTorchBest = row.secondsMedian / best.secondsMedian;
  row.torchBestThreads = best.threads;
  const cpuBest = Math.min(...peers.map((t) => t.cpuSecondsPerEpoch ?? Number.POSITIVE_INFINITY));
  if (row.cpuSecondsPerEpoch !== undefined && Number.isFinite(cpuBest)) row.cpuRatioToTorchBest = row.cpuSecondsPerEpoch / cpuBest;
  const atThreads = (n) => peers.find((t) => t.threads === n);
  if (atThreads(1)) row.ratioToTorch1 = row.secondsMedian / atThreads(1).secondsMedian;
  if (atThreads(2)) row.ratioToTorch2 = row.secondsMedian / atThreads(2).secondsMedian;
}

// The whole study at 512² (its seven presets, their own epochs, one seed), projected from each
// runner's seconds per epoch in this run: only where every one of them was measured.
const study = [];
const studyEpochs = (preset) => loadPreset(preset).config.training.epochs;
if (STUDY_PRESETS.every((p) => presets.includes(p))) {
  const total = (perEpoch) => STUDY_PRESETS.reduce((sum, p) => sum + perEpoch(p) * studyEpochs(p), 0);
  // wall time, and CPU time (all threads) where the runners reported it, each from its own row per preset
  const project = (runner, wallOf, cpuOf = wallOf) => {
    const seconds = total((p) => wallOf(p)?.secondsPerEpoch ?? Number.NaN);
    const cpuSeconds = total((p) => cpuOf(p)?.cpuSecondsPerEpoch ?? Number.NaN);
    if (Number.isFinite(seconds)) study.push({ runner, seconds, cpuSeconds: Number.isFinite(cpuSeconds) ? cpuSeconds : undefined });
  };
  for (const backend of backends) project(backend, (p) => rows.find((r) => r.preset === p && r.backend === backend));
  // PyTorch's row with the least of `key` per preset: the wall-fastest thread count for the wall
  // time, the one with the least CPU seconds for the CPU time (the CPU table's "least"; more
  // threads can be faster by the clock and cost more CPU)
  const least = (key) => (p) =>
    torchRows.filter((t) => t.preset === p).reduce((a, b) => ((b[key] ?? Number.POSITIVE_INFINITY) < (a[key] ?? Number.POSITIVE_INFINITY) ? b : a));
  if (torchRows.length > 0) project(`PyTorch, best of ${torchThreads.join(" and ")} thread(s)`, least("secondsPerEpoch"), least("cpuSecondsPerEpoch"));
}

const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  date: new Date().toISOString(),
};
const command = `npm run bench --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(" ")}` : ""}`;
const f = (x, d = 2) => (x === undefined ? "–" : x.toFixed(d));
const lines = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GiB, Node ${machine.node}; ${machine.date}. Command: \`${command}\`.`,
  `Each row: ${samples.toLocaleString("en")} samples (batch 1024) per timed epoch, warm-up excluded; ${rounds} round(s) × ${repeats} epoch(s), interleaved, median; s/epoch (512²) = median × ${EPOCH}/${samples}.`,
  "",
  "| preset | backend | executor / threads / BLAS | s/epoch (512²) | samples/s | GFLOP/s | peak RSS (MB) | × PyTorch best | × PyTorch 1 thr | × PyTorch 2 thr | × tfjs-wasm best |",
  "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map(
    (r) =>
      `| ${r.preset} | ${r.backend} | ${r.details.executor ?? (r.details.threads ? `${r.details.threads} thread${r.details.threads === "1" ? "" : "s"}` : "–")} | ${f(r.secondsPerEpoch)} | ${Math.round(r.samplesPerSecond).toLocaleString("en")} | ${f(r.gflops)} | ${f(r.peakRssMB, 0)} | ${f(r.ratioToTorchBest)} | ${f(r.ratioToTorch1)} | ${f(r.ratioToTorch2)} | ${f(r.ratioToTfjsBest)} |`,
  ),
  ...torchRows.map(
    (t) =>
      `| ${t.preset} | PyTorch ${t.torch}, ${t.threads} thread${t.threads > 1 ? "s" : ""} | ${/openblas/.test(t.blas) ? `OpenBLAS × ${t.threads}` : "generic BLAS"} | ${f(t.secondsPerEpoch)} | ${Math.round(t.samplesPerSecond).toLocaleString("en")} | ${f(t.gflops)} | ${f(t.peakRssMB, 0)} | – | – | – | – |`,
  ),
  ...tfjsRows.map(
    (t) =>
      `| ${t.preset} | tfjs ${t.tfjs} wasm, ${t.mode === "manual" ? "hand-written passes" : "optimizer.minimize"} | ${t.threads} thread${t.threads > 1 ? "s" : ""}, XNNPACK | ${f(t.secondsPerEpoch)} | ${Math.round(t.samplesPerSecond).toLocaleString("en")} | ${f(t.gflops)} | ${f(t.peakRssMB, 0)} | – | – | – | – |`,
  ),
  ...(rows.some((r) => r.cpuRatioToTorchBest !== undefined)
    ? [
        "",
        "CPU time per epoch (all of a runner's threads, scaled to 512²; on a machine busy with other work this is the work done, where wall time is the share of the CPU each got):",
        "",
        "| preset | backend | CPU s/epoch (512²) | PyTorch's least CPU s/epoch | × PyTorch (CPU time) |",
        "| --- | --- | ---: | ---: | ---: |",
        ...rows
          .filter((r) => r.cpuRatioToTorchBest !== undefined)
          .map(
            (r) =>
              `| ${r.preset} | ${r.backend} | ${f(r.cpuSecondsPerEpoch)} | ${f(r.cpuSecondsPerEpoch / r.cpuRatioToTorchBest)} | ${f(r.cpuRatioToTorchBest)} |`,
          ),
      ]
    : []),
  "",
  ...(cli
    ? [
        `The tool: \`${cli.command}\` (default backend: ${cli.backend}, ${cli.details.threads ?? "–"} thread(s); built-in 512×512 image, the study's network): epoch ${f(cli.epochSeconds)} s (median of ${cli.epochs.length}: ${cli.epochs.map((x) => f(x)).join(", ")}), ${f(cli.ratioToTorchBest)} × PyTorch's best and ${f(cli.ratioToTfjsBest)} × tfjs-wasm's best s/epoch above; the whole command ${f(cli.wallSeconds)} s (start-up, image, snapshot, model and report files included), peak RSS ${f(cli.peakRssMB, 0)} MB.`,
        "",
      ]
    : []),
  ...(study.length > 0
    ? [
        `The whole study at 512² (${STUDY_PRESETS.join(", ")}; ${[...new Set(STUDY_PRESETS.map(studyEpochs))].join("/")} epochs each, one seed), projected from the s/epoch above: ${study.map((x) => `${x.runner} ${(x.seconds / 60).toFixed(1)} min${x.cpuSeconds === undefined ? "" : ` (${(x.cpuSeconds / 60).toFixed(1)} CPU-min)`}`).join("; ")}.`,
        "",
      ]
    : []),
  ...skipped.map((s) => `- skipped ${s}`),
  ...(torchNote ? [`- ${torchNote}`] : []),
  ...(tfjsNote ? [`- ${tfjsNote}`] : []),
  ...(torchRows.some((t) => !/openblas/.test(t.blas))
    ? ["- PyTorch ran on Debian's generic reference BLAS: `apt-get install libopenblas0-pthread` makes it several times faster (its best is the fair peer)."]
    : []),
];
const markdown = lines.join("\n");
console.log(markdown);
mkdirSync(opts.out, { recursive: true });
writeFileSync(
  join(opts.out, "latest.json"),
  `${JSON.stringify({ machine, command, samples, rounds, repeats, rows, torch: torchRows, tfjs: tfjsRows, study, cli, skipped, torchNote, tfjsNote }, null, 2)}\n`,
);
writeFileSync(join(opts.out, "latest.md"), `${markdown}\n`);
