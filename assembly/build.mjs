// Builds the wasm backend's kernels (npm run build:wasm): assembly/index.ts compiled by
// AssemblyScript twice, plain SIMD into dist/backends/wasm/kernels.wasm and relaxed SIMD (fused
// multiply-adds) into kernels-fma.wasm.
//
// Through asc's API rather than its command line for one reason: the kernels may import files of
// src/ (today src/backends/wasm/activation-codes.ts, the codes the trainer passes them), and files
// of src/ import each other as `./x.js`, as Node's ESM resolution wants; asc looks for `x.js.ts`.
// The file reader below maps such an import to the `.ts` file beside it, so those files stay
// exactly as TypeScript needs them.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import asc from "assemblyscript/asc";

const common = ["assembly/index.ts", "--sharedMemory", "--importMemory", "--maximumMemory", "65536", "-O3", "--runtime", "stub", "--noAssert"];
const builds = [
  ["--enable", "simd,threads", "-o", "dist/backends/wasm/kernels.wasm"],
  ["--enable", "simd,threads,relaxed-simd", "-o", "dist/backends/wasm/kernels-fma.wasm"],
];
const readSource = async (name, baseDir) => {
  for (const file of name.endsWith(".js.ts") ? [name, `${name.slice(0, -".js.ts".length)}.ts`] : [name]) {
    try {
      return await readFile(resolve(baseDir, file), "utf8");
    } catch {}
  }
  return null;
};
for (const flags of builds) {
  const { error, stderr } = await asc.main([...common, ...flags], { readFile: readSource });
  if (error) {
    process.stderr.write(stderr.toString());
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
