#!/usr/bin/env python3
"""Write the PyTorch fixture that test/torch-fixture.test.ts checks the reference against.

Run with Debian's python3-torch (PyTorch 1.13):  /usr/bin/python3 scripts/make_torch_fixture.py OUT.json
(`npm run fixture` does this). The fixture is committed; the tests never need PyTorch.

For each of the seven activations it records, for a small MLP (3 inputs, 2 hidden layers of 6,
3 outputs, float32) on one batch of 5 samples: the initial weights, the outputs, the MSE loss,
the gradients of every weight, bias and of the input, then the losses, learning rates, weights
and Adam moments over 3 Adam steps (lr 0.01, StepLR step 2, gamma 0.5). It also records the
positional and Gaussian encodings of a few points, computed with torch ops.
"""
import json
import math
import sys

import torch
from torch import nn

ACTIVATIONS = ["relu", "gelu", "elu", "tanh", "sigmoid", "sine", "identity"]


class Sine(nn.Module):
    """SIREN's activation sin(30 z)."""

    def forward(self, z):
        return torch.sin(30.0 * z)


def act(name):
    return {
        "relu": nn.ReLU(),
        "gelu": nn.GELU(),  # exact, erf-based (approximate='none')
        "elu": nn.ELU(alpha=1.0),
        "tanh": nn.Tanh(),
        "sigmoid": nn.Sigmoid(),
        "sine": Sine(),
        "identity": nn.Identity(),
    }[name]


def flat(t):
    return t.detach().reshape(-1).tolist()


def case(index, name):
    torch.manual_seed(1000 + index)
    inputs, width, depth, outputs, batch = 3, 6, 2, 3, 5
    out_act = "sigmoid" if index % 2 == 0 else "identity"
    sizes = [inputs] + [width] * depth + [outputs]
    linears = [nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]
    if name == "sine":
        # keep pre-activations moderate so sin(30 z) stays well-conditioned in float32
        with torch.no_grad():
            for lin in linears:
                lin.weight.mul_(0.1)
    modules = []
    for i, lin in enumerate(linears):
        modules.append(lin)
        modules.append(act(name) if i < len(linears) - 1 else act(out_act))
    net = nn.Sequential(*modules)
    x = (torch.randn(batch, inputs) * 0.8).requires_grad_(True)
    y = torch.rand(batch, outputs)
    initial = [{"weight": flat(l.weight), "bias": flat(l.bias)} for l in linears]

    pred = net(x)
    loss = nn.MSELoss()(pred, y)
    loss.backward()
    grads = [{"weight": flat(l.weight.grad), "bias": flat(l.bias.grad)} for l in linears]

    params = [p for l in linears for p in (l.weight, l.bias)]
    opt = torch.optim.Adam(params, lr=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    steps = []
    for _ in range(3):
        lr = opt.param_groups[0]["lr"]
        opt.zero_grad()
        l = nn.MSELoss()(net(x.detach()), y)
        l.backward()
        opt.step()
        sched.step()
        steps.append({"lr": lr, "loss": l.item()})
    after = [{"weight": flat(l.weight), "bias": flat(l.bias)} for l in linears]
    m = [flat(opt.state[p]["exp_avg"]) for p in params]
    v = [flat(opt.state[p]["exp_avg_sq"]) for p in params]
    return {
        "activation": name,
        "outputActivation": out_act,
        "inputs": inputs,
        "width": width,
        "depth": depth,
        "outputs": outputs,
        "batch": batch,
        "x": flat(x),
        "y": flat(y),
        "initial": initial,
        "output": flat(pred),
        "loss": loss.item(),
        "grads": grads,
        "inputGrad": flat(x.grad),
        "adam": {"lr": 0.01, "stepEvery": 2, "gamma": 0.5, "steps": steps, "after": after, "m": m, "v": v},
    }


def encodings():
    torch.manual_seed(7)
    p = torch.rand(4, 2) * 2 - 1
    L = 5
    feats = []
    for k in range(L):
        c = (2.0**k) * math.pi
        feats += [torch.sin(c * p), torch.cos(c * p)]  # NeRF order: sines of all coords, then cosines
    positional = torch.cat(feats, dim=-1)
    B = torch.randn(8, 2) * 3.0
    u = 2 * math.pi * p @ B.T
    gaussian = torch.cat([torch.sin(u), torch.cos(u)], dim=-1)
    return {"points": flat(p), "frequencies": L, "positional": flat(positional), "B": flat(B), "gaussian": flat(gaussian)}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/torch-reference.json"
    fixture = {
        "generator": f"scripts/make_torch_fixture.py with torch {torch.__version__}",
        "cases": [case(i, n) for i, n in enumerate(ACTIVATIONS)],
        "encodings": encodings(),
    }
    with open(out, "w") as f:
        json.dump(fixture, f)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
