/**
 * Train a model with coordnet, then load it into PyTorch. This file prints the commands; run them
 * yourself, from the repository root:
 *
 *     npx tsx examples/04-load-in-pytorch.ts [RUN_DIR]
 *
 * `model.safetensors` is the real safetensors format: tensors `layers.{i}.weight` ([out, in], as
 * `nn.Linear.weight`) and `layers.{i}.bias`, `encoding.B` for Gaussian features, and the resolved
 * config as JSON in the header's `__metadata__.config`. `scripts/check_safetensors_torch.py`
 * rebuilds the network from that config as `torch.nn` modules, loads the tensors with
 * `load_state_dict`, evaluates every pixel and compares with coordnet's `final.png`.
 *
 * test/examples.test.ts runs the printed train command (with fewer epochs) and checks the files
 * the Python script reads, and runs the script where PyTorch is installed.
 */

const run = process.argv[2] ?? "runs/pytorch";

const steps: [string, string][] = [
  [
    "1. Train the positional-encoding preset on the built-in photograph at 128×128 (20 epochs of 16,384 pixels):",
    `npx coordnet train --preset positional --size 128x128 --epochs 20 --out ${run}`,
  ],
  ["2. Install PyTorch (Debian's python3-torch, PyTorch 1.13, is what the project checks with):", "sudo apt-get install python3-torch"],
  [
    "3. Load model.safetensors into torch.nn modules, evaluate every pixel, compare with final.png:",
    `/usr/bin/python3 scripts/check_safetensors_torch.py ${run}`,
  ],
];

for (const [what, command] of steps) console.log(`# ${what}\n$ ${command}\n`);
console.log(`# Step 3 prints the largest difference between PyTorch's image and final.png, then "OK" when it is
# within 8-bit rounding (0.5/255). To use the model in your own code, copy read_safetensors and CoordNet
# from the script: reading the file needs nothing but json, struct and torch.`);
