import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The package as a new user gets it: `npm pack`, then a fresh `npm init -y` project (CommonJS by
// default) that installs the tarball. Every entry point must load from require() and import(), and
// a strict TypeScript file importing every entry point must compile without skipLibCheck. The
// install is light (issue #22: at most 150 MB, 60 MB with --omit=optional) and asks nothing of the
// user: no install script for npm 11's allowScripts to list.
const ENTRY_POINTS = ["coordnet", "coordnet/reference", "coordnet/encoding", "coordnet/backends", "coordnet/node"];
const root = resolve(".");
let dir = "";
let project = "";
/** npm install's stdout and stderr, for the install-script advisory */
let installOutput = "";

function spawn(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return spawn(cmd, args, cwd, env).stdout;
}

/** Disk use of a folder in MiB, as `du` counts it (allocated blocks, each hard-linked file once). */
function diskMiB(path: string): number {
  const seen = new Set<string>();
  let blocks = 0;
  const walk = (p: string) => {
    const st = lstatSync(p);
    const id = `${st.dev}:${st.ino}`;
    if (seen.has(id)) return;
    seen.add(id);
    blocks += st.blocks;
    if (st.isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
  };
  walk(path);
  return (blocks * 512) / 2 ** 20;
}

/** What `coordnet/backends` says of each backend in the project, by name. */
function probes(env: NodeJS.ProcessEnv): Record<string, { available: boolean; reason?: string }> {
  writeFileSync(
    join(project, "probe.mjs"),
    `import { listBackends } from "coordnet/backends";
console.log(JSON.stringify(Object.fromEntries((await listBackends()).map((b) => [b.name, { available: b.available, reason: b.reason }]))));
`,
  );
  return JSON.parse(run(process.execPath, ["probe.mjs"], project, env).trim().split("\n").at(-1) as string);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "coordnet-pack-"));
  // dist/ is built by the test setup; pack without running prepare again
  run("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], root);
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (tarball === undefined) throw new Error("npm pack made no tarball");
  project = join(dir, "project");
  mkdirSync(project);
  run("npm", ["init", "-y"], project);
  const r = spawn("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(dir, tarball)], project);
  installOutput = r.stdout + r.stderr;
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe("the packed package in a fresh CommonJS project", () => {
  it("require() loads every entry point", () => {
    const script = `for (const e of ${JSON.stringify(ENTRY_POINTS)}) { const m = require(e); if (Object.keys(m).length === 0) throw new Error(e + " exports nothing"); } console.log("ok");`;
    expect(run(process.execPath, ["-e", script], project).trim()).toBe("ok");
  });

  it("an ES module imports every entry point, and fit → predict → render → toSafetensors works", () => {
    writeFileSync(
      join(project, "try.mjs"),
      `import { fit, Model } from "coordnet";
import { createMLP, Rng } from "coordnet/reference";
import { positionalFeatures } from "coordnet/encoding";
import { listBackends } from "coordnet/backends";
import { readPng } from "coordnet/node";
if (positionalFeatures(2, { frequencies: 5, includeInput: false }) !== 20) throw new Error("encoding");
if (createMLP({ inputs: 2, outputs: 3, width: 4, depth: 1, activation: "relu", outputActivation: "sigmoid" }, new Rng(0)).layers.length !== 2) throw new Error("reference");
const model = await fit(readPng(), { epochs: 1, size: { width: 16, height: 16 } });
const again = Model.fromSafetensors(model.toSafetensors());
const [r] = again.predict(0.5, 0.5);
const img = await again.render(4, 4);
const names = (await listBackends()).map((b) => b.name).join(",");
console.log(JSON.stringify({ backend: model.training.backend.backend, r: r >= 0 && r <= 1, pixels: img.data.length, names }));
`,
    );
    const out = JSON.parse(run(process.execPath, ["try.mjs"], project).trim().split("\n").at(-1) as string);
    expect(out).toMatchObject({ r: true, pixels: 64 });
    expect(out.names.split(",")).toEqual(expect.arrayContaining(["reference", "wasm", "gpujs-wasm", "gpujs-cpu", "gpujs-webgpu"]));
    expect(["wasm", "webgpu"]).toContain(out.backend);
  });

  it("a strict TypeScript file importing every entry point compiles without skipLibCheck", () => {
    writeFileSync(
      join(project, "check.ts"),
      `${ENTRY_POINTS.map((e, i) => `import * as m${i} from "${e}";`).join("\n")}
import type { FitOptions, ImageLike } from "coordnet";
const options: FitOptions = { preset: "positional", epochs: 1 };
const image: ImageLike = { width: 1, height: 1, data: new Uint8ClampedArray(4) };
export const all = [${ENTRY_POINTS.map((_, i) => `m${i}`).join(", ")}, options, image];
`,
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, skipLibCheck: false, module: "nodenext", moduleResolution: "nodenext", target: "es2022", noEmit: true, types: [] },
        files: ["check.ts"],
      }),
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project, encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

// Dawn's `navigator.gpu` is tried only where the host hints at a GPU; VK_ICD_FILENAMES is such a hint
const GPU_HINT = { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? "/usr/lib/chromium/vk_swiftshader_icd.json" };
const DAWN_MISSING = "the webgpu package (Dawn, WebGPU for Node) is not installed: npm install webgpu";

describe("the install a dependent gets", () => {
  it("prints no install script for the user to review (npm 11's allowScripts advisory)", () => {
    expect(installOutput).not.toMatch(/install-scripts|allowScripts/);
  });

  it("has no optional dependency and no gpu.js or webgpu package: --omit=optional installs the same tree", () => {
    const lock = JSON.parse(readFileSync(join(project, "node_modules", ".package-lock.json"), "utf8")) as { packages: Record<string, { optional?: boolean }> };
    const paths = Object.keys(lock.packages);
    expect(paths.filter((p) => lock.packages[p].optional)).toEqual([]);
    expect(paths.filter((p) => /node_modules\/(gpu\.js|webgpu|gl)$/.test(p))).toEqual([]);
    expect(paths).toContain("node_modules/coordnet");
  });

  it("weighs at most 60 MiB (issue #22's bound for --omit=optional; 150 MiB by default)", () => {
    const mib = diskMiB(join(project, "node_modules"));
    console.log(`node_modules of a fresh install of the tarball: ${mib.toFixed(1)} MiB`);
    expect(mib).toBeLessThanOrEqual(60);
  });

  it("ships gpu.js vendored with its licences, and the imports map names only shipped files", () => {
    const pkgDir = join(project, "node_modules", "coordnet");
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    expect(Object.keys(pkg.dependencies)).not.toContain("gpu.js");
    expect(pkg.optionalDependencies).toBeUndefined();
    expect(pkg.peerDependenciesMeta).toEqual({ webgpu: { optional: true } });
    // no install-time script for a dependent's npm to run or list
    expect(Object.keys(pkg.scripts).filter((s) => ["preinstall", "install", "postinstall", "prepare"].includes(s))).toEqual([]);
    const targets = Object.values(pkg.imports["#gpu.js"]) as string[];
    expect(targets.length).toBe(3);
    for (const t of targets) expect(existsSync(join(pkgDir, t)), t).toBe(true);
    const licences = readFileSync(join(pkgDir, "dist", "vendor", "LICENSES.md"), "utf8");
    for (const name of ["gpu.js", "acorn", "gpu-mock.js"]) expect(licences).toContain(`# ${name} `);
  });

  it("without Dawn, webgpu and gpujs-webgpu say how to get it, and the other backends run", () => {
    const found = probes(GPU_HINT);
    expect(found.webgpu).toEqual({ available: false, reason: DAWN_MISSING });
    expect(found["gpujs-webgpu"]).toEqual({ available: false, reason: DAWN_MISSING });
    for (const name of ["wasm", "gpujs-wasm", "gpujs-cpu", "reference"]) expect(found[name]?.available, name).toBe(true);
  });

  it("`npm install webgpu` with its script approved (README, Install) brings both WebGPU backends back, with no advisory", () => {
    const pkgPath = join(project, "package.json");
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
    writeFileSync(pkgPath, JSON.stringify({ ...pkg, allowScripts: { webgpu: true } }, null, 2));
    const r = spawn("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "webgpu@^0.6.2"], project);
    expect(r.stdout + r.stderr).not.toMatch(/install-scripts|allowScripts/);
    const found = probes(GPU_HINT);
    // Dawn loads; whether an adapter answers is the machine's (CI: SwiftShader)
    for (const name of ["webgpu", "gpujs-webgpu"]) {
      expect(found[name]?.reason ?? "", name).not.toMatch(/is not installed|does not load/);
      if (process.env.VK_ICD_FILENAMES) expect(found[name]?.available, name).toBe(true);
    }
  }, 300_000);
});
