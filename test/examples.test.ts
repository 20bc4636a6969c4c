import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePNG } from "../dist/image/index.js";

// Every example in examples/ runs here, as a reader runs it (`npx tsx examples/X.ts`), and its
// output is checked for what it claims, so that none of them rots.

const TSX = "node_modules/tsx/dist/cli.mjs";
const run = (file: string, ...args: string[]) => execFileSync(process.execPath, [TSX, file, ...args], { encoding: "utf8" });
const tmp = mkdtempSync(join(tmpdir(), "coordnet-examples-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The lines of one `--- name ---` section of an output. */
function section(output: string, name: string): string[] {
  const lines = output.split("\n");
  const begin = lines.indexOf(`--- ${name} ---`);
  expect(begin, `section '${name}'`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, k) => k > begin && /^--- \S+ ---$/.test(l));
  return lines.slice(begin + 1, end < 0 ? undefined : end);
}

/** The numbers captured by `re` in `text`; fails the test when `text` does not match. */
function captured(re: RegExp, text: string): number[] {
  const m = re.exec(text);
  expect(m, `output matching ${re}`).not.toBeNull();
  return (m?.slice(1) ?? []).map(Number);
}

describe("examples", () => {
  it("every example is listed in examples/README.md", () => {
    const files = readdirSync("examples").filter((f) => f.endsWith(".ts"));
    expect(files.sort()).toEqual(["01-backprop-by-hand.ts", "02-fit-an-image.ts", "03-compare-backends.ts", "04-load-in-pytorch.ts", "05-spectral-bias.ts"]);
    const readme = readFileSync("examples/README.md", "utf8");
    for (const f of files) expect(readme).toContain(`(${f})`);
  });

  it("01-backprop-by-hand prints every number, and its checks hold", () => {
    const out = run("examples/01-backprop-by-hand.ts");
    const names = ["network", "forward", "loss", "backward", "matrix-form", "finite-differences", "overwrite", "adam"];
    expect(out.split("\n").filter((l) => /^--- \S+ ---$/.test(l))).toEqual(names.map((n) => `--- ${n} ---`));
    // every yes/no it prints (same ŷ, same gradients, gradients unchanged by a second call) is yes
    const verdicts = out.split("\n").filter((l) => /: (true|false)$/.test(l));
    expect(verdicts.length).toBe(3);
    for (const v of verdicts) expect(v).toMatch(/: true$/);
    // the matrix products equal the loops: float64 sums of 3 products, so any difference beyond
    // a few ulps of values ~0.1 (1e-12 is ten thousand of them) is a wrong formula
    const diffs = section(out, "matrix-form")
      .filter((l) => l.includes("max |matrix − loops| = "))
      .flatMap((l) => [...(l.split("max |matrix − loops| = ")[1] ?? "").matchAll(/[0-9][0-9.e+-]*/g)].map((m) => Number(m[0])));
    expect(diffs.length).toBe(5);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-12);
    // finite differences with h = 1e-6 in float64: truncation O(h²) and rounding O(1e-16/h) put
    // the error near 1e-10; a wrong rule is off by the size of the gradient (1e-2 here)
    const fd = section(out, "finite-differences");
    expect(fd.filter((l) => /^\S+\s+backprop /.test(l)).length).toBe(11); // 9 parameters + 2 inputs
    const [worst] = captured(/max \|backprop − finite difference\| = (\S+)/, fd.join("\n"));
    expect(worst).toBeLessThan(1e-8);
    // Adam's first step moves every parameter with a gradient by lr = 1e-3 against its sign,
    // and leaves the others where they are
    const rows = section(out, "adam").filter((l) => /^[Wb]/.test(l));
    expect(rows.length).toBe(9);
    for (const row of rows) {
      const [, before, g, , , after, change] = row.split(/\s+/).map(Number);
      expect(after - before).toBeCloseTo(change, 6);
      expect(change).toBeCloseTo(g === 0 ? 0 : -Math.sign(g) * 1e-3, 6);
    }
    const [lossBefore, lossAfter] = captured(/loss before the step\s+(\S+), after\s+(\S+)/, out);
    expect(lossAfter).toBeLessThan(lossBefore);
  });

  it("05-spectral-bias: raw coordinates' NTK eigenvalues decay faster than positional's, and training learns raw's low frequencies first", () => {
    const out = run("examples/05-spectral-bias.ts");
    const ntk = section(out, "ntk")
      .filter((l) => /^\s+\d+\s/.test(l))
      .map((l) => l.trim().split(/\s+/).map(Number));
    expect(ntk.map((r) => r[0])).toEqual([1, 2, 4, 8, 16, 32]);
    // λ₁/λ₁ = 1; beyond rank 2 raw's eigenvalues are below positional's (measured at rank 16:
    // 1.2e-4 against 1.9e-3)
    expect(ntk[0].slice(1)).toEqual([1, 1]);
    for (const [, raw, positional] of ntk.slice(2)) expect(raw).toBeLessThan(positional);
    // the linearised model's halving times follow from the eigenvalues: slower for raw at depth
    const halving = section(out, "linearised")
      .filter((l) => /^\s+\d+\s/.test(l))
      .map((l) => l.trim().split(/\s+/).map(Number));
    // every rank past the first is there (the loop below asserts nothing on an empty section)
    expect(halving.map((r) => r[0])).toEqual([2, 4, 8, 16, 32]);
    for (const [i, raw, positional] of halving) if (i >= 8) expect(raw).toBeGreaterThan(positional);
    // training: raw learns 2 cycles within the run, 20 later or never; positional learns 20 sooner
    const rows = Object.fromEntries(
      section(out, "training")
        .filter((l) => /^(raw|positional)\s/.test(l))
        .map((l) => {
          const [name, ...epochs] = l.trim().split(/\s+/);
          return [name, epochs.map((e) => (e === "–" ? Number.POSITIVE_INFINITY : Number(e)))];
        }),
    );
    expect(rows.raw).toHaveLength(10);
    expect(rows.raw[0]).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(rows.raw[9]).toBeGreaterThan(rows.raw[0]);
    expect(rows.positional[9]).toBeLessThan(rows.raw[9]);
  }, 300_000); // 2 × 120 epochs of 256 samples: seconds on an idle machine, a minute on a busy one

  describe("04-load-in-pytorch", () => {
    const dir = join(tmp, "pytorch");
    let commands: string[] = [];
    beforeAll(() => {
      commands = run("examples/04-load-in-pytorch.ts", dir)
        .split("\n")
        .filter((l) => l.startsWith("$ "))
        .map((l) => l.slice(2));
    });

    it("prints a train command that writes everything the PyTorch script reads", () => {
      expect(commands).toHaveLength(3);
      const train = commands[0];
      expect(train).toMatch(/^npx coordnet train .*--out /);
      // `npx coordnet` runs bin/coordnet.js here; fewer epochs keep the test short
      const args = train
        .replace(/^npx coordnet /, "")
        .replace(/--epochs \d+/, "--epochs 2")
        .split(" ");
      execFileSync(process.execPath, ["bin/coordnet.js", ...args], { encoding: "utf8" });
      for (const f of ["model.safetensors", "final.png", "run.json"]) expect(existsSync(join(dir, f)), f).toBe(true);
      const bytes = readFileSync(join(dir, "model.safetensors"));
      const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString("utf8"));
      expect(
        Object.keys(header)
          .filter((k) => k.startsWith("layers."))
          .sort(),
      ).toEqual([0, 1, 2, 3, 4].flatMap((i) => [`layers.${i}.bias`, `layers.${i}.weight`]).sort());
      expect(header["layers.0.weight"].shape).toEqual([128, 20]); // positional L = 5: 2 → 20 inputs
      expect(JSON.parse(header.__metadata__.config).encoding.type).toBe("positional");
      expect(commands[1]).toContain("python3-torch");
      expect(commands[2]).toBe(`/usr/bin/python3 scripts/check_safetensors_torch.py ${dir}`);
    });

    const torch = spawnSync("/usr/bin/python3", ["-c", "import torch"]).status === 0;
    it.skipIf(!torch)("whose last command loads the model into PyTorch and reproduces final.png (needs Debian's python3-torch)", () => {
      const [python, ...args] = commands[2].split(" ");
      const out = execFileSync(python, args, { encoding: "utf8" });
      expect(out).toMatch(/^loaded 10 tensors into torch/);
      expect(out.trim().split("\n").at(-1)).toBe("OK");
    });
  });

  // 02 and 03 use the high-level API (`fit`, `Model`, `compareBackends`, `coordnet/node`).
  it("02-fit-an-image learns the image: lower loss, well above a flat colour, a 256×256 render, the same model after saving", () => {
    const dir = join(tmp, "fit");
    const out = run("examples/02-fit-an-image.ts", dir);
    const losses = [...out.matchAll(/^epoch \d+: loss (\S+),/gm)].map((m) => Number(m[1]));
    expect(losses.length).toBeGreaterThanOrEqual(2);
    expect(losses.at(-1)).toBeLessThan(losses[0]);
    const [fitted, flat] = captured(/PSNR at 64×64: (\S+) dB \(the image's mean colour everywhere: (\S+) dB\)/, out);
    // 50 epochs of the positional preset at 64×64 reach about 22 dB (measured with the CLI,
    // coordnet train --preset positional --size 64x64 --epochs 50: 21.9 dB with the preset's inputs
    // in [0,1], 20.2 dB when they were in [−1,1]); the mean colour
    // everywhere scores 10.7 dB on the photograph shrunk to 64×64. 5 dB above it is a loose floor
    // that any working fit clears and a network that learnt nothing does not.
    expect(fitted).toBeGreaterThan(flat + 5);
    expect(out).toMatch(/^trained on (reference|wasm|webgpu|gpujs-wasm|gpujs-cpu) in \S+ s$/m);
    const png = decodePNG(readFileSync(join(dir, "render-256.png")));
    expect([png.width, png.height]).toEqual([256, 256]);
    expect(out).toMatch(/same prediction after fromSafetensors: true, after saveModel\/loadModel: true/);
  }, 300_000); // 50 epochs of 4096 pixels: about a second on an idle machine, a minute on a busy one

  it("03-compare-backends finds wasm within tolerance of the reference, tensor by tensor", () => {
    const out = run("examples/03-compare-backends.ts", "reference", "wasm");
    expect(out).toMatch(/^wasm against reference /);
    const rows = out.split("\n").filter((l) => / (pass|FAIL)$/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(11); // outputs + dW and db of 5 layers, at least
    for (const row of rows) expect(Number(row.trim().split(/\s+/).at(-2))).toBeLessThanOrEqual(1); // worst/bound
    expect(out).toMatch(/^PASS: wasm matches reference/m);
  });
});
