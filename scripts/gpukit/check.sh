#!/usr/bin/env bash
# End-to-end check of the GPU kit on a machine without a GPU (CI runs it; npm run test:gpukit):
# build the archive, unpack it into an empty folder outside the repository (no node_modules
# anywhere above it), run `./run.sh --quick` in a bare environment on SwiftShader with the kit's
# own Vulkan loader, and check the JSON it writes (every runner × batch cell there, times and
# losses finite, losses falling, the adapter SwiftShader and software, the backend that ran the
# one the name stands for); then run it once more with a Vulkan driver
# that does not exist and check that it fails loudly (exit 3) and still writes its JSON.
#
#   scripts/gpukit/check.sh [KIT.tar.xz]   (default: build one into a temporary folder)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SWIFTSHADER="${SWIFTSHADER:-/usr/lib/chromium/vk_swiftshader_icd.json}"
[ -f "$SWIFTSHADER" ] || { echo "coordnet: $SWIFTSHADER is missing (apt-get install chromium)" >&2; exit 2; }
TMP="$(mktemp -d "${TMPDIR:-/tmp}/coordnet-gpukit-check.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

KIT="${1:-}"
if [ -z "$KIT" ]; then
  KIT="$TMP/coordnet-gpu-kit.tar.xz"
  "$ROOT/scripts/gpu-kit" "$KIT"
fi
mkdir "$TMP/kit"
tar -xJf "$KIT" -C "$TMP/kit"
[ ! -e "$TMP/kit/node_modules" ] || { echo "coordnet: the kit has a top-level node_modules" >&2; exit 1; }

# the PyTorch part runs on the CPU here when python3 has torch (a test of the script, not a figure)
bare=(env -i "PATH=/usr/bin:/bin" "HOME=$TMP" "TMPDIR=$TMP" "KIT_TORCH_DEVICE=cpu" "KIT_FORCE_KIT_LOADER=1")

(cd "$TMP/kit" && "${bare[@]}" "VK_ICD_FILENAMES=$SWIFTSHADER" ./run.sh --quick "$TMP/quick.json")
"$TMP/kit/bin/node" - "$TMP/quick.json" <<'EOF'
const r = JSON.parse(require("node:fs").readFileSync(process.argv[2], "utf8"));
const fail = (m) => { console.error(`coordnet: GPU kit check failed: ${m}`); process.exit(1); };
const finite = (x) => typeof x === "number" && Number.isFinite(x);
if (r.mode !== "quick") fail(`mode ${r.mode}`);
const runners = ["webgpu", "pytorch", "gpujs-webgpu"];
const batches = [1024, 16384, 65536];
if (JSON.stringify(r.plan?.batches) !== JSON.stringify(batches) || r.plan.size !== 64) fail(`plan ${JSON.stringify(r.plan)}`);
// every (runner, batch) cell is there, once
for (const runner of runners)
  for (const batch of batches)
    if (r.runs.filter((c) => c.runner === runner && c.batch === batch).length !== 1) fail(`no single cell for ${runner} at batch ${batch}`);
if (r.runs.length !== runners.length * batches.length) fail(`${r.runs.length} cells`);
const lines = [];
for (const name of ["webgpu", "gpujs-webgpu"]) {
  const who = r.runners[name];
  // the adapter is SwiftShader and said to be software; the backend that ran is the one the name stands for
  if (!/swiftshader/i.test(who?.adapter?.name ?? "") || who.adapter.software !== true) fail(`${name}: adapter ${JSON.stringify(who?.adapter)}`);
  if (!who.parity?.pass) fail(`${name}: parity ${JSON.stringify(who.parity)}`);
  if (typeof who.resolved !== "string" || (who.resolved !== name && !(name === "webgpu" && who.resolved === "gpujs-webgpu"))) fail(`${name} resolved to ${who.resolved}`);
  for (const c of r.runs.filter((x) => x.runner === name)) {
    const at = `${name} at batch ${c.batch}`;
    if (!c.ok || c.status !== "complete") fail(`${at}: ${c.status} ${c.error ?? ""}`);
    if (c.ran !== who.resolved || who.parity.ran !== who.resolved) fail(`${at}: ran ${c.ran}, parity on ${who.parity.ran}, asked for ${name} (= ${who.resolved})`);
    if (!/swiftshader/i.test(c.details?.adapter ?? "")) fail(`${at}: details ${JSON.stringify(c.details)}`);
    if (c.effectiveBatch !== Math.min(c.batch, 64 * 64)) fail(`${at}: effective batch ${c.effectiveBatch}`);
    // 1 warm-up + 1 timed epoch, every time positive, the fields agreeing with each other
    if (c.epochsRun !== 2 || c.epochSeconds.length !== 2 || !c.epochSeconds.every((s) => finite(s) && s > 0)) fail(`${at}: epochs ${JSON.stringify(c.epochSeconds)}`);
    if (!(c.secondsPerEpoch === c.epochSeconds[1] && Math.abs(c.samplesPerSecond - 4096 / c.secondsPerEpoch) < 1e-6)) fail(`${at}: timing fields disagree`);
    if (!(Math.abs(c.projectedSeconds - c.trainingSeconds) < 1e-9)) fail(`${at}: projected ${c.projectedSeconds}, trained ${c.trainingSeconds}`);
    // a finite loss that falls, and (at batch 1024: --quick renders no other) an image MSE that matches it
    if (!(c.loss.length === 2 && c.loss.every(finite) && c.loss[1] < c.loss[0])) fail(`${at}: loss ${JSON.stringify(c.loss)}`);
    if (c.batch === 1024 ? !(finite(c.psnr) && c.mse > 0 && c.mse < 0.2) : c.mse !== null) fail(`${at}: mse ${c.mse}`);
  }
  lines.push(`${name}${who.resolved !== name ? ` (= ${who.resolved})` : ""} ${r.runs.filter((x) => x.runner === name).map((c) => `${c.secondsPerEpoch.toFixed(2)} s`).join(" / ")}`);
}
for (const k of ["webgpu/pytorch", "gpujs-webgpu/pytorch", "webgpu/gpujs-webgpu"])
  if (Object.keys(r.ratios?.[k] ?? {}).join() !== batches.join()) fail(`ratios ${k}: ${JSON.stringify(r.ratios?.[k])}`);
