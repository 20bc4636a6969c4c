import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The layout's promises: the reference stands alone (a student copies src/reference/ and it
// compiles), and no two modules import each other (a cycle makes load order matter and hides a
// missing seam). That the browser-safe entry points need no Node module is checked by bundling
// them for the browser (test/browser-bundle.test.ts). Type-only imports are erased at compile time and do not
// count; dynamic import() is how heavy backends load lazily and does not form a load-time cycle.
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

/** The module specifiers a file imports at load time (static, not type-only). */
function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
  const out: string[] = [];
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s)) {
      const clause = s.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) out.push((s.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(s) && s.moduleSpecifier !== undefined && !s.isTypeOnly) {
      const named = s.exportClause;
      const typeOnly = named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      if (!typeOnly) out.push((s.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return out;
}

const resolveTs = (from: string, spec: string) => normalize(join(dirname(from), spec)).replace(/\.js$/, ".ts");
const SRC = files("src");

describe("layout", () => {
  it("src/reference/ imports nothing outside itself", () => {
    const outside = files("src/reference").flatMap((f) =>
      staticImports(f)
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
  it("no two areas of src/ (backends, io, network, training, api, …) import each other in a circle", () => {
    const area = (f: string) => {
      const parts = relative("src", f).split("/");
      return parts.length > 1 ? parts[0] : parts[0].replace(/\.ts$/, "");
    };
    const edges = new Map<string, Map<string, string>>();
    for (const f of SRC)
      for (const s of staticImports(f).filter((spec) => spec.startsWith("."))) {
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
});
