#!/usr/bin/env bash
# coordnet GPU kit: times the study's network on coordnet's WebGPU backends (`webgpu`, the
# hand-written WGSL trainer, and `gpujs-webgpu`, gpu.js's kernels) and on PyTorch CUDA (if python3
# has torch), side by side on this machine, at batches 1024 (the study's), 16,384 and 65,536, and
# writes one JSON result. Nothing to install.
#
#   ./run.sh [--quick | --full] [options] [RESULT.json]
#
#   (default)  512x512; per (runner, batch): 1 warm-up epoch + up to 5 timed, at most 20 s
#   --quick    64x64;   per (runner, batch): 1 warm-up epoch + 1 timed (SwiftShader; budget 1800 s)
#   --full     512x512; the default's cells at 16,384 and 65,536, and at batch 1024 the study's
#              200 epochs end to end, each runner's at most --max-seconds (then projected)
#   --size N  --batches 1024,16384,65536  --runners webgpu,pytorch,gpujs-webgpu
#   --warmup N  --timed-epochs N  --cell-seconds S  --epochs N (study)  --max-seconds S (study, 90)
#   --budget S  no cell starts after S seconds (default 300; --full 400; --quick 1800)
#   RESULT     default: $OUT/gpu-result.json if $OUT is set, else ./gpu-result.json
#   KIT_TORCH_DEVICE=cpu runs the PyTorch part on the CPU (only to test the kit without a GPU)
#   KIT_FORCE_KIT_LOADER=1 uses the kit's Vulkan loader even where the system has one (to test it)
#
# Caps are checked between epochs, so a cell overruns by at most one epoch; each runner's process
# is also killed 60 s after the budget. Exit status: 0 when every coordnet cell ran; 3 when no
# WebGPU adapter answered; 1 on any other failure. The JSON file is written in every case.
set -uo pipefail

KIT="$(cd "$(dirname "$0")" && pwd)"
NODE="$KIT/bin/node"
MODE=default
RUNNERS="webgpu,pytorch,gpujs-webgpu"
PLAN_ARGS=()
RESULT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --full) MODE=full ;;
    --runners) [ $# -ge 2 ] || { echo "coordnet: $1 needs a value" >&2; exit 2; }; RUNNERS="$2"; shift ;;
    --size|--batches|--warmup|--timed-epochs|--cell-seconds|--epochs|--max-seconds|--budget)
      [ $# -ge 2 ] || { echo "coordnet: $1 needs a value" >&2; exit 2; }
      PLAN_ARGS+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    -*) echo "coordnet: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) RESULT="$1" ;;
  esac
  shift
done
if [ -z "$RESULT" ]; then
  if [ -n "${OUT:-}" ]; then RESULT="$OUT/gpu-result.json"; else RESULT="$PWD/gpu-result.json"; fi
fi
mkdir -p "$(dirname "$RESULT")"
RESULT="$(cd "$(dirname "$RESULT")" && pwd)/$(basename "$RESULT")"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/coordnet-gpukit.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

say() { printf '%s\n' "$*"; }
section() { printf '\n== %s\n' "$*"; }

KIT_STARTED="$(date +%s)"
section "coordnet GPU kit ($MODE; runners $RUNNERS) on ${HOSTNAME:-$(cat /etc/hostname 2>/dev/null)}"
cat "$KIT/kit.json" 2>/dev/null | tr -d '\n'; echo

# ---- the machine: GPU devices, Vulkan drivers (ICDs), the Vulkan loader, EGL ----------------
section "machine"
KIT_NVIDIA_SMI=""
if command -v nvidia-smi >/dev/null 2>&1; then
  KIT_NVIDIA_SMI="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1)"
  say "nvidia-smi: $KIT_NVIDIA_SMI"
else
  say "nvidia-smi: not found"
fi
say "device nodes: $(ls /dev/nvidia* /dev/dri/* 2>/dev/null | tr '\n' ' ')"

