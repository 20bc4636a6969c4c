// The browser-safe entry points bundle for a browser: esbuild with platform "browser" (which
// honours package.json's "browser" field, the seam that swaps the Node hosts for the browser ones)
// must not meet a Node built-in, and `coordnet/reference` must bundle from its own folder alone.
// Runs against the built dist/ (npm run build), as a user's bundler would see the package.
import { builtinModules } from "node:module";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Bundle `entry` for the browser; returns the bundle's inputs and every import path it met. */
async function bundle(entry: string): Promise<{ inputs: string[]; imports: string[]; bytes: number }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
    // a Node built-in must fail the test, not be left as an external import
    external: [],
  });
  const meta: Metafile = result.metafile;
  const imports = Object.values(meta.inputs).flatMap((input) => input.imports.map((i) => i.path));
  return { inputs: Object.keys(meta.inputs), imports, bytes: result.outputFiles[0].contents.length };
}

describe("browser bundles", () => {
  for (const [name, entry] of [
    ["coordnet", "dist/index.js"],
    ["coordnet/backends", "dist/backends/index.js"],
    ["coordnet/encoding", "dist/encoding/index.js"],
    ["coordnet/reference", "dist/reference/index.js"],
  ] as const) {
    it(`${name} bundles for platform "browser" with no Node built-in`, async () => {
      // esbuild refuses a Node built-in on platform "browser" ("Could not resolve"): the build throws
      const { inputs, imports } = await bundle(entry);
      expect(inputs.length).toBeGreaterThan(0);
      expect(imports.filter((path) => builtins.has(path))).toEqual([]);
      // the Node hosts are swapped out, the browser hosts in
      if (name === "coordnet" || name === "coordnet/backends") {
        expect(inputs).toContain("dist/backends/wasm/host.browser.js");
        expect(inputs).toContain("dist/backends/gpujs/host.browser.js");
        expect(inputs.filter((i) => /\/host\.js$/.test(i))).toEqual([]);
        // gpu.js comes from its vendored browser build (package.json "imports", "browser" condition)
        expect(inputs).toContain("dist/vendor/gpu.browser.js");
        expect(inputs).not.toContain("dist/vendor/gpu.js");
      }
    });
  }

  it("coordnet/reference has no dependency: every input is under dist/reference/", async () => {
    const { inputs, bytes } = await bundle("dist/reference/index.js");
    expect(inputs.filter((i) => !i.startsWith("dist/reference/"))).toEqual([]);
    expect(bytes).toBeGreaterThan(1000);
  });
});
