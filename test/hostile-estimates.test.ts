import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// Issue 17, class 5, "Estimates that let a run die late": the memory estimate covers what a run
// really allocates up to its last file (the checkpoint, built from copies of the weights and of
// Adam's m and v), a run that cannot finish is refused before its first output, and
// compareBackends has a memory bound. Every child here runs under a watchdog that kills it above
// 1 GiB of resident memory, so a run the estimate lets through cannot take the machine with it.

const ROOT = resolve(__dirname, "..");
const BIN = join(ROOT, "bin", "coordnet.js");
const tmp = mkdtempSync(join(tmpdir(), "coordnet-estimates-"));
const WATCHDOG_BYTES = 2 ** 30;

interface Child {
  code: number | null;
  stdout: string;
  stderr: string;
  /** the largest resident size seen while it ran, in bytes (sampled every 20 ms) */
  peak: number;
  /** why the watchdog killed it, if it did */
  killed: string | null;
  seconds: number;
}

/** Resident bytes of a process now (0 once it is gone). */
function rss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Run `node args…`, killed above {@link WATCHDOG_BYTES} of resident memory or after `seconds`. */
function runNode(args: string[], seconds = 60): Promise<Child> {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: tmp });
    let stdout = "";
    let stderr = "";
    let peak = 0;
    let killed: string | null = null;
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const watch = setInterval(() => {
      peak = Math.max(peak, rss(child.pid as number));
      if (killed === null && peak > WATCHDOG_BYTES) killed = `resident memory above ${WATCHDOG_BYTES / 2 ** 20} MiB`;
      if (killed === null && performance.now() - started > seconds * 1000) killed = `still running after ${seconds} s`;
      if (killed !== null) child.kill("SIGKILL");
    }, 20);
    child.on("close", (code) => {
      clearInterval(watch);
      done({ code, stdout, stderr, peak, killed, seconds: (performance.now() - started) / 1000 });
    });
  });
}

const show = (c: Child) => JSON.stringify({ ...c, stderr: c.stderr.slice(0, 600), stdout: c.stdout.slice(0, 300) });

function expectRefusedBeforeOutput(c: Child, pattern: RegExp, out: string): void {
  expect(c.killed, show(c)).toBeNull();
  expect(c.code, show(c)).toBe(2);
  expect(c.stderr).toMatch(/^coordnet: [^\n]*\n$/);
  expect(c.stderr).toMatch(pattern);
  expect(c.stdout).toBe("");
  expect(existsSync(out) ? readdirSync(out) : [], "the run folder holds no output").toEqual([]);
}

describe("a training run that could not save its checkpoint is refused before its first output", () => {
  it("train --width 4096 --depth 22 --batch-size 1 under --max-memory 10240 (main: 5.3 GiB estimated, ran, peaked at 9.7 GB and failed after model.safetensors and final.png)", async () => {
    const out = join(tmp, "w4096d22");
    const c = await runNode([
      BIN,
      "train",
      ...["--width", "4096", "--depth", "22", "--batch-size", "1", "--epochs", "1", "--size", "8x8", "--backend", "reference"],
      ...["--max-memory", "10240", "--out", out],
    ]);
    // 352 M parameters: the trainer's 4 floats each, the saves' 8 (the checkpoint's 6 and the model
    // file's 2, which may not be collected yet), and 10%: 17.3 GiB
    expectRefusedBeforeOutput(
      c,
      /this needs about 17\.\d GiB of memory \(saving the model and the checkpoint: 10\.5 GiB, weights, gradients, Adam m and v: 5\.3 GiB\), above the limit of 10\.0 GiB; lower --batch-size \(now 1\), --width \(now 4096\) or --depth \(now 22\).*raise --max-memory/,
      out,
    );
    expect(c.peak).toBeLessThan(512 * 2 ** 20);
  });

  it("a network whose checkpoint is more than one byte array holds (4096×23: 4.4 GiB), whatever --max-memory allows (main: trained, then could not write it)", async () => {
    const out = join(tmp, "w4096d23");
    const c = await runNode([
      BIN,
      "train",
      ...["--width", "4096", "--depth", "23", "--batch-size", "1", "--epochs", "1", "--size", "8x8", "--backend", "reference"],
      ...["--max-memory", "1000000", "--out", out],
    ]);
    expectRefusedBeforeOutput(
      c,
      /this network's checkpoint would be 4\.\d GiB, more than one JavaScript byte array holds \(4\.0 GiB\), so the run could never save it; lower --width \(now 4096\) or --depth \(now 23\)/,
      out,
    );
  });
});

