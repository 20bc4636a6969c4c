// Writes dist/vendor/: gpu.js bundled with what it loads at run time (acorn, gpu-mock.js), so
// that a dependent's `npm install coordnet` does not install gpu.js's own dependencies. gpu.js
// 2.24 pins `webgpu` 0.2.9 (84 MB of Dawn binaries) that none of its code loads (it uses the
// `navigator.gpu` it finds, which coordnet installs from the `webgpu` package 0.6); npm offers a
// dependent no way to leave one dependency of a dependency out (`overrides` are the root
// project's only), and `bundleDependencies` would pack that 0.2.9 into the tarball with gpu.js.
// Run by `npm run build`, before tsc (the imports map's types point here):
//
//   dist/vendor/gpu.js           Node: gpu.js's src/ as one ES module (its `require`s of `os` and
//                                `worker_threads`, for the WebAssembly worker pool, stay requires)
//   dist/vendor/gpu.browser.js   browsers: gpu.js's own browser build (dist/gpu-browser.js) as an
//                                ES module; package.json's imports map picks it under "browser"
//   dist/vendor/gpu.d.ts         gpu.js's typings, unchanged
//   dist/vendor/LICENSES.md      the three packages' MIT licences
//
// Code imports it as `#gpu.js` (package.json "imports"). Nothing is minified: gpu.js reads its
// kernels' source text, and a reader can read the vendored code.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as esbuild from "esbuild";

const root = new URL("../", import.meta.url);
const out = new URL("dist/vendor/", root);
const require = createRequire(new URL("package.json", root));
const pkgDir = (name) => new URL(".", new URL(`file://${require.resolve(`${name}/package.json`)}`));
const version = (name) => JSON.parse(readFileSync(new URL("package.json", pkgDir(name)), "utf8")).version;

// every name gpu.js's Node entry exports, re-exported by name (an ES module's names are static)
const names = Object.keys(require("gpu.js")).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
const entry = `export { ${names.join(", ")} } from "gpu.js";\n`;
const banner = `// gpu.js ${version("gpu.js")} with acorn ${version("acorn")} and gpu-mock.js ${version("gpu-mock.js")} (MIT; LICENSES.md),
// bundled by scripts/vendor-gpujs.mjs: edit nothing here.`;

mkdirSync(out, { recursive: true });
const common = { bundle: true, format: "esm", write: true, minify: false, legalComments: "inline", logLevel: "warning", target: "es2022" };
await esbuild.build({
  ...common,
  stdin: { contents: entry, resolveDir: new URL(".", root).pathname, sourcefile: "gpu-entry.js" },
  platform: "node",
  outfile: new URL("gpu.js", out).pathname,
  // esbuild's require() shim in an ES module calls the real one when `require` is in scope
  banner: { js: `${banner}\nimport { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);` },
});
await esbuild.build({
  ...common,
  stdin: { contents: entry, resolveDir: new URL(".", root).pathname, sourcefile: "gpu-entry.js" },
  platform: "browser",
  outfile: new URL("gpu.browser.js", out).pathname,
  banner: { js: banner },
});
writeFileSync(new URL("gpu.d.ts", out), readFileSync(new URL("src/index.d.ts", pkgDir("gpu.js"))));
writeFileSync(
  new URL("LICENSES.md", out),
  ["gpu.js", "acorn", "gpu-mock.js"]
    .map((name) => `# ${name} ${version(name)}\n\n${readFileSync(new URL("LICENSE", pkgDir(name)), "utf8").trim()}\n`)
    .join("\n"),
);
