// The playground's build (npm run playground, npm run build:site). The headers make the page
// cross-origin isolated, which shared WebAssembly memory (the wasm backend) needs; a static host
// must send the same two.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  // not minified: gpu.js parses its kernels' source (a minifier rewrites their bodies into what it cannot read)
  build: {
    outDir: fileURLToPath(new URL("../site", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    minify: false,
    chunkSizeWarningLimit: 4096,
    // two pages: the playground and the backprop stepper
    rolldownOptions: {
      input: { main: fileURLToPath(new URL("index.html", import.meta.url)), stepper: fileURLToPath(new URL("stepper.html", import.meta.url)) },
    },
  },
  worker: { format: "es" },
  server: { headers: isolation },
  preview: { headers: isolation },
});
