// Builds the GPU kit (see scripts/gpu-kit and the README's "GPU kit" section): one .tar.xz that
// runs coordnet's webgpu backend, and PyTorch beside it, on a machine with nothing installed.
//
// Archive layout (everything at the top level):
//   run.sh             the entry point
//   kit.json           what was packed: coordnet's commit, Node, Dawn, the Vulkan loader
//   bin/node           this machine's Node binary (x86-64 Linux, glibc >= 2.28)
//   app/coordnet.mjs   the CLI, bundled with esbuild (`coordnet info`)
//   app/gpu-bench.mjs  the kit's driver (scripts/gpukit/bench.ts), bundled
//   app/dist/backends/wasm/{kernels.wasm,kernels-fma.wasm,worker.js}  the wasm backend's files
//   app/assets, app/presets, app/package.json   what the code reads beside itself
//   app/node_modules/webgpu/  the webgpu package (Dawn) with only dawn.node for linux-x64
//   lib/vulkan/libvulkan.so.1  Debian 12's Vulkan loader, used when the system has none
//   lib/compat/         Debian 12's libstdc++ and libgcc_s, used only if dawn.node cannot load without
//   torch_bench.py     the PyTorch peer
//
// Bundling keeps every file's own `import.meta.url`: a plugin rewrites it in each bundled module
// of dist/ to the URL that module would have in the kit's app/ folder (app/dist/image/index.js
// and so on), so `new URL("../../assets/astronaut.png", import.meta.url)` finds the same file as
// it does in the package. Nothing is minified: gpu.js reads its kernels' source text.

import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const LIMIT_BYTES = 60 * 2 ** 20;

function fail(message) {
  console.error(`coordnet: ${message}`);
  process.exit(2);
}

const out = process.argv[2];
if (!out || process.argv.length > 3 || !out.endsWith(".tar.xz")) fail("usage: scripts/gpu-kit OUT.tar.xz");
if (process.platform !== "linux" || process.arch !== "x64") fail(`the kit is for x86-64 Linux; this is ${process.platform}-${process.arch}`);
const outPath = resolve(out);
for (const f of ["dist/cli/main.js", "dist/backends/wasm/kernels.wasm", "dist/backends/wasm/kernels-fma.wasm", "dist/backends/wasm/worker.js"])
  if (!existsSync(join(ROOT, f))) fail(`${f} is missing: run npm run build first`);
const dawn = join(ROOT, "node_modules/webgpu/dist/linux-x64/dawn.node");
if (!existsSync(dawn)) fail("node_modules/webgpu/dist/linux-x64/dawn.node is missing: run npm ci");

