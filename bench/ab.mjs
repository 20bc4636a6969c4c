#!/usr/bin/env node
// A/B timing of two builds of the wasm backend, per preset, interleaved:
//   node bench/ab.mjs BEFORE_DIST PRESETS [--side 256] [--epochs 2] [--rounds 2] [--inputs stored,demand]
// BEFORE_DIST is a copy of dist/ built from the older sources (e.g. `git worktree add /tmp/old REV`,
// `npm run build:wasm && npx tsc -p tsconfig.build.json` there — with node_modules linked — then
// `cp -r /tmp/old/dist .tmp/dist-before` and `git worktree remove --force /tmp/old`); the other build
// is this checkout's dist/. Each (preset, inputs, build) trains in a fresh process (bench/ab-worker.mjs),
// the two builds back to back, in alternating order from round to round, so that a slow spell of a
// shared machine lands on both; the table gives the median seconds per epoch of each and their ratio.
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    side: { type: "string", default: "256" },
    epochs: { type: "string", default: "2" },
    rounds: { type: "string", default: "2" },
    inputs: { type: "string", default: "stored" },
  },
});
const [before, presetList] = positionals;
if (!before || !presetList) throw new Error("usage: node bench/ab.mjs BEFORE_DIST PRESETS [--side N] [--epochs N] [--rounds N] [--inputs stored,demand]");
const presets = presetList.split(",");
const modes = opts.inputs.split(",");
const builds = [before, "dist"];
const seconds = {};
for (let r = 0; r < Number(opts.rounds); r++)
  for (const preset of presets)
    for (const mode of modes)
      for (const dist of r % 2 ? [...builds].reverse() : builds) {
        const line = execFileSync("node", ["bench/ab-worker.mjs", dist, preset, opts.side, opts.epochs, mode], { encoding: "utf8" }).trim().split("\n").pop();
        const out = JSON.parse(line ?? "{}");
        const key = `${preset} ${mode} ${dist}`;
        seconds[key] = [...(seconds[key] ?? []), ...out.seconds];
        console.error(`${preset} ${mode} ${dist}: ${out.seconds.map((s) => s.toFixed(3)).join(" ")}`);
      }
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`| preset | inputs | before (s/epoch, ${opts.side}²) | after | after/before |`);
console.log("| --- | --- | ---: | ---: | ---: |");
for (const preset of presets)
  for (const mode of modes) {
    const [b, a] = builds.map((dist) => median(seconds[`${preset} ${mode} ${dist}`]));
    console.log(`| ${preset} | ${mode} | ${b.toFixed(3)} | ${a.toFixed(3)} | ${(a / b).toFixed(2)} |`);
  }