for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  if [ -d "$d" ] && [[ ":${LD_LIBRARY_PATH:-}:" != *":$d:"* ]]; then
    export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"
    say "added $d to LD_LIBRARY_PATH (NVIDIA's driver libraries)"
  fi
done

LDCONFIG="$(command -v ldconfig || echo /sbin/ldconfig)"
# where the loader would find an ICD's library: a path (relative to the ICD's file) as is, a bare
# name in LD_LIBRARY_PATH or ld.so.cache
resolve_lib() {
  case "$1" in
    /*) [ -e "$1" ] && echo "$1" ;;
    */*) [ -e "$2/$1" ] && echo "$2/$1" ;;
    *)
      local d
      for d in ${LD_LIBRARY_PATH//:/ }; do [ -e "$d/$1" ] && { echo "$d/$1"; return; }; done
      "$LDCONFIG" -p 2>/dev/null | grep -m1 -F "	$1 " | sed 's/.*=> //'
      ;;
  esac
}

KIT_ICD_FOUND=""
for f in /usr/local/nvidia/share/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json; do
  [ -f "$f" ] || continue
  lib="$(grep -o '"library_path"[^,}]*' "$f" | head -1 | sed 's/.*: *"\(.*\)".*/\1/')"
  at="$(resolve_lib "$lib" "$(dirname "$f")")"
  say "Vulkan ICD: $f -> $lib (${at:-NOT FOUND by the dynamic linker})"
  KIT_ICD_FOUND="$KIT_ICD_FOUND$f ($lib)"$'\n'
done
[ -n "$KIT_ICD_FOUND" ] || say "Vulkan ICD: none in /usr/local/nvidia/share/vulkan/icd.d, /usr/share/vulkan/icd.d, /etc/vulkan/icd.d, /usr/local/share/vulkan/icd.d"
if [ -n "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  say "Vulkan ICD chosen by the caller: VK_DRIVER_FILES=${VK_DRIVER_FILES:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-}"
  for f in $(printf '%s' "${VK_DRIVER_FILES:-$VK_ICD_FILENAMES}" | tr ':' ' '); do
    if [ -f "$f" ]; then
      lib="$(grep -o '"library_path"[^,}]*' "$f" | head -1 | sed 's/.*: *"\(.*\)".*/\1/')"
      at="$(resolve_lib "$lib" "$(dirname "$f")")"
      say "  $f -> $lib (${at:-NOT FOUND by the dynamic linker})"
    else
      say "  $f: NO SUCH FILE"
    fi
  done
  [ -n "${VK_DRIVER_FILES:-}" ] || export VK_DRIVER_FILES="$VK_ICD_FILENAMES"
  [ -n "${VK_ICD_FILENAMES:-}" ] || export VK_ICD_FILENAMES="$VK_DRIVER_FILES"
else
  nvidia_icds="$(printf '%s' "$KIT_ICD_FOUND" | grep -i nvidia | sed 's/ (.*//' | paste -sd: -)"
  if [ -n "$nvidia_icds" ]; then
    export VK_DRIVER_FILES="$nvidia_icds" VK_ICD_FILENAMES="$nvidia_icds"
    say "Vulkan ICD chosen: $nvidia_icds (VK_DRIVER_FILES and VK_ICD_FILENAMES)"
  else
    say "Vulkan ICD chosen: none set (no NVIDIA ICD found; the loader searches its default folders)"
  fi
fi
if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ]; then
  for f in /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json /usr/share/glvnd/egl_vendor.d/10_nvidia.json; do
    if [ -f "$f" ]; then export __EGL_VENDOR_LIBRARY_FILENAMES="$f"; break; fi
  done
fi
say "EGL vendor: ${__EGL_VENDOR_LIBRARY_FILENAMES:-none found}"

