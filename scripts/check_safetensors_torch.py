#!/usr/bin/env python3
"""Load a coordnet model.safetensors into PyTorch and check it reproduces coordnet's image.

Usage: /usr/bin/python3 scripts/check_safetensors_torch.py RUN_DIR
RUN_DIR holds model.safetensors, final.png and run.json from `coordnet train`.

It reads the safetensors file with nothing but json and torch (the format is an 8-byte
little-endian header length, a JSON header, raw little-endian tensors), builds the same network
as torch.nn modules from the config in the header's __metadata__, loads the tensors with
load_state_dict (names layers.{i}.weight / layers.{i}.bias, shapes as nn.Linear), evaluates
every pixel of the training grid, and compares with final.png (8-bit, so within 0.5/255 plus
float32 noise).
"""
import json
import math
import struct
import sys
import zlib

import torch
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        assert e["dtype"] == "F32", e
        b, t = e["data_offsets"]
        data = torch.frombuffer(bytearray(raw[8 + n + b : 8 + n + t]), dtype=torch.float32)
        tensors[name] = data.reshape(e["shape"])
    return tensors, meta


def read_png_rgb8(path):
    """Minimal reader for the 8-bit RGB PNGs coordnet writes (filters None/Up/Sub/Avg/Paeth)."""
    with open(path, "rb") as f:
        raw = f.read()
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(raw):
        (length,) = struct.unpack(">I", raw[pos : pos + 4])
        kind = raw[pos + 4 : pos + 8]
        body = raw[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype == 2
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    data = zlib.decompress(idat)
    stride = w * 3
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = data[y * (stride + 1)]
        line = bytearray(data[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b = prev[i]
            c = prev[i - 3] if i >= 3 else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return torch.tensor([list(r) for r in rows], dtype=torch.float32).reshape(h, w, 3) / 255


class Sine(nn.Module):
    def forward(self, z):
        return torch.sin(30 * z)


ACT = {"relu": nn.ReLU, "gelu": nn.GELU, "elu": nn.ELU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "sine": Sine, "identity": nn.Identity}


class CoordNet(nn.Module):
    def __init__(self, config, inputs):
        super().__init__()
        net = config["network"]
        sizes = [inputs] + [net["width"]] * net["depth"] + [3]
        self.layers = nn.ModuleList(nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1))
        self.act = ACT[net["activation"]]()
        self.out = ACT[net["outputActivation"]]()

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
        return self.out(self.layers[-1](x))


def encode(config, W, H, B):
    enc = config["encoding"]
    xs = torch.arange(W, dtype=torch.float32) / max(W - 1, 1)
    ys = torch.arange(H, dtype=torch.float32) / max(H - 1, 1)
    if enc["range"] == "11":
        xs, ys = 2 * xs - 1, 2 * ys - 1
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    p = torch.stack([xx, yy], dim=-1).reshape(-1, 2)  # row-major pixels, [x, y]
    if enc["type"] == "positional":
        feats = [p] if enc["includeInput"] else []
        for k in range(enc["frequencies"]):
            feats += [torch.sin((2.0**k) * math.pi * p), torch.cos((2.0**k) * math.pi * p)]
        return torch.cat(feats, dim=-1)
    if enc["type"] == "gaussian":
        u = 2 * math.pi * p @ B.T
        return torch.cat([torch.sin(u), torch.cos(u)], dim=-1)
    return p


def main():
    run_dir = sys.argv[1]
    tensors, meta = read_safetensors(f"{run_dir}/model.safetensors")
    config = json.loads(meta["config"])
    run = json.load(open(f"{run_dir}/run.json"))
    W, H = run["image"]["width"], run["image"]["height"]
    x = encode(config, W, H, tensors.get("encoding.B"))
    model = CoordNet(config, x.shape[1])
    model.load_state_dict({k: v for k, v in tensors.items() if k.startswith("layers.")})
    with torch.no_grad():
        pred = model(x).clamp(0, 1).reshape(H, W, 3)
    png = read_png_rgb8(f"{run_dir}/final.png")
    diff = (pred - png).abs().max().item()
    mse = ((pred - png) ** 2).mean().item()
    print(f"loaded {len(tensors)} tensors into torch {torch.__version__}; {W}x{H}; max |torch - final.png| = {diff:.6f} (8-bit rounding allows {0.5/255:.6f})")
    ok = diff <= 0.5 / 255 + 1e-4
    print("OK" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
