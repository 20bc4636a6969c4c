import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The layout's promises: the reference stands alone (a student copies src/reference/ and it
// compiles), no two modules import each other (a cycle makes load order matter and hides a
// missing seam), and the rooms of src/ stand in one order, each importing only the rooms below
// it. That the browser-safe entry points need no Node module is checked by bundling them for the
// browser (test/browser-bundle.test.ts). Type-only imports count (a type read from a room is a
// dependency on it: the copied reference would not compile without it); dynamic import() counts
// between rooms (a room cannot lazily load a higher one either) but not for cycles between files
// of one room, where it is how heavy backends load lazily without a load-time cycle.
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier a file imports or re-exports from, type-only ones included. */
function allImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
  return source.statements.flatMap((s) =>
    (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier !== undefined ? [(s.moduleSpecifier as ts.StringLiteral).text] : [],
  );
}

/** Every module specifier a file loads with import(), anywhere in it. */
function dynamicImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments.length > 0 && ts.isStringLiteral(node.arguments[0]))
      out.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/**
 * What a file loads when it runs: static imports and re-exports but type-only ones (erased),
 * import() calls, and `new URL("./x.js", import.meta.url)` (how a worker's script is named).
 */
function runtimeLoads(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
  const out: string[] = [];
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s) && !s.importClause?.isTypeOnly) out.push((s.moduleSpecifier as ts.StringLiteral).text);
    if (ts.isExportDeclaration(s) && !s.isTypeOnly && s.moduleSpecifier !== undefined) out.push((s.moduleSpecifier as ts.StringLiteral).text);
  }
  const visit = (node: ts.Node) => {
    const call = ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword;
    const url = ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "URL";
    const args = call || url ? (node as ts.CallExpression | ts.NewExpression).arguments : undefined;
    if (args && args.length > 0 && ts.isStringLiteral(args[0])) out.push(args[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const resolveTs = (from: string, spec: string) => normalize(join(dirname(from), spec)).replace(/\.js$/, ".ts");
const SRC = files("src");

/** A folder of src/, or a top-level module, is one room. */
const room = (f: string) => {
  const parts = relative("src", f).split("/");
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.ts$/, "");
};

// The rooms of src/, lowest first: each imports only rooms listed before it.
const ROOMS = [
  // the ground floor: nothing of src/ outside themselves (reference/ by promise, above)
  "errors",
  "suggest",
  "version",
  "preset-data",
  "reference",
  "plot",
  // checked arguments, the config and its limits, the presets written in it
  "args",
  "config",
  "json",
  "limits",
  "presets",
  // which pixels a run trains on and which it holds out (read by io/'s checkpoint check and training/)
  "holdout",
  // the network's parts: inputs, trainers, the network a config describes
  "encoding",
  "backends",
  "network",
  // files, images, training runs and what is made of them
  "io",
  "image",
  "training",
  // spectral bias and the NTK: trains through training's loop helpers, drawn by plot (which takes
  // its results as plain shapes), used by experiments, index and cli
  "analysis",
  "report",
  // the library's API, the study, and the entry points
  "api",
  "experiments",
  "index",
  "node",
  "cli",
];

// Imports from a lower room to a higher one, "importer → imported" (paths under src/), each with
// the reason it stays. None today: config.ts once read CoordRange from encoding/normalize.ts; the
// type now lives in config.ts, which the encodings build on.
const UPWARD: Readonly<Record<string, string>> = {};

describe("layout", () => {
  it("src/reference/ imports nothing outside itself", () => {
    const outside = files("src/reference").flatMap((f) =>
      [...allImports(f), ...dynamicImports(f)]
        .filter((spec) => !spec.startsWith(".") || relative("src/reference", resolveTs(f, spec)).startsWith(".."))
        .map((spec) => `${f}: ${spec}`),
    );
    expect(outside).toEqual([]);
  });

  // type-only imports included (issue #22): a type shared by two files belongs in a third, so that
  // neither needs the other to be read
  it("has no import cycles, type-only imports included", () => {
    const graph = new Map(
      SRC.map((f) => [
        f,
        allImports(f)
          .filter((s) => s.startsWith("."))
          .map((s) => resolveTs(f, s)),
      ]),
    );
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        cycles.push([...path.slice(path.indexOf(f)), f].join(" → "));
        return;
      }
      state.set(f, "open");
      for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
      state.set(f, "done");
    };
    for (const f of SRC) visit(f, []);
    expect(cycles).toEqual([]);
  });

  // A folder of src/ (or a top-level module) is one area. backends, io and network (then model.ts)
  // once imported each other in a circle (io's checks wrapped every backend; backends' compare
  // checked its arguments through api/); each area now depends one way, so a backend is its folder
  // and a line in backends/index.ts, and the trainer boundary lives in backends/checks.ts.
  it("no two areas of src/ (backends, io, network, training, api, …) import each other in a circle, type-only imports included", () => {
    const area = room;
    const edges = new Map<string, Map<string, string>>();
    for (const f of SRC)
      for (const s of allImports(f).filter((spec) => spec.startsWith("."))) {
        const [a, b] = [area(f), area(resolveTs(f, s))];
        if (a === b) continue;
        if (!edges.has(a)) edges.set(a, new Map());
        edges.get(a)?.set(b, `${relative("src", f)} → ${relative("src", resolveTs(f, s))}`);
      }
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (a: string, path: string[]) => {
      if (state.get(a) === "done") return;
      if (state.get(a) === "open") {
        const loop = [...path.slice(path.indexOf(a)), a];
        cycles.push(
          loop
            .slice(1)
            .map((b, i) => edges.get(loop[i])?.get(b))
            .join(", "),
        );
        return;
      }
      state.set(a, "open");
      for (const b of edges.get(a)?.keys() ?? []) visit(b, [...path, a]);
      state.set(a, "done");
    };
    for (const a of edges.keys()) visit(a, []);
    expect(cycles).toEqual([]);
    // and the circle named in issue #18 in particular
    expect([...(edges.get("backends")?.keys() ?? [])].filter((b) => ["io", "network", "training", "api"].includes(b))).toEqual([]);
  });

  it("each room of src/ imports only the rooms below it, type-only and dynamic imports included, but for the exceptions named", () => {
    const unknown = [...new Set(SRC.map(room))].filter((r) => !ROOMS.includes(r));
    expect(unknown, "a new room: place it in ROOMS, above every room it imports").toEqual([]);
    const upward: string[] = [];
    for (const f of SRC)
      for (const spec of [...allImports(f), ...dynamicImports(f)].filter((x) => x.startsWith("."))) {
        const to = resolveTs(f, spec);
        if (room(to) !== room(f) && ROOMS.indexOf(room(to)) > ROOMS.indexOf(room(f))) upward.push(`${relative("src", f)} → ${relative("src", to)}`);
      }
    expect(upward.filter((u) => !(u in UPWARD))).toEqual([]);
    // and no exception outlives its import
    expect(Object.keys(UPWARD).filter((u) => !upward.includes(u))).toEqual([]);
  });
  // The browser-safe rooms may hold Node-only files only behind a seam: package.json's "browser"
  // field swaps a Node host for its browser twin, and a file reached only from a swapped-out one
  // (the wasm helper thread's script, started by `new URL("./worker.js", …)` in the Node host) is
  // never loaded in a browser. Walks what the browser entry points load, swaps applied and worker
  // scripts followed, and asserts that it meets no node: module and that it does meet the browser
  // hosts' own worker script (so the walk follows `new URL`).
  it("the browser entry points, package.json's browser swaps applied and worker scripts followed, load no node: module; every Node-only file of a browser-safe room is off that graph", () => {
    const swaps = JSON.parse(readFileSync("package.json", "utf8")).browser as Record<string, string>;
    const swapped = new Map(Object.entries(swaps).map(([from, to]) => [toSrc(from), toSrc(to)]));
    const reached = new Set<string>();
    const nodeLoads: string[] = [];
    const walk = (f: string) => {
      const file = swapped.get(f) ?? f;
      if (reached.has(file)) return;
      reached.add(file);
      for (const spec of runtimeLoads(file)) {
        if (spec.startsWith("node:")) nodeLoads.push(`${file}: ${spec}`);
        // a module of src/; not an asset named by new URL (the kernels' .wasm)
        else if (spec.startsWith(".") && existsSync(resolveTs(file, spec))) walk(resolveTs(file, spec));
      }
    };
    for (const entry of ["src/index.ts", "src/backends/index.ts", "src/encoding/index.ts", "src/reference/index.ts"]) walk(entry);
    expect(nodeLoads).toEqual([]);
    expect(reached).toContain("src/backends/wasm/worker.browser.ts");
    const nodeOnly = files("src")
      .filter((f) => ["reference", "encoding", "backends", "api", "analysis"].includes(room(f)))
      .filter((f) => runtimeLoads(f).some((spec) => spec.startsWith("node:")));
    // the three of today, each off the browser's graph: the two Node hosts (swapped) and the Node helper script
    expect(nodeOnly.sort()).toEqual(["src/backends/gpujs/host.ts", "src/backends/wasm/host.ts", "src/backends/wasm/worker.ts"]);
    expect(nodeOnly.filter((f) => reached.has(f))).toEqual([]);
  });
});

/** "./dist/x/y.js" (package.json's form) as the source file "src/x/y.ts". */
function toSrc(path: string): string {
  return normalize(path)
    .replace(/^dist\//, "src/")
    .replace(/\.js$/, ".ts");
}
