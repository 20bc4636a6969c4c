#!/usr/bin/env python3
"""The GPU kit's PyTorch peer: the workload coordnet's webgpu run trained, in PyTorch on CUDA.

Reads the files `gpu-bench train` wrote: workload.json (layer sizes, activations, Adam,
schedule, batch size, epochs, coordnet's initial weights) and targets.f32 (the resized image,
row-major [H*W][3] float32, pixel order y*W + x). Inputs are coordnet's: pixel (x, y) -> [x/(W-1),
y/(H-1)] (range 01) or 2*that - 1 (range 11). Each epoch: a fresh permutation on the device,
batches of `batchSize`, MSE (mean over batch and channels), Adam; the epoch's loss is read back
once at its end (as coordnet does). Epoch times are wall-clock with torch.cuda.synchronize().

Writes one JSON file (--out); exits 0 even when CUDA is absent, saying so in the file.
"""

import argparse
import json
import math
import os
import sys
import time


def write_json(path, value):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True)
    ap.add_argument("--targets", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-seconds", type=float, default=300)
    ap.add_argument("--device", default="cuda", help="cuda (the comparison); cpu only to test this script")
    args = ap.parse_args()

    result = {"ok": False, "backend": "pytorch"}
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - reported in the result
        result["error"] = f"cannot import torch: {e}"
        write_json(args.out, result)
        return 0
    result["torchVersion"] = torch.__version__
    result["cudaAvailable"] = torch.cuda.is_available()
    cuda = args.device == "cuda"
    if cuda and not torch.cuda.is_available():
        result["error"] = "torch imports but CUDA is not available"
        write_json(args.out, result)
        return 0
    dev = torch.device(args.device)
    if cuda:
        result["device"] = torch.cuda.get_device_name(0)
        result["cudaVersion"] = torch.version.cuda
        try:  # PyTorch >= 2.9 describes this as fp32_precision; older ones as allow_tf32
            result["tf32Matmul"] = str(getattr(torch.backends.cuda.matmul, "fp32_precision", None) or torch.backends.cuda.matmul.allow_tf32)
        except Exception as e:  # noqa: BLE001 - a description, not needed for the run
            result["tf32Matmul"] = f"unknown ({e})"
    else:
        result["device"] = f"cpu ({torch.get_num_threads()} threads; a test of the script, not a comparison)"

    def sync():
        if cuda:
            torch.cuda.synchronize()

    with open(args.workload) as f:
        w = json.load(f)
    W, H = w["width"], w["height"]
    N = W * H
    with open(args.targets, "rb") as f:
        raw = f.read()
    if len(raw) != N * 3 * 4:
        result["error"] = f"targets.f32 holds {len(raw)} bytes, expected {N * 3 * 4}"
        write_json(args.out, result)
        return 1
    targets = torch.frombuffer(bytearray(raw), dtype=torch.float32).reshape(N, 3).to(dev)
    ys, xs = torch.meshgrid(torch.arange(H, dtype=torch.float32), torch.arange(W, dtype=torch.float32), indexing="ij")
    coords = torch.stack([xs.reshape(-1) / max(W - 1, 1), ys.reshape(-1) / max(H - 1, 1)], dim=1)
    if w["range"] == "11":
        coords = coords * 2 - 1
    coords = coords.to(dev)

    acts = {"relu": torch.nn.ReLU, "gelu": torch.nn.GELU, "elu": torch.nn.ELU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "identity": torch.nn.Identity}
    sizes = w["sizes"]
    layers = []
    for l in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[l], sizes[l + 1])
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(w["weights"][l]["weight"], dtype=torch.float32).reshape(sizes[l + 1], sizes[l]))
            lin.bias.copy_(torch.tensor(w["weights"][l]["bias"], dtype=torch.float32))
        layers.append(lin)
        layers.append(acts[w["activation"] if l < len(sizes) - 2 else w["outputActivation"]]())
    model = torch.nn.Sequential(*layers).to(dev)
    opt_cfg = w["optimizer"]
    opt = torch.optim.Adam(model.parameters(), lr=opt_cfg["lr"], betas=(opt_cfg.get("beta1", 0.9), opt_cfg.get("beta2", 0.999)), eps=opt_cfg.get("eps", 1e-8))
    every, factor = w["schedule"].get("every", 0), w["schedule"].get("factor", 1)
    B, epochs, warmup = w["batchSize"], w["epochs"], w["warmup"]
    gen = torch.Generator(device=dev)
    gen.manual_seed(w["seed"])

    epoch_seconds, losses = [], []
    started = time.perf_counter()
    for epoch in range(epochs):
        if time.perf_counter() - started > args.max_seconds:
            break
        lr = opt_cfg["lr"] * (factor ** (epoch // every) if every > 0 else 1)
        for g in opt.param_groups:
            g["lr"] = lr
        sync()
        t0 = time.perf_counter()
        order = torch.randperm(N, device=dev, generator=gen)
        loss_sum = torch.zeros((), device=dev)
        for s in range(0, N, B):
            idx = order[s : s + B]
            pred = model(coords[idx])
            loss = torch.nn.functional.mse_loss(pred, targets[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.detach() * idx.numel()
        losses.append(loss_sum.item() / N)  # the one read-back of the epoch
        sync()
        epoch_seconds.append(time.perf_counter() - t0)
        print(f"  torch epoch {epoch + 1}/{epochs}: {epoch_seconds[-1]:.3f} s, loss {losses[-1]:.4e}", flush=True)
    wall = time.perf_counter() - started
    with torch.no_grad():
        pred = model(coords).clamp(0, 1)
        mse = torch.mean((pred - targets) ** 2).item()
    timed = sorted(epoch_seconds[warmup:])
    med = None if not timed else (timed[len(timed) // 2] if len(timed) % 2 else (timed[len(timed) // 2 - 1] + timed[len(timed) // 2]) / 2)
    result.update(
        {
            "ok": len(epoch_seconds) == epochs and med is not None,
            "size": W,
            "epochsRequested": epochs,
            "epochsRun": len(epoch_seconds),
            "warmupEpochs": warmup,
            "epochSeconds": epoch_seconds,
            "timedEpochSecondsMedian": med,
            "timedEpochSecondsMean": sum(timed) / len(timed) if timed else None,
            "samplesPerSecond": N / med if med else None,
            "trainingSeconds": sum(epoch_seconds),
            "wallSeconds": wall,
            "loss": losses,
            "finalLoss": losses[-1] if losses else None,
            "mse": mse,
            "psnr": (10 * math.log10(1 / mse)) if mse > 0 else None,
        }
    )
    if len(epoch_seconds) < epochs:
        result["error"] = f"stopped after {len(epoch_seconds)} of {epochs} epochs (--max-seconds {args.max_seconds})"
    write_json(args.out, result)
    print(f"torch on {result['device']}: {med if med is None else round(med, 4)} s/epoch after warm-up, loss {result['finalLoss']}")
    return 0


def run_reporting_errors():
    """main(), but a failure still leaves a result file that says what went wrong."""
    try:
        return main()
    except Exception as e:  # noqa: BLE001 - reported in the result
        import traceback

        traceback.print_exc()
        out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else None
        if out:
            write_json(out, {"ok": False, "backend": "pytorch", "error": f"{type(e).__name__}: {e}"})
        return 1


if __name__ == "__main__":
    sys.exit(run_reporting_errors())
