#!/usr/bin/env python3
"""The study's presets in PyTorch, for `coordnet paper --compare FILE` (a cross-check, not a test).

    /usr/bin/python3 scripts/torch_paper.py IMAGE --size WxH --epochs N --seeds K [--presets a,b] [--out FILE] [--from-seed S]

Reads the presets from presets/*.json (the same files coordnet compiles in) and trains each from
seeds 0 … K−1 on IMAGE at W×H, then writes FILE (default torch-results.json): {label, width,
height, epochs, image, runs: [{name, seed, mse, psnr, finalLoss, seconds}]}. It is rewritten
whole after every run, and a rerun with the same image, size and epochs keeps the runs already
in it, so an interrupted cross-check continues where it stopped.

The same image: pass the `source.png` that `coordnet paper --size WxH` writes into its output
folder — the photograph already resized by coordnet (area averaging), so both train on the same
pixels (to 8-bit rounding). Given a larger PNG, this script shrinks it by the same area averaging
(each output pixel the mean of the source pixels its footprint covers, partial pixels weighted by
the covered fraction); it does not enlarge.

What is the same as coordnet: the network (nn.Linear layers, PyTorch's default initialisation,
SIREN's for sine networks), the encodings (sin/cos(2ᵏπp) in NeRF's feature order; Gaussian
sin/cos(2πBp)), coordinates [x, y] in row-major pixel order mapped to [0,1] or [−1,1] as
`x/(W−1)`, batches of the preset's size over a fresh shuffle each epoch, Adam, StepLR(every,
factor) stepped per epoch (none when every = 0), MSE loss, and the metric: full-image MSE of the
predictions clamped to [0,1], PSNR = 10·log10(1/MSE). What is not: the random streams. Seed s
seeds torch's generator, so weights, shuffles and B are PyTorch's draws, not coordnet's; the
comparison is between the two spreads over seeds, not run by run.

Needs Debian's python3-torch (PyTorch 1.13), numpy and PIL: run it with /usr/bin/python3. Install
OpenBLAS too (apt-get install libopenblas0-pthread): Debian's torch calls the system BLAS, which
is otherwise the reference BLAS, about 10× slower here (measured 2026-11-30: 4.4 s against 0.33 s
per 256×256 epoch, one thread). Run it with OPENBLAS_NUM_THREADS equal to --threads, so that
OpenBLAS does not start threads of its own beside torch's.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from PIL import Image
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUDY = ["relu-sigmoid", "relu-linear", "relu-range11", "gelu", "elu", "tanh", "positional"]
OMEGA0 = 30.0


def fail(message):
    print(f"torch_paper: {message}", file=sys.stderr)
    sys.exit(2)


def area_matrix(n, m):
    """[m][n] weights: output i averages source [i·n/m, (i+1)·n/m), partial pixels by coverage."""
    w = np.zeros((m, n))
    scale = n / m
    for i in range(m):
        lo, hi = i * scale, (i + 1) * scale
        for j in range(int(math.floor(lo)), min(n, int(math.ceil(hi)))):
            w[i, j] = (min(hi, j + 1) - max(lo, j)) / scale
    return w


def load_image(path, width, height):
    try:
        rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64) / 255.0
    except (OSError, ValueError) as e:
        fail(f"cannot read {path}: {e}")
    h, w, _ = rgb.shape
    if (w, h) == (width, height):
        return rgb
    if width > w or height > h:
        fail(f"{path} is {w}x{h}; this script only shrinks (pass coordnet's source.png at {width}x{height})")
    wy, wx = area_matrix(h, height), area_matrix(w, width)
    return np.stack([wy @ rgb[:, :, c] @ wx.T for c in range(3)], axis=-1)


def coordinates(width, height, rng):
    def axis(n):
        t = np.arange(n) / (n - 1) if n > 1 else np.zeros(n)
        return t if rng == "01" else 2 * t - 1

    y, x = np.meshgrid(axis(height), axis(width), indexing="ij")
    return torch.tensor(np.stack([x.ravel(), y.ravel()], axis=-1), dtype=torch.float32)


def encode(p, enc, gen):
    if enc["type"] == "none":
        return p
    if enc["type"] == "positional":
        feats = [p] if enc["includeInput"] else []
        for k in range(enc["frequencies"]):
            c = (2.0**k) * math.pi
            feats += [torch.sin(c * p), torch.cos(c * p)]  # NeRF order: sines of all coords, then cosines
        return torch.cat(feats, dim=-1)
    if enc["type"] == "gaussian":
        B = torch.randn(enc["features"], 2, generator=gen) * enc["sigma"]
        u = 2 * math.pi * p @ B.T
        return torch.cat([torch.sin(u), torch.cos(u)], dim=-1)
    fail(f"unknown encoding {enc['type']}")


class Sine(nn.Module):
    def forward(self, z):
        return torch.sin(OMEGA0 * z)


def act(name):
    table = {"relu": nn.ReLU, "gelu": nn.GELU, "elu": nn.ELU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "sine": Sine, "identity": nn.Identity}
    if name not in table:
        fail(f"unknown activation {name}")
    return table[name]()


def network(inputs, net):
    sizes = [inputs] + [net["width"]] * net["depth"] + [3]
    layers = []
    for i in range(len(sizes) - 1):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        if net.get("init", "siren" if net["activation"] == "sine" else "torch") == "siren":
            bound = 1 / sizes[i] if i == 0 else math.sqrt(6 / sizes[i]) / OMEGA0
            with torch.no_grad():
                lin.weight.uniform_(-bound, bound)
        layers += [lin, act(net["activation"] if i < len(sizes) - 2 else net["outputActivation"])]
    return nn.Sequential(*layers)


def run(preset, image, epochs, seed):
    cfg = preset["config"]
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    h, w, _ = image.shape
    inputs = encode(coordinates(w, h, cfg["encoding"].get("range", "01")), cfg["encoding"], gen)
    targets = torch.tensor(image.reshape(-1, 3), dtype=torch.float32)
    net = network(inputs.shape[1], cfg["network"])
    opt = cfg.get("optimizer", {})
    adam = torch.optim.Adam(net.parameters(), lr=opt.get("lr", 1e-3), betas=(opt.get("beta1", 0.9), opt.get("beta2", 0.999)), eps=opt.get("eps", 1e-8))
    sched = cfg.get("schedule", {"every": 50, "factor": 0.5})
    step = torch.optim.lr_scheduler.StepLR(adam, step_size=sched["every"], gamma=sched["factor"]) if sched["every"] > 0 else None
    batch = cfg["training"]["batchSize"]
    n = inputs.shape[0]
    loss_fn = nn.MSELoss()
    start = time.time()
    final_loss = None
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, batch):
            idx = order[i : i + batch]
            adam.zero_grad()
            loss = loss_fn(net(inputs[idx]), targets[idx])
            loss.backward()
            adam.step()
            total += loss.item() * len(idx)
        final_loss = total / n
        if step:
            step.step()
    seconds = time.time() - start
    with torch.no_grad():
        mse = torch.mean((net(inputs).clamp(0, 1) - targets) ** 2).item()
    return {"name": preset["name"], "seed": seed, "mse": mse, "psnr": 10 * math.log10(1 / mse), "finalLoss": final_loss, "seconds": seconds}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("image")
    ap.add_argument("--size", required=True, help="WxH")
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--from-seed", type=int, default=0, help="start at this seed (to split the seeds over processes; merge their runs after)")
    ap.add_argument("--presets", default=",".join(STUDY), help="comma-separated (default: the study's seven)")
    ap.add_argument("--out", default="torch-results.json")
    # one thread: Debian's torch (generic BLAS) measured 27 ms of CPU per step of the study's network
    # with one thread and 148 ms with two on this 2-core machine under load (OpenMP threads spinning)
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    a = ap.parse_args()
    try:
        width, height = (int(v) for v in a.size.lower().split("x"))
        assert width > 0 and height > 0
    except (ValueError, AssertionError):
        fail(f"--size must be WxH, got {a.size}")
    if a.epochs < 1 or a.seeds < 1:
        fail("--epochs and --seeds must be positive")
    presets = []
    for name in a.presets.split(","):
        path = os.path.join(ROOT, "presets", f"{name.strip()}.json")
        if not os.path.exists(path):
            fail(f"unknown preset {name}")
        with open(path) as f:
            presets.append(json.load(f))
    image = load_image(a.image, width, height)
    torch.set_num_threads(max(1, a.threads))
    result = {
        "label": f"PyTorch {torch.__version__}",
        "generator": f"scripts/torch_paper.py, torch {torch.__version__}, {torch.get_num_threads()} threads",
        "image": os.path.abspath(a.image),
        "width": width,
        "height": height,
        "epochs": a.epochs,
        "runs": [],
    }
    if os.path.exists(a.out):
        with open(a.out) as f:
            old = json.load(f)
        if all(old.get(k) == result[k] for k in ("image", "width", "height", "epochs")):
            result["runs"] = old["runs"]
    done = {(r["name"], r["seed"]) for r in result["runs"]}
    for preset in presets:
        for seed in range(a.from_seed, a.seeds):
            if (preset["name"], seed) in done:
                print(f"{preset['name']} seed {seed}: kept", flush=True)
                continue
            r = run(preset, image, a.epochs, seed)
            result["runs"].append(r)
            tmp = f"{a.out}.tmp"
            with open(tmp, "w") as f:
                json.dump(result, f, indent=1)
            os.replace(tmp, a.out)
            print(f"{r['name']} seed {seed}: MSE {r['mse']:.5f} PSNR {r['psnr']:.2f} dB ({r['seconds']:.1f} s)", flush=True)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
