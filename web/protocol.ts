// Messages between the playground page and its training worker.
import type { Config } from "coordnet";
import type { BackendStatus, LayerWeights } from "coordnet/backends";
import type { MLPSpec } from "coordnet/reference";
import type { Measure } from "./playground/measure.js";
import type { UnitPlanes } from "./playground/units.js";

export type ToWorker =
  | { type: "list" }
  | {
      type: "start";
      /** RGBA bytes, row-major (ImageData) */
      image: { width: number; height: number; data: Uint8ClampedArray };
      preset?: string;
      overrides: Record<string, unknown>;
      backend: string;
      size?: { width: number; height: number };
      /** start paused (the single-step button before any training) */
      paused?: boolean;
      /** the wasm backend's threads (default: every core); the lesson's two trainers take half each */
      threads?: number;
    }
  | { type: "compare"; a: string; b: string; spec?: MLPSpec; batch?: number; steps?: number; seed?: number; lr?: number }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "step" }
  | { type: "stop" }
  /** render the last trained network at `factor` times its training size */
  | { type: "zoom"; factor: number };

export type FromWorker =
  | { type: "ready" }
  /** probing backend `index` (0-based) of `total` */
  | { type: "probing"; name: string; index: number; total: number }
  | { type: "backends"; backends: BackendStatus[]; isolated: boolean }
  | { type: "started"; backend: string; details: Record<string, string>; width: number; height: number; epochs: number; config: Config }
  /** the weights after `epoch` epochs (0: the initial ones), the Gaussian encoding's matrix, and the shown units' pictures' values */
  | { type: "weights"; epoch: number; weights: LayerWeights[]; matrix: Float32Array | null; units: UnitPlanes }
  /** the lab's measures at `epoch` (0: the initial network); the target (row-major [H][W][3]) with the first when predictions are sent */
  | ({ type: "measured"; target?: Float32Array } & Measure)
  | { type: "epoch"; epoch: number; epochs: number; loss: number; lr: number; psnr: number; samplesPerSecond: number; image?: ImageData }
  | { type: "paused"; epoch: number }
  | {
      type: "done";
      backend: string;
      epochs: number;
      losses: number[];
      /** PSNR over the pixels trained on (every pixel without a holdout), dB */
      psnr: number;
      /** PSNR over the held-out pixels, or null without a holdout */
      testPsnr: number | null;
      samplesPerSecond: number;
      safetensors: Uint8Array;
      image: ImageData;
    }
  | { type: "zoomed"; factor: number; image: ImageData }
  | { type: "compared"; comparison: CompareSummary }
  | { type: "error"; message: string };

/** What the verify view shows of a comparison (and the scripted mode returns). */
export interface CompareSummary {
  a: string;
  b: string;
  /** the network compared */
  spec: MLPSpec;
  batch: number;
  steps: number;
  seed: number;
  factor: number;
  pass: boolean;
  seconds: number;
  tensors: { name: string; size: number; maxAbs: number; maxRel: number; worstRatio: number; pass: boolean }[];
}
