#!/usr/bin/env python3
"""The benchmark's peer: the same training in PyTorch (Debian's python3-torch, 1.13).

usage: python3 bench/torch_peer.py PRESET_JSON SAMPLES REPEATS THREADS [DEADLINE]
Prints one JSON line: {"threads", "samples", "warmup", "seconds": [...], "cpuSeconds": [...] (CPU time of
all its threads per timed epoch), "stamps": [[start, end], ...],
"peakRssMB", "torch"}; stamps are each timed epoch's wall-clock start and end (ms since 1970). With
DEADLINE (ms since 1970) it runs at least REPEATS epochs and goes on until DEADLINE (see
bench/contention.mjs).
Same network (Linear/activation stack from the preset's config), MSE, Adam, batch size, a fresh
random permutation per epoch, float32, inputs encoded as coordnet encodes them; for SAPE, the
masked Gaussian features and, after each epoch, what coordnet's host does to advance the mask: a
prediction of every sample, the squared error per cell and the inputs masked again.

THREADS is the whole process's CPU threads. Debian's torch hands its matrix products to OpenBLAS,
whose pthread build starts one thread per core whatever torch.set_num_threads says, so the peer
sets OPENBLAS_NUM_THREADS = THREADS before torch loads and keeps torch's own intra-op pool at one
thread. Measured on the 2-core machine (relu-sigmoid, 262,144 samples, s/epoch; torch × BLAS
threads): 1×1 1.43–1.47, 1×2 1.10–1.19 (what this peer runs for THREADS = 2), 2×1 1.27–1.38, and
2×2 4.0–5.0 — two OpenMP workers each calling a 2-thread OpenBLAS oversubscribe the cores (up to
2 CPU-seconds per wall second spent mostly waiting). Before this, "1 thread" here meant torch 1 ×
OpenBLAS 2 and "2 threads" the oversubscribed 2 × 2.
"""
import json
import math
import os
import resource
import sys
import time

if __name__ == "__main__" and len(sys.argv) > 4:
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[4]

import torch
from torch import nn


class Sine(nn.Module):
    def forward(self, z):
        return torch.sin(30 * z)


ACT = {"relu": nn.ReLU, "gelu": nn.GELU, "elu": nn.ELU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "sine": Sine, "identity": nn.Identity}


def encode(enc, p):
    if enc["type"] == "positional":
        feats = [p] if enc.get("includeInput") else []
        for k in range(enc["frequencies"]):
            feats += [torch.sin((2.0**k) * math.pi * p), torch.cos((2.0**k) * math.pi * p)]
        return torch.cat(feats, dim=-1)
    if enc["type"] == "gaussian":
        B = torch.randn(enc["features"], 2) * enc["sigma"]
        u = 2 * math.pi * p @ B.T
        return torch.cat([torch.sin(u), torch.cos(u)], dim=-1)
    if enc["type"] == "sape":
        B = torch.randn(enc["features"], 2) * enc["sigma"]
        B = B[B.norm(dim=1).argsort()]
        u = 2 * math.pi * p @ B.T
        return torch.cat([p, torch.sin(u), torch.cos(u)], dim=-1)
    return p


class Sape:
    """SAPE's mask over the features (coordinates unmasked): α[n][i] = clamp(P(x_n) − i, 0, 1), P
    per cell of a G×G grid (nearest cell here; coordnet interpolates bilinearly, the same order of
    work), advanced after each epoch where the cell's mean squared error is above ε."""

    def __init__(self, enc, p, lo, hi):
        self.m, G = enc["features"], enc["grid"]
        cell = ((p - lo) / (hi - lo) * G).long().clamp(0, G - 1)
        self.cell = cell[:, 1] * G + cell[:, 0]
        self.G, self.eps = G, enc["epsilon"]
        self.progress = torch.zeros(G * G)
        self.bands = torch.arange(self.m, dtype=torch.float32)

    def apply(self, unmasked):
        alpha = (self.progress[self.cell][:, None] - self.bands[None, :]).clamp(0, 1)
        return torch.cat([unmasked[:, :2], unmasked[:, 2 : 2 + self.m] * alpha, unmasked[:, 2 + self.m :] * alpha], dim=-1)

    def advance(self, model, x, y, step):
        with torch.no_grad():
            err = ((model(x) - y) ** 2).mean(dim=1)
        cells = self.G * self.G
        sums = torch.zeros(cells).scatter_add_(0, self.cell, err)
        counts = torch.zeros(cells).scatter_add_(0, self.cell, torch.ones_like(err)).clamp(min=1)
        self.progress = torch.where(sums / counts > self.eps, (self.progress + step).clamp(max=self.m), self.progress)


def main():
    preset, samples, repeats, threads = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    deadline = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    torch.set_num_threads(1)  # intra-op pool; the BLAS threads were set above
    cfg = preset["config"]
    net_cfg = cfg["network"]
    width = 512
    height = samples // width
    lo, hi = (0.0, 1.0) if cfg["encoding"]["range"] == "01" else (-1.0, 1.0)
    xs = torch.linspace(lo, hi, width)
    ys = torch.linspace(lo, hi, height) if height > 1 else torch.tensor([lo])
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    coords = torch.stack([xx, yy], dim=-1).reshape(-1, 2)
    unmasked = encode(cfg["encoding"], coords)
    sape = Sape(cfg["encoding"], coords, lo, hi) if cfg["encoding"]["type"] == "sape" else None
    x = sape.apply(unmasked) if sape else unmasked
    y = torch.rand(samples, 3)
    sizes = [x.shape[1]] + [net_cfg["width"]] * net_cfg["depth"] + [3]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        layers.append(ACT[net_cfg["activation"]]() if i < len(sizes) - 2 else ACT[net_cfg.get("outputActivation", "sigmoid")]())
    model = nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["optimizer"]["lr"])
    loss_fn = nn.MSELoss()
    bs = cfg["training"]["batchSize"]

    stamps = []
    cpu = []

    def epoch():
        nonlocal x
        w0 = time.time() * 1000
        c0 = time.process_time()
        t0 = time.perf_counter()
        perm = torch.randperm(samples)
        for s in range(0, samples, bs):
            idx = perm[s : s + bs]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        if sape:
            sape.advance(model, x, y, sape.m / max(1, math.ceil(cfg["encoding"]["unlockBy"] * cfg["training"]["epochs"])))
            x = sape.apply(unmasked)
        t1 = time.perf_counter()
        # CPU seconds of every thread of the process: the work, whatever share of the CPU it got
        cpu.append(time.process_time() - c0)
        stamps.append([w0, w0 + (t1 - t0) * 1000])
        return t1 - t0

    warmup = epoch()
    stamps.clear()
    cpu.clear()
    seconds = []
    while len(seconds) < repeats or time.time() * 1000 < deadline:
        seconds.append(epoch())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Debian's torch calls the system BLAS through the libblas.so.3 alternative: the reference
    # (generic) BLAS unless OpenBLAS is installed (libopenblas0-pthread), which is several times faster
    blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    print(json.dumps({"threads": threads, "torchThreads": torch.get_num_threads(), "samples": samples, "warmup": warmup, "seconds": seconds, "cpuSeconds": cpu, "stamps": stamps, "peakRssMB": peak, "torch": torch.__version__, "blas": blas}))


if __name__ == "__main__":
    main()
