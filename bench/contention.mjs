// npm run bench -- --contention [--quick] [--seconds S] [--samples N] [--backend NAME] [--presets a,b | study | all] [--torch-threads 1,2] [--out DIR]
//
// coordnet on a busy machine: the study's network (preset relu-sigmoid: 4×128 ReLU, batch 1024,
// Adam) trained by one, two and three processes at once, and by one process beside a CPU-bound
// `yes > /dev/null`; each run's seconds per epoch (at 512², the study's image) against one run
// alone. PyTorch (bench/torch_peer.py, Debian's python3-torch) measured the same way, in the same
// bench. Targets (issue 10): two runs each keep ≥ 40% of solo speed; three runs each ≥ 25%; beside
// `yes`, ≤ 1.5 × PyTorch's best under the same load.
//
// How: every process of a scenario starts at once and trains (after a warm-up epoch) until the
// same deadline, stamping each epoch's wall-clock start and end; only the epochs that lie wholly
// inside the window where all of them were training are counted (median per run). coordnet runs
// in bench/worker.mjs (the trainer's epoch loop that `coordnet train` runs, without its file
// writing), on its default thread count; PyTorch at the thread count that was faster alone, and
// beside `yes` at both 1 and 2 threads (its best counts). --presets runs all of that per preset,
// one after another (default: relu-sigmoid; the targets hold for every preset). Writes
// bench/results/contention.json and contention.md.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, openSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadPreset, PAPER_PRESETS } from "../dist/presets.js";

const PRESET_DIR = fileURLToPath(new URL("../presets/", import.meta.url));

const EPOCH = 262144; // the study's 512×512 image