const stage = mkdtempSync(join(tmpdir(), "coordnet-gpukit-"));
try {
  const app = join(stage, "app");
  mkdirSync(join(app, "dist/backends/wasm"), { recursive: true });

  /**
   * import.meta.url of each bundled module of coordnet (dist/x.js, or src/x.ts compiled on the
   * way) → the URL of app/dist/x.js, written relative to the output file.
   */
  const keepImportMetaUrl = (outDir) => ({
    name: "keep-import-meta-url",
    setup(build) {
      build.onLoad({ filter: /\.(js|ts)$/ }, (args) => {
        const rel = relative(ROOT, args.path).split("\\").join("/");
        const m = /^(dist\/.*\.js|src\/.*\.ts)$/.exec(rel);
        if (!m) return undefined;
        const source = readFileSync(args.path, "utf8");
        if (!source.includes("import.meta.url")) return undefined;
        const asDist = rel.startsWith("src/") ? `dist/${rel.slice(4, -3)}.js` : rel;
        const fromOut = relative(outDir, join(app, asDist)).split("\\").join("/");
        const url = `new URL(${JSON.stringify(fromOut.startsWith(".") ? fromOut : `./${fromOut}`)}, import.meta.url).href`;
        return { contents: source.replaceAll("import.meta.url", url), loader: rel.endsWith(".ts") ? "ts" : "js", resolveDir: dirname(args.path) };
      });
    },
  });
  // CommonJS dependencies (gpu.js, commander) call require() for Node built-ins: give the ESM bundle one.
  const banner = { js: 'import { createRequire as __kitCreateRequire } from "node:module"; const require = __kitCreateRequire(import.meta.url);' };
  const bundle = async (entry, outfile) => {
    const result = await esbuild.build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      external: ["webgpu"],
      banner,
      minify: false,
      keepNames: false, // no __name(...) helpers inside kernel functions
      logLevel: "warning",
      plugins: [keepImportMetaUrl(dirname(outfile))],
    });
    if (result.errors.length > 0) fail(`esbuild failed on ${entry}`);
  };
  // bin/coordnet.js imports dist/ (the compiled package); the driver imports src/ (esbuild compiles it)
  await bundle(join(ROOT, "bin/coordnet.js"), join(app, "coordnet.mjs"));
  await bundle(join(ROOT, "dist/backends/wasm/worker.js"), join(app, "dist/backends/wasm/worker.js"));
  await bundle(join(ROOT, "scripts/gpukit/bench.ts"), join(app, "gpu-bench.mjs"));
  for (const f of ["kernels.wasm", "kernels-fma.wasm"]) copyFileSync(join(ROOT, "dist/backends/wasm", f), join(app, "dist/backends/wasm", f));
  cpSync(join(ROOT, "assets"), join(app, "assets"), { recursive: true });
  cpSync(join(ROOT, "presets"), join(app, "presets"), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "coordnet-gpu-kit", version: pkg.version, type: "module", private: true }, null, 2)}\n`);

  // the webgpu package: its index.js, package.json and licence, and only the linux-x64 dawn.node
  const webgpu = join(app, "node_modules/webgpu");
  mkdirSync(join(webgpu, "dist/linux-x64"), { recursive: true });
  for (const f of ["index.js", "package.json", "LICENSE.md"]) copyFileSync(join(ROOT, "node_modules/webgpu", f), join(webgpu, f));
  copyFileSync(dawn, join(webgpu, "dist/linux-x64/dawn.node"));
  const webgpuVersion = JSON.parse(readFileSync(join(webgpu, "package.json"), "utf8")).version;

  // Node
  mkdirSync(join(stage, "bin"));
  copyFileSync(process.execPath, join(stage, "bin/node"));
  chmodSync(join(stage, "bin/node"), 0o755);

  // the Vulkan loader, from Debian's libvulkan1 (apt-get download; the installed copy if offline)
  const vulkan = join(stage, "lib/vulkan");
  mkdirSync(vulkan, { recursive: true });
  const loader = vulkanLoader(join(vulkan, "libvulkan.so.1"));
  writeFileSync(join(vulkan, "VERSION"), `${loader.version}\n`);

  // the GL dispatch libraries (libglvnd) that NVIDIA's Vulkan driver, libGLX_nvidia.so.0, needs: on
  // the lent H100 machine (Ubuntu 24.04 without them) the driver was found but vkCreateInstance
  // failed until these were present
  const glvnd = join(stage, "lib/glvnd");
  mkdirSync(glvnd, { recursive: true });
  writeFileSync(join(glvnd, "VERSION"), `${glvndLibraries(glvnd).join("\n")}\n`);

  // fallback C++ runtime for dawn.node (GLIBCXX_3.4.30) on systems with an older one
  const compat = join(stage, "lib/compat");
  mkdirSync(compat, { recursive: true });
  for (const name of ["libstdc++.so.6", "libgcc_s.so.1"]) {
    const found = ["/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu"].map((d) => join(d, name)).find(existsSync);
    if (!found) fail(`${name} not found to carry as a fallback`);
    copyFileSync(realpathSync(found), join(compat, name));
  }

  copyFileSync(join(ROOT, "scripts/gpukit/run.sh"), join(stage, "run.sh"));
  chmodSync(join(stage, "run.sh"), 0o755);
  copyFileSync(join(ROOT, "scripts/gpukit/torch_bench.py"), join(stage, "torch_bench.py"));
  const commit = gitCommit();
  writeFileSync(
    join(stage, "kit.json"),
    `${JSON.stringify({ coordnet: pkg.version, commit, built: new Date().toISOString(), node: process.version, webgpu: webgpuVersion, vulkanLoader: loader.version })}\n`,
  );

  // the archive, written whole
  mkdirSync(dirname(outPath), { recursive: true });
  const tmp = `${outPath}.tmp-${process.pid}`;
  const entries = readdirSync(stage).sort();
  execFileSync("tar", ["--owner=0", "--group=0", "-C", stage, "-cf", tmp, "--use-compress-program=xz -T0 -6", ...entries], { stdio: "inherit" });
  const bytes = readFileSync(tmp).length;
  if (bytes > LIMIT_BYTES) {
    rmSync(tmp, { force: true });
    fail(`the kit is ${(bytes / 2 ** 20).toFixed(1)} MiB, over the 60 MiB limit`);
  }
  renameSync(tmp, outPath);
  console.log(
    `${basename(outPath)}: ${(bytes / 2 ** 20).toFixed(1)} MiB (Node ${process.version}, webgpu ${webgpuVersion}, ${loader.version}, coordnet ${commit})`,
  );
} finally {
  rmSync(stage, { recursive: true, force: true });
}

function gitCommit() {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
    return dirty ? `${sha}+changes` : sha;
  } catch {
    return "unknown";
  }
}

/**
 * Copy the sonames of libglvnd's libraries (libGLdispatch, libGLX, libEGL, libGL, libOpenGL,
 * libGLESv2) from Debian's packages into `dest`; returns the packages used.
 */
function glvndLibraries(dest) {
  const packages = ["libglvnd0", "libglx0", "libegl1", "libgl1", "libopengl0", "libgles2"];
  const dir = mkdtempSync(join(tmpdir(), "coordnet-glvnd-"));
  try {
    execFileSync("apt-get", ["download", "-q", ...packages], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    const debs = readdirSync(dir).filter((f) => f.endsWith(".deb"));
    for (const deb of debs) execFileSync("dpkg-deb", ["-x", join(dir, deb), join(dir, "x")]);
    const libs = join(dir, "x/usr/lib/x86_64-linux-gnu");
    for (const name of ["libGLdispatch.so.0", "libGLX.so.0", "libEGL.so.1", "libGL.so.1", "libOpenGL.so.0", "libGLESv2.so.2"]) {
      if (!existsSync(join(libs, name))) fail(`cannot find ${name} in Debian's ${packages.join(", ")}`);
      copyFileSync(realpathSync(join(libs, name)), join(dest, name));
    }
    return debs.map((d) => `Debian ${d.replace(/\.deb$/, "").replace(/_/g, " ")}`);
  } catch (e) {
    // offline: the installed copies (chromium's dependencies bring them), if all are there
    const system = "/usr/lib/x86_64-linux-gnu";
    const names = ["libGLdispatch.so.0", "libGLX.so.0", "libEGL.so.1", "libGL.so.1", "libOpenGL.so.0", "libGLESv2.so.2"];
    if (!names.every((n) => existsSync(join(system, n))))
      fail(`cannot get libglvnd's libraries (apt-get download ${packages.join(" ")}: ${e.message.split("\n")[0]}; and they are not installed)`);
    for (const n of names) copyFileSync(realpathSync(join(system, n)), join(dest, n));
    return [`installed copies from ${system}`];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Copy libvulkan.so.1 from Debian's libvulkan1 package to `dest`; returns its version. */
function vulkanLoader(dest) {
  const dir = mkdtempSync(join(tmpdir(), "coordnet-libvulkan-"));
  try {
    try {
      execFileSync("apt-get", ["download", "-q", "libvulkan1"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
      const deb = readdirSync(dir).find((f) => f.endsWith(".deb"));
      if (deb) {
        execFileSync("dpkg-deb", ["-x", join(dir, deb), join(dir, "x")]);
        const lib = join(dir, "x/usr/lib/x86_64-linux-gnu/libvulkan.so.1");
        if (existsSync(lib)) {
          copyFileSync(realpathSync(lib), dest);
          return { version: `Debian ${deb.replace(/\.deb$/, "").replace(/_/g, " ")}` };
        }
      }
    } catch {}
    const installed = "/usr/lib/x86_64-linux-gnu/libvulkan.so.1";
    if (!existsSync(installed)) fail("cannot get libvulkan1: apt-get download failed and it is not installed (apt-get install libvulkan1)");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    const version = execFileSync("dpkg-query", ["-W", "-f", "${Version}", "libvulkan1"], { encoding: "utf8" }).trim();
    copyFileSync(realpathSync(installed), dest);
    return { version: `Debian libvulkan1 ${version} (installed copy)` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
