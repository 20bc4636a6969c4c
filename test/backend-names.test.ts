import { afterEach, describe, expect, it, vi } from "vitest";
import { backendNames, findBackend, registerNote, resolveBackendName } from "../dist/backends/index.js";

// Issue 18, item 2: names say whose kernels run — hand-written kernels take plain names (`wasm`,
// `webgpu`), gpu.js's take `gpujs-` names — and a name that changed or went away works on with a
// one-line note, once per process.

afterEach(() => {
  vi.restoreAllMocks();
});

describe("backend names", () => {
  it("registers the hand-written webgpu and wasm, and gpu.js's backends under gpujs- names", () => {
    const names = backendNames();
    for (const name of ["webgpu", "wasm", "reference", "gpujs-webgpu", "gpujs-wasm", "gpujs-cpu"]) expect(names).toContain(name);
    expect(names).not.toContain("webasm");
    // webgpu first: auto's choice where a hardware adapter answers; gpu.js's WebGPU below wasm
    expect(names.indexOf("webgpu")).toBeLessThan(names.indexOf("wasm"));
    expect(names.indexOf("wasm")).toBeLessThan(names.indexOf("gpujs-webgpu"));
    expect(findBackend("webgpu")?.description).toMatch(/WGSL/);
    expect(findBackend("gpujs-webgpu")?.description).toMatch(/gpu\.js/);
  });

  it("old names work on with a note, once: webasm is gpujs-wasm; webgpu, which changed meaning, says so", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(await resolveBackendName("webasm")).toBe("gpujs-wasm");
    expect(await resolveBackendName("webasm")).toBe("gpujs-wasm");
    expect(await resolveBackendName("webgpu")).toBe("webgpu");
    expect(await resolveBackendName("webgpu")).toBe("webgpu");
    const lines = warn.mock.calls.map((c) => String(c[0]));
    expect(lines).toEqual([
      "coordnet: backend 'webasm' is now called 'gpujs-wasm'; using 'gpujs-wasm'",
      "coordnet: note: backend 'webgpu' now runs hand-written WGSL kernels; gpu.js's WebGPU kernels, which it named before, are 'gpujs-webgpu'",
    ]);
    // resolving a name already resolved (what the CLI's memory estimate does) adds no second note
    expect(findBackend("webgpu")?.name).toBe("webgpu");
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it("registerNote refuses what is not a name and a line", () => {
    expect(() => registerNote("", "x")).toThrow(/registerNote: name must be a backend name/);
    expect(() => registerNote("x", "" as never)).toThrow(/registerNote: note must be a line of text/);
  });
});