system_loader="$("$LDCONFIG" -p 2>/dev/null | grep -m1 'libvulkan.so.1 ' | sed 's/.*=> //')"
if [ -n "$system_loader" ] && [ -z "${KIT_FORCE_KIT_LOADER:-}" ]; then
  KIT_VULKAN_LOADER="system: $system_loader"
else
  export LD_LIBRARY_PATH="$KIT/lib/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  KIT_VULKAN_LOADER="kit: $(cat "$KIT/lib/vulkan/VERSION" 2>/dev/null)"
fi
say "Vulkan loader: $KIT_VULKAN_LOADER"
# NVIDIA's Vulkan driver (libGLX_nvidia.so.0) needs libglvnd's dispatch libraries; without them the
# loader finds the driver but vkCreateInstance fails (seen on an H100 machine running Ubuntu 24.04)
if ! "$LDCONFIG" -p 2>/dev/null | grep -q 'libGLdispatch.so.0 ' || [ -n "${KIT_FORCE_KIT_LOADER:-}" ]; then
  export LD_LIBRARY_PATH="$KIT/lib/glvnd${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  say "GL dispatch (libglvnd): kit's ($(head -1 "$KIT/lib/glvnd/VERSION" 2>/dev/null)…), the system has none"
else
  say "GL dispatch (libglvnd): system"
fi

# Dawn (dawn.node) needs glibc >= 2.34 and libstdc++ with GLIBCXX_3.4.30; the kit carries
# Debian 12's libstdc++ and libgcc_s for a system whose own are older.
dawn_check() { "$NODE" -e 'import(process.argv[1]).then(() => console.log("ok"), (e) => { console.log(e.message.split("\n")[0]); process.exit(1); })' "$KIT/app/node_modules/webgpu/index.js" 2>&1; }
if ! dawn_msg="$(dawn_check)"; then
  say "dawn.node does not load with this system's libraries: $dawn_msg"
  export LD_LIBRARY_PATH="$KIT/lib/compat${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  dawn_msg="$(dawn_check)" && say "dawn.node loads with the kit's libstdc++ (lib/compat)" || say "dawn.node still does not load: $dawn_msg"
else
  say "dawn.node loads"
fi
export KIT_NVIDIA_SMI KIT_ICD_FOUND KIT_VULKAN_LOADER

# ---- coordnet info ----------------------------------------------------------------------------
section "coordnet info"
"$NODE" "$KIT/app/coordnet.mjs" info 2>&1 | tee "$WORK/info.txt"

# ---- the plan: cells per runner, their caps, and PyTorch's workload ---------------------------
section "plan"
"$NODE" "$KIT/app/gpu-bench.mjs" plan --work "$WORK" --mode "$MODE" ${PLAN_ARGS[@]+"${PLAN_ARGS[@]}"} || exit 2
BUDGET="$("$NODE" -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).budgetSeconds)' "$WORK/plan.json")"
DEADLINE_S=$((KIT_STARTED + BUDGET))
# each runner's process is killed this long after the budget (a cell stops only between epochs)
MARGIN_S=60
runner_timeout() {
  local left=$((DEADLINE_S - $(date +%s) + MARGIN_S))
  [ "$left" -gt 10 ] || left=10
  if command -v timeout >/dev/null 2>&1; then echo "timeout --kill-after=10 $left"; fi
}

