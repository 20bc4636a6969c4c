#!/usr/bin/env python3
"""The GPU kit's PyTorch peer: the cells coordnet's runners train, in PyTorch on CUDA.

Reads the files `gpu-bench plan` wrote: workload.json (layer sizes, activations, Adam, schedule,
coordnet's initial weights, and the cells: batch, epochs, warm-up, seconds cap) and targets.f32 (the resized image,
row-major [H*W][3] float32, pixel order y*W + x). Inputs are coordnet's: pixel (x, y) -> [x/(W-1),
y/(H-1)] (range 01) or 2*that - 1 (range 11). Each epoch: a fresh permutation on the device,
batches of `batchSize`, MSE (mean over batch and channels), Adam; the epoch's loss is read back
once at its end (as coordnet does). Epoch times are wall-clock with torch.cuda.synchronize().
Each cell starts from the same weights with a fresh Adam, as each of coordnet's cells does.

Writes one JSON file (--out) after every cell, with the same fields per cell as coordnet's
(`runs`); exits 0 even when CUDA is absent, saying so in the file.
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
    ap.add_argument("--deadline", type=float, default=float("inf"), help="Unix time after which no epoch past a cell's warm-up starts")
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
    opt_cfg = w["optimizer"]
    every, factor = w["schedule"].get("every", 0), w["schedule"].get("factor", 1)

    def fresh_model():
        layers = []
        for l in range(len(sizes) - 1):
            lin = torch.nn.Linear(sizes[l], sizes[l + 1])
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(w["weights"][l]["weight"], dtype=torch.float32).reshape(sizes[l + 1], sizes[l]))
                lin.bias.copy_(torch.tensor(w["weights"][l]["bias"], dtype=torch.float32))
            layers.append(lin)
            layers.append(acts[w["activation"] if l < len(sizes) - 2 else w["outputActivation"]]())
        return torch.nn.Sequential(*layers).to(dev)

    def run_cell(c):
        """One (pytorch, batch) cell, as coordnet's: whole epochs until its epochs, its seconds or the budget run out."""
        B, epochs, warmup = c["effectiveBatch"], c["epochs"], c["warmup"]
        cell = {
            "runner": "pytorch",
            "batch": c["batch"],
            "effectiveBatch": B,
            "study": c["study"],
            "size": W,
            "ok": False,
            "status": "skipped",
            "epochsRequested": epochs,
            "warmupEpochs": warmup,
            "maxSeconds": c["maxSeconds"],
            "epochsRun": 0,
            "epochSeconds": [],
            "secondsPerEpoch": None,
            "samplesPerSecond": None,
            "trainingSeconds": 0,
            "projectedSeconds": None,
            "loss": [],
            "mse": None,
            "psnr": None,
            "ran": "pytorch",
            "details": {"device": result["device"], "torch": torch.__version__},
        }
        if time.time() >= args.deadline:
            cell["error"] = "the kit's time budget was spent before this cell"
            return cell
        model = fresh_model()
        opt = torch.optim.Adam(model.parameters(), lr=opt_cfg["lr"], betas=(opt_cfg.get("beta1", 0.9), opt_cfg.get("beta2", 0.999)), eps=opt_cfg.get("eps", 1e-8))
        gen = torch.Generator(device=dev)
        gen.manual_seed(w["seed"])
        epoch_seconds, losses, cut = [], [], None
        for epoch in range(epochs):
            if epoch > warmup and sum(epoch_seconds) >= c["maxSeconds"]:
                cut = f"stopped after {epoch} of {epochs} epochs: the cell's cap of {c['maxSeconds']} s"
                break
            if epoch > warmup and time.time() >= args.deadline:
                cut = f"stopped after {epoch} of {epochs} epochs: the kit's time budget"
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
        mse = None
        if c.get("measureImage", True):
            with torch.no_grad():
                pred = model(coords).clamp(0, 1)
                mse = torch.mean((pred - targets) ** 2).item()
        med = median(epoch_seconds[warmup:])
        trained = sum(epoch_seconds)
        cell.update(
            {
                "ok": med is not None and all(math.isfinite(x) for x in losses),
                "status": "complete" if cut is None else "capped",
                "epochsRun": len(epoch_seconds),
                "epochSeconds": epoch_seconds,
                "secondsPerEpoch": med,
                "samplesPerSecond": N / med if med else None,
                "trainingSeconds": trained,
                "projectedSeconds": trained if cut is None else (None if med is None else sum(epoch_seconds[:warmup]) + (epochs - warmup) * med),
                "loss": losses,
                "mse": mse,
                "psnr": (10 * math.log10(1 / mse)) if mse else None,
            }
        )
        if cut is not None:
            cell["error"] = cut
        elif med is None:
            cell["error"] = f"no timed epoch: {epochs} epochs with {warmup} warm-up"
        f3 = "–" if med is None else f"{med:.4f}"
        print(
            f"  pytorch batch {c['batch']}{' (study)' if c['study'] else ''}: {len(epoch_seconds)} epochs, {f3} s/epoch, "
            f"{'–' if not med else round(N / med)} samples/s, {trained:.1f} s{'' if cut is None else f' ({cut})'}, loss {losses[-1] if losses else None}, MSE {mse}",
            flush=True,
        )
        return cell

    result["runs"] = []
    for c in w["cells"]:
        try:
            result["runs"].append(run_cell(c))
        except Exception as e:  # noqa: BLE001 - one cell's failure (out of memory, say) is reported, the rest still run
            result["runs"].append({"runner": "pytorch", "batch": c["batch"], "effectiveBatch": c["effectiveBatch"], "study": c["study"], "ok": False, "status": "failed", "error": f"{type(e).__name__}: {e}"})
            if cuda:
                torch.cuda.empty_cache()
        write_json(args.out, result)
    result["ok"] = all(r["ok"] for r in result["runs"])
    write_json(args.out, result)
    return 0


def median(xs):
    if not xs:
        return None
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


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
