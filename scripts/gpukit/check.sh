#!/usr/bin/env bash
# End-to-end check of the GPU kit on a machine without a GPU (CI runs it; npm run test:gpukit):
# build the archive, unpack it into an empty folder outside the repository (no node_modules
# anywhere above it), run `./run.sh --quick` in a bare environment on SwiftShader with the kit's
# own Vulkan loader, and check the JSON it writes; then run it once more with a Vulkan driver
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
const w = r.webgpu;
if (r.mode !== "quick") fail(`mode ${r.mode}`);
if (!w.ok) fail(`webgpu run not ok: ${w.error}`);
if (!/swiftshader/i.test(w.adapter?.name ?? "") || w.adapter.software !== true) fail(`adapter ${JSON.stringify(w.adapter)}`);
if (w.details?.mode !== "webgpu" || w.details?.executor !== "fused-encoder") fail(`ran ${JSON.stringify(w.details)}`);
if (w.size !== 64 || w.epochsRun !== 2 || w.epochSeconds.length !== 2 || !w.epochSeconds.every((s) => s > 0)) fail(`epochs ${JSON.stringify(w.epochSeconds)}`);
if (!(w.timedEpochSecondsMedian === w.epochSeconds[1] && Math.abs(w.samplesPerSecond - 4096 / w.epochSeconds[1]) < 1e-6)) fail("timing fields disagree");
// one learning step's worth of sanity: a finite loss that went down, an image MSE that matches it
if (!(w.loss.length === 2 && w.loss.every(Number.isFinite) && w.loss[1] < w.loss[0])) fail(`loss ${JSON.stringify(w.loss)}`);
if (!(Number.isFinite(w.psnr) && w.mse > 0 && w.mse < 0.2)) fail(`mse ${w.mse}`);
if (!r.coordnetInfo?.some((l) => /^\s*webgpu: available/.test(l))) fail("coordnet info does not list webgpu as available");
if (!/^kit: /.test(r.machine.vulkanLoader)) fail(`loader ${r.machine.vulkanLoader}`);
const t = r.torch;
if (t.ok) {
  if (t.epochsRun !== 2 || !t.loss.every(Number.isFinite) || !(t.mse < 0.2)) fail(`torch ${JSON.stringify(t)}`);
  if (!(r.webgpuOverTorchEpochSeconds > 0)) fail("no ratio");
} else if (!/cannot import torch|not run/.test(t.error ?? "")) fail(`torch: ${t.error}`);
console.log(`GPU kit check: webgpu on ${w.adapter.name} ${w.epochSeconds.map((s) => s.toFixed(1)).join(" + ")} s, loss ${w.loss.map((l) => l.toFixed(4)).join(" → ")}; torch ${t.ok ? `on ${t.device}` : "not run"}`);
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
if (r.webgpu.ok !== false || !/no WebGPU adapter/.test(r.webgpu.error)) fail(`webgpu ${JSON.stringify(r.webgpu)}`);
console.log("GPU kit check: with no adapter it exits 3, says so, and writes its JSON");
EOF
