#!/usr/bin/env node
// npm run bench [-- --quick] [--samples N] [--repeats N] [--backends a,b] [--presets a,b] [--include-software] [--no-cli] [--out DIR]
//
// Times training of the study's network (preset relu-sigmoid: 4×128 ReLU, batch 1024, Adam) and
// of the positional-encoding preset on every backend that runs here, each in a fresh process
// (warm-up epoch excluded, median of the repeats), and in the same run the same workload in
// PyTorch (bench/torch_peer.py with Debian's python3-torch) at 1 and 2 threads. Then the tool as
// a user runs it: `coordnet train --epochs 1` on the default backend and image (512×512, the study's
// network), its epoch time against PyTorch's best. Prints a table and writes
// bench/results/latest.json and latest.md.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { backendNames, probeBackend, registerBackend } from "../dist/backend.js";
import { gpujsCpuBackend, webasmBackend, webgpuBackend } from "../dist/gpu/trainer.js";
import { networkSpec } from "../dist/model.js";
import { loadPreset, PRESET_DIR } from "../dist/presets.js";
import { layerSizes } from "../dist/reference/mlp.js";
import { referenceBackend } from "../dist/reference/trainer.js";
import { wasmBackend } from "../dist/wasm/trainer.js";

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    samples: { type: "string" },
    repeats: { type: "string" },
    backends: { type: "string" },
    presets: { type: "string" },
    "include-software": { type: "boolean", default: false },
    "no-cli": { type: "boolean", default: false },
    out: { type: "string", default: join("bench", "results") },
  },
});
const EPOCH = 262144; // the study's 512×512 image
const samples = Number(opts.samples ?? (opts.quick ? 8192 : 65536));
const repeats = Number(opts.repeats ?? (opts.quick ? 1 : 3));
if (!Number.isInteger(samples / 512) || samples <= 0) throw new Error("--samples must be a positive multiple of 512");
const presets = (opts.presets ?? "relu-sigmoid,positional").split(",");

