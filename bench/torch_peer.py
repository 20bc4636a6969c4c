#!/usr/bin/env python3
"""The benchmark's peer: the same training in PyTorch (Debian's python3-torch, 1.13).

usage: python3 bench/torch_peer.py PRESET_JSON SAMPLES REPEATS THREADS [DEADLINE]
Prints one JSON line: {"threads", "samples", "warmup", "seconds": [...], "cpuSeconds": [...] (CPU time of
all its threads per timed epoch), "stamps": [[start, end], ...],
"peakRssMB", "torch"}; stamps are each timed epoch's wall-clock start and end (ms since 1970). With
DEADLINE (ms since 1970) it runs at least REPEATS epochs and goes on until DEADLINE (see
bench/contention.mjs).
Same network (Linear/activation stack from the preset's config), MSE, Adam, batch size, a fresh
random permutation per epoch, float32, inputs encoded as coordnet encodes them.
"""
import json
import math
import os
import resource
import sys
import time

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
    return p


def main():
    preset, samples, repeats, threads = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    deadline = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    torch.set_num_threads(threads)
    cfg = preset["config"]
    net_cfg = cfg["network"]
    width = 512
    height = samples // width
    lo, hi = (0.0, 1.0) if cfg["encoding"]["range"] == "01" else (-1.0, 1.0)
    xs = torch.linspace(lo, hi, width)
    ys = torch.linspace(lo, hi, height) if height > 1 else torch.tensor([lo])
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    x = encode(cfg["encoding"], torch.stack([xx, yy], dim=-1).reshape(-1, 2))
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
    print(json.dumps({"threads": threads, "samples": samples, "warmup": warmup, "seconds": seconds, "cpuSeconds": cpu, "stamps": stamps, "peakRssMB": peak, "torch": torch.__version__, "blas": blas}))


if __name__ == "__main__":
    main()