describe("the estimate covers the measured peak", () => {
  // the CLI in a child that reports its own peak (maxRSS); growth is over the same run of a 1×1 network
  const script = join(tmp, "peak.mjs");
  writeFileSync(
    script,
    `import { main } from ${JSON.stringify(join(ROOT, "dist", "cli", "main.js"))};
const code = await main(["node", "coordnet", ...process.argv.slice(2)]);
console.log(JSON.stringify({ code, maxRSS: process.resourceUsage().maxRSS * 1024 }));
process.exit(0);
`,
  );
  const peakOf = async (args: string[]) => {
    const c = await runNode([script, ...args]);
    expect(c.killed, show(c)).toBeNull();
    const last = JSON.parse(c.stdout.trim().split("\n").at(-1) as string);
    expect(last.code, show(c)).toBe(0);
    return last.maxRSS as number;
  };
  /** The estimate in bytes, read from the refusal under --max-memory 1. */
  const estimateOf = async (args: string[]) => {
    const c = await runNode([BIN, ...args, "--max-memory", "1"]);
    const m = /this needs about (\d+\.\d) (MiB|GiB)/.exec(c.stderr);
    expect(m, show(c)).not.toBeNull();
    const [, value, unit] = m as RegExpExecArray;
    return Number(value) * (unit === "GiB" ? 2 ** 30 : 2 ** 20);
  };

  for (const backend of ["reference", "wasm"])
    it(`train 1024×8, batch 1, on ${backend}: saving the checkpoint doubles the trainer's memory (main estimated under half the measured growth)`, async () => {
      const args = (width: string, depth: string) => [
        "train",
        ...["--width", width, "--depth", depth, "--batch-size", "1", "--epochs", "1", "--size", "2x2", "--backend", backend],
        ...["--out", join(tmp, `peak-${backend}-${width}`), "--force"],
      ];
      const base = await peakOf(args("1", "1"));
      const peak = await peakOf(args("1024", "8"));
      const estimate = await estimateOf(args("1024", "8"));
      // measured on the 2-core machine: growth 279 MiB (reference) and 312 MiB (wasm); estimates 309 and 340 MiB
      // with the checkpoint's 6 floats a parameter; on 2026-12-07 reference grew by 315 MiB once (the
      // model file's copy not yet collected), so the estimate counts the model file's 2 as well
      expect(peak - base).toBeGreaterThan(200 * 2 ** 20); // the run did allocate what it is about
      expect(estimate, `estimate ${estimate} < measured growth ${peak - base}`).toBeGreaterThanOrEqual(peak - base);
      expect(estimate).toBeLessThan(2 * (peak - base)); // and does not refuse runs for nothing
    });
});

describe("compareBackends has a memory bound, checked before anything is allocated", () => {
  const compare = (spec: string, options = "") =>
    runNode([
      "--input-type=module",
      "-e",
      `import { compareBackends } from ${JSON.stringify(join(ROOT, "dist", "backends", "index.js"))};
try {
  const r = await compareBackends("reference", "wasm", { spec: { inputs: 2, outputs: 3, activation: "relu", outputActivation: "sigmoid", ${spec} }${options} });
  console.log(JSON.stringify({ resolved: r.pass }));
} catch (e) {
  console.log(JSON.stringify({ name: e.name, message: e.message }));
}
process.exit(0);`,
    ]);
  const outcome = (c: Child) => JSON.parse(c.stdout.trim().split("\n").at(-1) ?? "null");

  it("width 4096 × depth 64 (main: 16.6 GB before a RangeError)", async () => {
    const c = await compare("width: 4096, depth: 64");
    expect(c.killed, show(c)).toBeNull();
    const o = outcome(c);
    expect(o.name, show(c)).toBe("BudgetError");
    expect(o.message).toMatch(
      /^compareBackends: this needs about \d+\.\d GiB of memory \(.*\), above the limit of 4\.0 GiB; compare a narrower or shallower network/,
    );
    expect(o.message).not.toMatch(/\n/);
    expect(c.peak).toBeLessThan(300 * 2 ** 20);
    expect(c.seconds).toBeLessThan(20);
  });

  it("a limit of its own: maxBytes (width 512 × depth 4 fits 4 GiB, not 64 MiB; main ran it)", async () => {
    const o = outcome(await compare("width: 512, depth: 4", ", batch: 16, steps: 1, maxBytes: 64 * 2 ** 20"));
    expect(o.name).toBe("BudgetError");
    expect(o.message).toMatch(/^compareBackends: this needs about \d+\.\d MiB of memory .*above the limit of 64\.0 MiB;.*raise options\.maxBytes$/);
  });

  it("depth 4096, however narrow (main accepted it)", async () => {
    const o = outcome(await compare("width: 4, depth: 4096", ", batch: 4, steps: 1"));
    expect(o).toEqual({
      name: "BudgetError",
      message: "compareBackends: spec.depth is 4096, deeper than any network coordnet trains (at most 64 hidden layers)",
    });
  });
});
