import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The package as a new user gets it: `npm pack`, then a fresh `npm init -y` project (CommonJS by
// default) that installs the tarball. Every entry point must load from require() and import(), and
// a strict TypeScript file importing every entry point must compile without skipLibCheck.
const ENTRY_POINTS = ["coordnet", "coordnet/reference", "coordnet/encoding", "coordnet/backends", "coordnet/node"];
const root = resolve(".");
let dir = "";
let project = "";

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
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
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(dir, tarball)], project);
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
const img = again.render(4, 4);
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
