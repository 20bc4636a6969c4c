import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config.js";

function errorOf(input: unknown): string {
  try {
    parseConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("config", () => {
  it("defaults to the study's network and training", () => {
    const c = parseConfig({});
    expect(c.network).toEqual({ width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid", init: "torch" });
    expect(c.optimizer).toEqual({ type: "adam", lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    expect(c.schedule).toEqual({ type: "step", every: 50, factor: 0.5 });
    expect(c.training).toEqual({ epochs: 200, batchSize: 1024, seed: 0 });
    expect(c.encoding).toEqual({ type: "none", range: "01" });
  });

  it("chooses SIREN's initialisation for sine networks unless told otherwise", () => {
    expect(parseConfig({ network: { activation: "sine" } }).network.init).toBe("siren");
    expect(parseConfig({ network: { activation: "sine", init: "torch" } }).network.init).toBe("torch");
  });

  it("explains each problem in one line naming the field and the value", () => {
    expect(errorOf({ network: { width: -3 } })).toBe("network.width must be an integer from 1 to 4096, got -3");
    expect(errorOf({ network: { activation: "swish" } })).toBe('network.activation must be one of relu, gelu, elu, tanh, sigmoid, sine, identity, got "swish"');
    expect(errorOf({ encoding: { type: "hash" } })).toBe('encoding.type must be one of none, positional, gaussian, sape, got "hash"');
    expect(errorOf({ optimizer: { lr: 0 } })).toBe("optimizer.lr must be a positive number, got 0");
    expect(errorOf({ network: { widht: 3 } })).toBe('network has unknown key "widht"');
    expect(errorOf({ extra: 1 })).toBe('config has unknown key "extra"');
    expect(errorOf([1])).toBe("config must be a JSON object, got [1]");
    expect(errorOf({ network: { width: 0, depth: 0 } }).split("; ")).toHaveLength(2);
  });

  it("round-trips: a resolved config parses to itself", () => {
    const arbitrary = fc.record(
      {
        encoding: fc.oneof(
          fc.record({ type: fc.constant("none"), range: fc.constantFrom("01", "11") }),
          fc.record({ type: fc.constant("positional"), frequencies: fc.integer({ min: 1, max: 24 }), includeInput: fc.boolean() }, { requiredKeys: ["type"] }),
          fc.record(
            { type: fc.constant("gaussian"), features: fc.integer({ min: 1, max: 512 }), sigma: fc.double({ min: 0.1, max: 100, noNaN: true }) },
            { requiredKeys: ["type"] },
          ),
        ),
        network: fc.record(
          { width: fc.integer({ min: 1, max: 4096 }), depth: fc.integer({ min: 1, max: 64 }), activation: fc.constantFrom("relu", "gelu", "sine") },
          { requiredKeys: [] },
        ),
        training: fc.record({ epochs: fc.integer({ min: 0, max: 1000 }), seed: fc.integer({ min: 0, max: 1000 }) }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arbitrary, (input) => {
        const resolved = parseConfig(input);
        expect(parseConfig(JSON.parse(JSON.stringify(resolved)))).toEqual(resolved);
      }),
    );
  });
});