# ---- the runners, one process each ------------------------------------------------------------
TORCH_RAN=false
NO_ADAPTER=0
COORDNET_RUNNERS=0
FAILED=""
for runner in ${RUNNERS//,/ }; do
  if [ "$runner" = pytorch ]; then
    section "PyTorch (${KIT_TORCH_DEVICE:-cuda})"
    if command -v python3 >/dev/null 2>&1 && python3 -c "import torch" >/dev/null 2>&1; then
      TORCH_RAN=true
      # shellcheck disable=SC2046
      $(runner_timeout) python3 "$KIT/torch_bench.py" --workload "$WORK/workload.json" --targets "$WORK/targets.f32" --out "$WORK/torch.json" \
        --deadline "$DEADLINE_S" --device "${KIT_TORCH_DEVICE:-cuda}" || say "the PyTorch run failed (exit $?)"
    else
      say "skipped: python3 cannot import torch here"
    fi
    continue
  fi
  COORDNET_RUNNERS=$((COORDNET_RUNNERS + 1))
  section "coordnet $runner"
  # shellcheck disable=SC2046
  $(runner_timeout) "$NODE" "$KIT/app/gpu-bench.mjs" cells --work "$WORK" --runner "$runner" --deadline "$((DEADLINE_S * 1000))"
  status=$?
  if [ "$status" -eq 3 ]; then NO_ADAPTER=$((NO_ADAPTER + 1)); fi
  if [ "$status" -ne 0 ]; then FAILED="$FAILED $runner(exit $status)"; fi
done

# ---- one JSON ---------------------------------------------------------------------------------
section "result"
"$NODE" "$KIT/app/gpu-bench.mjs" merge --work "$WORK" --mode "$MODE" --kit "$KIT/kit.json" --runners "$RUNNERS" --torch-ran "$TORCH_RAN" --out "$RESULT"
"$NODE" -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const f = (x, d = 3) => (typeof x === "number" && Number.isFinite(x) ? x.toFixed(d) : "–");
const n = (x) => (typeof x === "number" && Number.isFinite(x) ? Math.round(x).toLocaleString("en") : "–");
console.log("runner         batch   status    epochs   s/epoch       samples/s   train s  projected s   PSNR dB");
for (const c of r.runs)
  console.log(`${c.runner.padEnd(14)} ${String(c.batch).padStart(5)}${c.study ? "*" : " "} ${c.status.padEnd(9)} ${String(c.epochsRun).padStart(6)} ${f(c.secondsPerEpoch, 4).padStart(9)} ${n(c.samplesPerSecond).padStart(15)} ${f(c.trainingSeconds, 1).padStart(9)} ${f(c.projectedSeconds, 1).padStart(12)} ${f(c.psnr, 2).padStart(9)}${c.error && c.status !== "complete" ? "  " + c.error.split("\n")[0] : ""}`);
console.log("(* = the study run: its epochs end to end)");
for (const [k, v] of Object.entries(r.ratios)) console.log(`s/epoch ${k}: ${Object.entries(v).map(([b, x]) => `${b}: ${f(x, 3)}`).join(", ")}`);
for (const [k, v] of Object.entries(r.targets)) console.log(`target ${k} (${v.target}): ${v.value === null ? "not measured in this run" : `${f(v.value, 3)}${v.projected ? " (projected)" : ""}`}`);
' "$RESULT"
say "result: $RESULT"

if [ "$COORDNET_RUNNERS" -gt 0 ] && [ "$NO_ADAPTER" -eq "$COORDNET_RUNNERS" ]; then
  section "why no adapter: the Vulkan loader's own account (VK_LOADER_DEBUG=error,warn,driver)"
  VK_LOADER_DEBUG=error,warn,driver "$NODE" "$KIT/app/gpu-bench.mjs" probe 2>&1 | tail -40
  {
    echo
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!!! coordnet GPU kit: NO WebGPU ADAPTER ANSWERED - the webgpu figures are missing."
    echo "!!! Check the Vulkan ICD and loader lines above (VK_DRIVER_FILES, LD_LIBRARY_PATH)."
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  } >&2
  exit 3
fi
if cat "$WORK"/coordnet-*.json 2>/dev/null | grep -q '"software": true'; then
  echo "!!! coordnet GPU kit: the WebGPU adapter is a SOFTWARE renderer, not a GPU." >&2
fi
[ -z "$FAILED" ] || { echo "!!! coordnet GPU kit: not every cell ran:$FAILED; see above and $RESULT" >&2; exit 1; }
exit 0