/** Run the contention bench with these command-line arguments (without `--contention`). */
export async function runContention(argv) {
  const { values: opts } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      seconds: { type: "string" },
      samples: { type: "string" },
      backend: { type: "string", default: "wasm" },
      preset: { type: "string" },
      presets: { type: "string" },
      // PyTorch's thread counts alone and beside yes (its best counts): 1,2 unless told
      "torch-threads": { type: "string" },
      out: { type: "string", default: join("bench", "results") },
    },
  });
  // --quick: a 512×64 strip of the image and short windows (checks the bench runs, not the targets)
  const samples = Number(opts.samples ?? (opts.quick ? 32768 : EPOCH));
  const seconds = Number(opts.seconds ?? (opts.quick ? 8 : 40));
  if (!Number.isInteger(samples / 512) || samples <= 0) throw new Error("--samples must be a positive multiple of 512");
  if (!(seconds > 0)) throw new Error("--seconds must be > 0");
  const cores = availableParallelism();
  const hasTorch = spawnSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" }).status === 0;
  // --preset NAME (kept) or --presets a,b | study | all
  const list = opts.presets ?? opts.preset ?? "relu-sigmoid";
  const presets = list === "all" ? [...PAPER_PRESETS] : list === "study" ? PAPER_PRESETS.filter((p) => loadPreset(p).group === "study") : list.split(",");
  for (const p of presets) loadPreset(p); // an unknown name fails before any run
  const torchThreadCounts = (opts["torch-threads"] ?? "1,2")
    .split(",")
    .map(Number)
    .map((t) => Math.min(t, cores))
    .filter((t, i, a) => a.indexOf(t) === i);
  if (!torchThreadCounts.every((t) => Number.isInteger(t) && t >= 1)) throw new Error("--torch-threads must list positive integers");

  const coordnet = (preset) => ({
    label: `coordnet (${opts.backend})`,
    cmd: process.execPath,
    args: (deadline) => [join("bench", "worker.mjs"), opts.backend, preset, String(samples), "1", String(deadline)],
    env: {},
  });
  const torch = (preset, threads) => ({
    label: `PyTorch, ${threads} thread${threads > 1 ? "s" : ""}`,
    cmd: "/usr/bin/python3",
    args: (deadline) => [join("bench", "torch_peer.py"), join(PRESET_DIR, `${preset}.json`), String(samples), "1", String(threads), String(deadline)],
    // OpenBLAS keeps its own thread pool: hold it to the same count
    env: { OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) },
  });

  /** `copies` processes of `engine` at once (and `yes` beside them if asked); per run: median s/epoch at 512². */
  async function scenario(engine, copies, withYes) {
    const name = `${engine.label}: ${copies} at once${withYes ? ", beside yes > /dev/null" : ""}`;
    process.stderr.write(`bench --contention: ${name}…\n`);
    const yes = withYes ? spawn("yes", [], { stdio: ["ignore", openSync("/dev/null", "w"), "ignore"] }) : null;
    try {
      // start-up (loading, encoding, warm-up epoch) comes before the deadline's window
      // (a start-up that overruns this only shortens the common window)
      const warm = (2 + (3 * samples) / EPOCH) * copies;
      const deadline = Date.now() + 1000 * (warm + seconds);
      const results = await Promise.all(Array.from({ length: copies }, () => runOne(engine, deadline)));
      // the window where every run was past its warm-up and still training
      const from = Math.max(...results.map((r) => r.stamps[0][0]));
      const to = Math.min(...results.map((r) => r.stamps[r.stamps.length - 1][1]));
      const runs = results.map((r) => {
        const inside = r.stamps.filter(([a, b]) => a >= from && b <= to).map(([a, b]) => (b - a) / 1000);
        const used = inside.length > 0 ? inside : r.stamps.map(([a, b]) => (b - a) / 1000);
        return {
          secondsPerEpoch: (median(used) * EPOCH) / samples,
          epochsCounted: used.length,
          overlapped: inside.length > 0,
          details: r.details ?? (r.blas ? { blas: r.blas } : {}),
        };
      });
      return { name, engine: engine.label, copies, withYes, overlapSeconds: Math.max(0, (to - from) / 1000), runs };
    } finally {
      yes?.kill();
    }
  }

  function runOne(engine, deadline) {
    return new Promise((resolve, reject) => {
      const child = spawn(engine.cmd, engine.args(deadline), { env: { ...process.env, ...engine.env }, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        err += d;
      });
      child.on("error", reject);
      child.on("close", (code) => {
        if (code !== 0) reject(new Error(`${engine.label} failed (exit ${code}): ${err.trim().split("\n").pop()}`));
        else resolve(JSON.parse(out.trim().split("\n").pop()));
      });
    });
  }

  /** Every scenario for one preset, and its verdicts against the targets. */
  async function measurePreset(preset) {
    const scenarios = [];
    const solo = {};
    // alone first: coordnet, then PyTorch at 1 and 2 threads (its faster count is its peer below)
    scenarios.push(await scenario(coordnet(preset), 1, false));
    solo.coordnet = scenarios.at(-1).runs[0].secondsPerEpoch;
    let torchThreads = null;
    if (hasTorch) {
      for (const t of torchThreadCounts) {
        scenarios.push(await scenario(torch(preset, t), 1, false));
        const s = scenarios.at(-1).runs[0].secondsPerEpoch;
        if (solo.torch === undefined || s < solo.torch) {
          solo.torch = s;
          torchThreads = t;
        }
      }
    }
    for (const copies of [2, 3]) {
      scenarios.push(await scenario(coordnet(preset), copies, false));
      if (hasTorch) scenarios.push(await scenario(torch(preset, torchThreads), copies, false));
    }
    scenarios.push(await scenario(coordnet(preset), 1, true));
    const coordnetYes = scenarios.at(-1).runs[0].secondsPerEpoch;
    let torchYes;
    if (hasTorch)
      for (const t of torchThreadCounts) {
        scenarios.push(await scenario(torch(preset, t), 1, true));
        torchYes = Math.min(torchYes ?? Number.POSITIVE_INFINITY, scenarios.at(-1).runs[0].secondsPerEpoch);
      }

    // each run's share of its engine's solo speed
    const share = (s) => {
      const alone = s.engine.startsWith("coordnet") ? solo.coordnet : solo.torch;
      return s.runs.map((r) => alone / r.secondsPerEpoch);
    };
    const verdicts = [];
    for (const [copies, target] of [
      [2, 0.4],
      [3, 0.25],
    ]) {
      const s = scenarios.find((x) => x.engine.startsWith("coordnet") && x.copies === copies && !x.withYes);
      const worst = Math.min(...share(s));
      verdicts.push({ target: `${copies} runs each ≥ ${target * 100}% of solo speed`, value: worst, pass: worst >= target });
    }
    if (torchYes !== undefined) {
      const ratio = coordnetYes / torchYes;
      verdicts.push({ target: "beside yes: ≤ 1.5 × PyTorch's best under the same load", value: ratio, pass: ratio <= 1.5 });
    }
    return { preset, solo, torchThreads, scenarios, verdicts, share };
  }

  const results = [];
  for (const preset of presets) results.push(await measurePreset(preset));

  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  };
  const f = (x, d = 2) => (x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(d));
  const pct = (x) => `${(100 * x).toFixed(0)}%`;
  const command = `npm run bench -- --contention${argv.length ? ` ${argv.join(" ")}` : ""}`;
  const lines = [
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GiB, Node ${machine.node}; ${machine.date}. Command: \`${command}\`.`,
    `${samples.toLocaleString("en")} samples per epoch, s/epoch scaled to 512²; each scenario's processes start together and train for about ${seconds} s; only epochs inside the window where all ran are counted (median per run).${opts.quick ? " --quick: short windows on a strip of the image; a smoke test, not the measurement." : ""}`,
    ...results.flatMap(({ preset, scenarios, verdicts, share }) => [
      "",
      `Preset ${preset}:`,
      "",
      "| engine | scenario | s/epoch of each run (512²) | each run's share of solo speed | epochs counted | overlap (s) |",
      "| --- | --- | --- | --- | --- | ---: |",
      ...scenarios.map(
        (s) =>
          `| ${s.engine} | ${s.copies} at once${s.withYes ? " + yes" : ""} | ${s.runs.map((r) => f(r.secondsPerEpoch)).join(", ")} | ${s.withYes ? "–" : share(s).map(pct).join(", ")} | ${s.runs.map((r) => `${r.epochsCounted}${r.overlapped ? "" : "*"}`).join(", ")} | ${f(s.overlapSeconds, 1)} |`,
      ),
      "",
      ...verdicts.map(
        (v) => `- ${v.pass ? "meets" : "misses"}: ${v.target} — ${v.target.startsWith("beside") ? `${f(v.value)}×` : `worst run ${pct(v.value)}`}`,
      ),
    ]),
    "",
    ...(results.length > 1
      ? [
          "| preset | 2 at once: worst share (≥ 40%) | 3 at once: worst share (≥ 25%) | beside yes: × PyTorch's best (≤ 1.5) |",
          "| --- | ---: | ---: | ---: |",
          ...results.map(
            ({ preset, verdicts }) => `| ${preset} | ${verdicts.map((v) => (v.target.startsWith("beside") ? `${f(v.value)}×` : pct(v.value))).join(" | ")} |`,
          ),
          "",
        ]
      : []),
    ...(hasTorch ? [] : ["- PyTorch peer skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch)"]),
    "- *: no epoch lay wholly inside the common window; all its timed epochs counted.",
  ];
  const markdown = lines.join("\n");
  console.log(markdown);
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(
    join(opts.out, "contention.json"),
    `${JSON.stringify({ machine, command, samples, seconds, presets: results.map(({ share, ...r }) => r) }, null, 2)}\n`,
  );
  writeFileSync(join(opts.out, "contention.md"), `${markdown}\n`);
}

function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