if (!batches.every((b) => r.ratios["webgpu/gpujs-webgpu"][b] > 0)) fail(`ratios ${JSON.stringify(r.ratios["webgpu/gpujs-webgpu"])}`);
for (const name of new Set(["gpujs-webgpu", r.runners.webgpu.resolved]))
  if (!r.coordnetInfo?.some((l) => new RegExp(`^\\s*${name}: available`).test(l))) fail(`coordnet info does not list ${name} as available`);
if (!/^kit: /.test(r.machine.vulkanLoader)) fail(`loader ${r.machine.vulkanLoader}`);
const t = r.runners.pytorch;
if (t.ok) {
  for (const c of r.runs.filter((x) => x.runner === "pytorch"))
    if (!c.ok || c.epochsRun !== 2 || !c.loss.every(finite) || !(c.loss[1] < c.loss[0]) || (c.batch === 1024 && !(c.mse < 0.2))) fail(`torch at batch ${c.batch}: ${JSON.stringify(c)}`);
  if (!batches.every((b) => r.ratios["webgpu/pytorch"][b] > 0)) fail("no ratio to torch");
} else {
  if (!/cannot import torch|not run/.test(t.error ?? "")) fail(`torch: ${t.error}`);
  if (!r.runs.filter((x) => x.runner === "pytorch").every((c) => c.status === "skipped" && c.secondsPerEpoch === null)) fail("torch cells without torch");
}
console.log(`GPU kit check: s/epoch at 64² (batches ${batches.join(", ")}) on ${r.runners.webgpu.adapter.name}: ${lines.join("; ")}; torch ${t.ok ? "on the CPU" : "not run"}`);
EOF

set +e
(cd "$TMP/kit" && "${bare[@]}" "VK_ICD_FILENAMES=$TMP/no-such-driver.json" ./run.sh --quick "$TMP/none.json" >"$TMP/none.log" 2>&1)
code=$?
set -e
"$TMP/kit/bin/node" - "$TMP/none.json" "$code" "$TMP/none.log" <<'EOF'
const fs = require("node:fs");
const [file, code, log] = process.argv.slice(2);
const fail = (m) => { console.error(`coordnet: GPU kit check (no adapter) failed: ${m}\n${fs.readFileSync(log, "utf8")}`); process.exit(1); };
if (code !== "3") fail(`exit ${code}, expected 3`);
if (!/NO WebGPU ADAPTER ANSWERED/.test(fs.readFileSync(log, "utf8"))) fail("no loud message");
const r = JSON.parse(fs.readFileSync(file, "utf8"));
for (const name of ["webgpu", "gpujs-webgpu"]) {
  const who = r.runners[name];
  if (who?.ok !== false || who.adapter !== null || !/no WebGPU adapter/.test(who.error)) fail(`${name} ${JSON.stringify(who)}`);
  const cells = r.runs.filter((c) => c.runner === name);
  if (cells.length !== 3 || !cells.every((c) => c.status === "skipped" && !c.ok && /no WebGPU adapter/.test(c.error))) fail(`${name} cells ${JSON.stringify(cells)}`);
}
console.log("GPU kit check: with no adapter it exits 3, says so, and writes its JSON");
EOF
