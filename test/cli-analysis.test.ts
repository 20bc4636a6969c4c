import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NTK_OUTPUTS } from "../dist/cli/commands/ntk.js";
import { SPECTRUM_OUTPUTS } from "../dist/cli/commands/spectrum.js";

// `coordnet spectrum` and `coordnet ntk` end to end: the built command (bin/coordnet.js → dist/).
const BIN = join(process.cwd(), "bin", "coordnet.js");
const tmp = mkdtempSync(join(tmpdir(), "coordnet-analysis-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const run = (...args: string[]): SpawnSyncReturns<string> => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: tmp });

function expectOneLineError(r: SpawnSyncReturns<string>, pattern: RegExp): void {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe("coordnet spectrum", () => {
  it("writes spectrum.json whose raw coordinates learn the image's lowest band before its highest, and the heatmaps", () => {
    const out = join(tmp, "spectrum");
    const r = run("spectrum", "--inputs", "raw", "--signal-epochs", "60", "--out", out);
    expect(r.status).toBe(0);
    const s = JSON.parse(readFileSync(join(out, "spectrum.json"), "utf8"));
    const image = s.image.inputs.raw;
    expect(s.image.bands).toHaveLength(8);
    expect(image.error).toHaveLength(8);
    expect(image.error[0]).toHaveLength(31); // initialisation and 30 epochs
    // the lowest band is learnt (error below half the image's own) within the 30 epochs; the
    // highest, if ever, later (measured: 16 and never)
    const [low, high] = [image.learnedAt[0], image.learnedAt[7]];
    expect(low).not.toBeNull();
    expect(high === null || high > low).toBe(true);
    // and the matrix says the same as learnedAt: the first epoch below the threshold
    expect(image.error[0][low]).toBeLessThan(s.image.threshold);
    expect(image.error[0].slice(0, low).every((e: number) => e >= s.image.threshold)).toBe(true);
    expect(s.signal.frequencies).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(s.signal.inputs.raw.error[0]).toHaveLength(61);
    for (const f of ["spectrum-signal.svg", "spectrum-image.svg"]) expect(readFileSync(join(out, f), "utf8")).toMatch(/^<svg[\s\S]*epoch[\s\S]*<\/svg>$/);
  });

  it("refuses bad input in one line, exit 2, before writing anything", () => {
    const out = join(tmp, "refused");
    expectOneLineError(
      run("spectrum", "--inputs", "raw,fourier", "--out", out),
      /^coordnet: .*unknown input kind 'fourier'; kinds: raw, positional, gaussian, siren/,
    );
    expectOneLineError(run("spectrum", "--inputs", "raw,raw", "--out", out), /^coordnet: .*each input kind once/);
    expectOneLineError(run("spectrum", "--size", "512x512", "--out", out), /^coordnet: --size 512x512: the spectrum's plain DFT takes sides up to 256$/);
    expectOneLineError(run("spectrum", "--epochs", "0", "--out", out), /^coordnet: .*--epochs/);
    // beyond what the analyses take: refused by the parser, not after the header line and the folder's lock
    expectOneLineError(run("spectrum", "--signal-epochs", "100001", "--out", out), /^coordnet: .*--signal-epochs.*from 1 to 100000/);
    expectOneLineError(run("spectrum", "--seed", "4294967296", "--out", out), /^coordnet: .*--seed.*from 0 to 4294967295/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("coordnet ntk", () => {
  it("writes ntk.json keyed by input kind: sorted eigenvalues, unit eigenvectors, raw decaying faster than positional", () => {
    const out = join(tmp, "ntk");
    const r = run("ntk", "--grid", "1d", "--inputs", "raw,positional", "--trained-epochs", "2", "--out", out);
    expect(r.status).toBe(0);
    const n = JSON.parse(readFileSync(join(out, "ntk.json"), "utf8"));
    expect(Object.keys(n.inputs)).toEqual(["raw", "positional"]);
    for (const kind of ["raw", "positional"]) {
      const { eigenvalues, eigenvectors, kernels } = n.inputs[kind];
      expect(eigenvalues).toHaveLength(64);
      for (let i = 1; i < 64; i++) expect(eigenvalues[i]).toBeLessThanOrEqual(eigenvalues[i - 1]);
      expect(eigenvectors).toHaveLength(8);
      for (const v of eigenvectors) expect(Math.abs(v.reduce((s: number, e: number) => s + e * e, 0) - 1)).toBeLessThan(1e-9);
      expect(kernels.map((k: { grid: string; state: string }) => `${k.grid} ${k.state}`)).toEqual(["1d init", "1d trained"]);
    }
    const rel = (kind: string) => n.inputs[kind].eigenvalues[15] / n.inputs[kind].eigenvalues[0];
    expect(rel("positional") / rel("raw")).toBeGreaterThan(2);
    for (const f of ["ntk-eigenvalues.svg", "ntk-eigenvectors.svg"]) expect(readFileSync(join(out, f), "utf8")).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });

  it("refuses bad input in one line, exit 2, before writing anything", () => {
    const out = join(tmp, "ntk-refused");
    expectOneLineError(run("ntk", "--grid", "3d", "--out", out), /^coordnet: .*--grid/);
    expectOneLineError(run("ntk", "--inputs", "", "--out", out), /^coordnet: .*unknown input kind ''/);
    expectOneLineError(run("ntk", "--trained-epochs", "-1", "--out", out), /^coordnet: .*--trained-epochs/);
    expectOneLineError(run("ntk", "--trained-epochs", "100001", "--out", out), /^coordnet: .*--trained-epochs.*from 0 to 100000/);
    expectOneLineError(run("ntk", "--seed", "4294967296", "--out", out), /^coordnet: .*--seed.*from 0 to 4294967295/);
    // an image no kernel reads is refused, not ignored unchecked
    expectOneLineError(run("ntk", "--grid", "1d", "--image", "missing.png", "--out", out), /^coordnet: --image applies to the 2-D grid's trained kernel only/);
    expectOneLineError(run("ntk", "--trained-epochs", "0", "--image", "missing.png", "--out", out), /^coordnet: --image applies to the 2-D grid's/);
    expect(existsSync(out)).toBe(false);
  });
});

// Two runs into one --out would interleave their files: spectrum and ntk hold the folder's lock
// while they run, as paper and sweep do (src/io/out-dir.ts). A second run is refused in one line,
// exit 2, naming the holder, before it prints or writes anything; a dead holder's lock is taken over.
describe("the output folder is locked while spectrum or ntk runs", () => {
  const cheap: Record<string, string[]> = {
    spectrum: ["--inputs", "raw", "--signal-epochs", "1", "--epochs", "1", "--size", "8x8"],
    ntk: ["--grid", "1d", "--inputs", "raw", "--trained-epochs", "0", "--width", "8"],
  };
  // long enough to be running when the second run starts (the most epochs the commands take); stopped by the test
  const long: Record<string, string[]> = {
    spectrum: ["--inputs", "raw", "--signal-epochs", "100000", "--epochs", "1", "--size", "8x8"],
    ntk: ["--grid", "1d", "--inputs", "raw", "--trained-epochs", "100000", "--width", "8"],
  };
  const lock = (dir: string) => join(dir, ".coordnet.lock");

  for (const command of ["spectrum", "ntk"]) {
    it(`${command}: a second run into a running one's --out is refused, naming its PID`, async () => {
      const dir = join(tmp, `${command}-locked`);
      const first = spawn(process.execPath, [BIN, command, ...long[command], "--out", dir], { cwd: tmp, stdio: "ignore" });
      const exited = new Promise((resolve) => first.on("exit", resolve));
      try {
        for (let i = 0; i < 1200 && !existsSync(lock(dir)); i++) await new Promise((r) => setTimeout(r, 25));
        expect(readFileSync(lock(dir), "utf8")).toBe(`${first.pid} ${hostname()}\n`);
        expectOneLineError(run(command, ...cheap[command], "--out", dir), new RegExp(`^coordnet: .*in use by another coordnet process \\(PID ${first.pid}\\)`));
        // the refused run wrote nothing: the folder holds the first run's lock alone
        expect(readdirSync(dir)).toEqual([".coordnet.lock"]);
      } finally {
        first.kill("SIGKILL");
        await exited;
      }
    }, 60_000);

    it(`${command}: a dead process's lock is taken over, and the run releases its own`, () => {
      const dir = join(tmp, `${command}-stale`);
      mkdirSync(dir);
      const dead = Number(spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }).stdout.trim());
      writeFileSync(lock(dir), `${dead} ${hostname()}\n`);
      const r = run(command, ...cheap[command], "--out", dir);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(existsSync(lock(dir))).toBe(false);
      expect(readdirSync(dir).sort()).toEqual([...(command === "spectrum" ? SPECTRUM_OUTPUTS : NTK_OUTPUTS)].sort());
    }, 60_000);
  }
});