for (const b of [referenceBackend, wasmBackend, webgpuBackend, webasmBackend, gpujsCpuBackend]) registerBackend(b);
const backends = [];
const skipped = [];
for (const name of opts.backends ? opts.backends.split(",") : backendNames()) {
  const { probe } = await probeBackend(name);
  if (!probe.available) skipped.push(`${name}: ${probe.reason}`);
  else if (name === "webgpu" && probe.autoSkip && !opts["include-software"]) skipped.push(`${name}: ${probe.autoSkip} (add --include-software)`);
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
const rows = [];
const torchRows = [];
let torchNote = null;
const hasTorch = spawnSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" }).status === 0;
if (!hasTorch) torchNote = "PyTorch peer skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch)";

for (const preset of presets) {
  const config = loadPreset(preset).config;
  const flops = flopsPerSample(config);
  for (const backend of backends) {
    process.stderr.write(`bench: ${preset} on ${backend} (${samples} samples × ${repeats})…\n`);
    const out = execFileSync(process.execPath, [join("bench", "worker.mjs"), backend, preset, String(samples), String(repeats)], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    const r = JSON.parse(out.trim().split("\n").pop());
    const s = median(r.seconds);
    rows.push({
      preset,
      backend,
      details: r.details,
      samples,
      repeats,
      secondsMedian: s,
      secondsPerEpoch: (s * EPOCH) / samples,
      samplesPerSecond: samples / s,
      gflops: (flops * samples) / s / 1e9,
      peakRssMB: r.peakRssMB,
    });
  }
  if (hasTorch)
    for (const threads of [1, 2]) {
      process.stderr.write(`bench: ${preset} on PyTorch, ${threads} thread(s)…\n`);
      const out = execFileSync(
        "/usr/bin/python3",
        [join("bench", "torch_peer.py"), join(PRESET_DIR, `${preset}.json`), String(samples), String(repeats), String(threads)],
        { encoding: "utf8" },
      );
      const r = JSON.parse(out.trim().split("\n").pop());
      const s = median(r.seconds);
      torchRows.push({
        preset,
        threads,
        torch: r.torch,
        blas: r.blas,
        samples,
        secondsMedian: s,
        secondsPerEpoch: (s * EPOCH) / samples,
        samplesPerSecond: samples / s,
        gflops: (flops * samples) / s / 1e9,
        peakRssMB: r.peakRssMB,
      });
    }
}

// the tool itself: one epoch of the default training run, as a user types it
let cli = null;
if (!opts["no-cli"]) {
  process.stderr.write("bench: coordnet train --epochs 1 (default backend, built-in 512×512 image)…\n");
  const dir = mkdtempSync(join(tmpdir(), "coordnet-bench-"));
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
  const best = torchRows.filter((t) => t.preset === "relu-sigmoid").reduce((a, b) => (a === null || b.secondsPerEpoch < a.secondsPerEpoch ? b : a), null);
  cli = {
    command: "coordnet train --epochs 1",
    backend: record.backend.name,
    details: record.backend.details,
    epochSeconds: record.history[0].seconds,
    wallSeconds: wall,
    peakRssMB: timed ? Number(readFileSync(join(dir, "rss"), "utf8").trim().split("\n").pop()) / 1024 : undefined,
    ratioToTorchBest: best ? record.history[0].seconds / best.secondsPerEpoch : undefined,
  };
  rmSync(dir, { recursive: true, force: true });
}

for (const row of rows) {
  const peers = torchRows.filter((t) => t.preset === row.preset);
  if (peers.length === 0) continue;
  const best = peers.reduce((a, b) => (b.secondsMedian < a.secondsMedian ? b : a));
  row.ratioToTorchBest = row.secondsMedian / best.secondsMedian;
  row.torchBestThreads = best.threads;
  row.ratioToTorch1 = row.secondsMedian / peers.find((t) => t.threads === 1).secondsMedian;
  row.ratioToTorch2 = row.secondsMedian / peers.find((t) => t.threads === 2).secondsMedian;
}

const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  date: new Date().toISOString(),
};
const command = `npm run bench --${opts.quick ? " --quick" : ""}${opts.samples ? ` --samples ${samples}` : ""}${opts.repeats ? ` --repeats ${repeats}` : ""}`;
const f = (x, d = 2) => (x === undefined ? "–" : x.toFixed(d));
const lines = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GiB, Node ${machine.node}; ${machine.date}. Command: \`${command}\`.`,
  `Each row: ${samples.toLocaleString("en")} samples (batch 1024) per timed epoch, warm-up excluded, median of ${repeats}; s/epoch (512²) = median × ${EPOCH}/${samples}.`,
  "",
  "| preset | backend | executor / threads / BLAS | s/epoch (512²) | samples/s | GFLOP/s | peak RSS (MB) | × PyTorch best | × PyTorch 1 thr | × PyTorch 2 thr |",
  "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map(
    (r) =>
      `| ${r.preset} | ${r.backend} | ${r.details.executor ?? (r.details.threads ? `${r.details.threads} thread${r.details.threads === "1" ? "" : "s"}` : "–")} | ${f(r.secondsPerEpoch)} | ${Math.round(r.samplesPerSecond).toLocaleString("en")} | ${f(r.gflops)} | ${f(r.peakRssMB, 0)} | ${f(r.ratioToTorchBest)} | ${f(r.ratioToTorch1)} | ${f(r.ratioToTorch2)} |`,
  ),
  ...torchRows.map(
    (t) =>
      `| ${t.preset} | PyTorch ${t.torch}, ${t.threads} thread${t.threads > 1 ? "s" : ""} | ${/openblas/.test(t.blas) ? "OpenBLAS" : "generic BLAS"} | ${f(t.secondsPerEpoch)} | ${Math.round(t.samplesPerSecond).toLocaleString("en")} | ${f(t.gflops)} | ${f(t.peakRssMB, 0)} | – | – | – |`,
  ),
  "",
  ...(cli
    ? [
        `The tool: \`${cli.command}\` (default backend: ${cli.backend}, ${cli.details.threads ?? "–"} thread(s); built-in 512×512 image, the study's network): epoch ${f(cli.epochSeconds)} s, ${f(cli.ratioToTorchBest)} × PyTorch's best s/epoch above; the whole command ${f(cli.wallSeconds)} s (start-up, image, snapshot, model and report files included), peak RSS ${f(cli.peakRssMB, 0)} MB.`,
        "",
      ]
    : []),
  ...skipped.map((s) => `- skipped ${s}`),
  ...(torchNote ? [`- ${torchNote}`] : []),
  ...(torchRows.some((t) => !/openblas/.test(t.blas))
    ? ["- PyTorch ran on Debian's generic reference BLAS: `apt-get install libopenblas0-pthread` makes it several times faster (its best is the fair peer)."]
    : []),
];
const markdown = lines.join("\n");
console.log(markdown);
mkdirSync(opts.out, { recursive: true });
writeFileSync(
  join(opts.out, "latest.json"),
  `${JSON.stringify({ machine, command, samples, repeats, rows, torch: torchRows, cli, skipped, torchNote }, null, 2)}\n`,
);
writeFileSync(join(opts.out, "latest.md"), `${markdown}\n`);
