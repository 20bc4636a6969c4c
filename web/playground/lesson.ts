// ---- the study's lesson: ReLU against positional encoding, side by side ---------------------
import type { Config } from "coordnet";
import type { FromWorker, ToWorker } from "../protocol.js";
import { drawChart, type Series } from "./chart.js";
import { $, field, show, sizeChoice, state } from "./dom.js";
import { sourceImage } from "./image.js";
import { drawNetwork } from "./neurons.js";

/** What the lesson returns in the scripted mode (`?lesson=1&autorun=1`): each network's run. */
export interface LessonResult {
  lesson: true;
  backend: string;
  epochs: number;
  seed: number;
  relu: { backend: string; losses: number[]; psnr: number; samplesPerSecond: number };
  positional: { backend: string; losses: number[]; psnr: number; samplesPerSecond: number };
}

const LESSON = [
  // the positional preset, and the same preset without its encoding: the only difference
  { key: "relu", color: "#b3540c", label: "ReLU, raw (x, y)", overrides: { encoding: "none" } },
  { key: "positional", color: "#0b5cad", label: "ReLU, positional", overrides: {} },
] as const;
let lessonWorkers: Worker[] = [];
/** counts lesson runs: a run that is no longer the latest neither cleans up nor reports */
let lessonRun = 0;
/** rejects the running lesson's promise (Stop, or a new run) */
let cancelLesson: ((reason: Error) => void) | null = null;

function stopLesson(): void {
  for (const w of lessonWorkers) w.terminate();
  lessonWorkers = [];
  cancelLesson?.(new Error("coordnet: the lesson was stopped"));
  cancelLesson = null;
  $<HTMLButtonElement>("lesson-run").disabled = false;
  $<HTMLButtonElement>("lesson-stop").disabled = true;
}

/** Train the two networks at once, each in its own worker, and resolve with both runs. */
export async function runLesson(options: {
  epochs: number;
  seed: number;
  backend: string;
  size?: { width: number; height: number };
  network?: Record<string, unknown>;
}): Promise<LessonResult> {
  stopLesson();
  const id = ++lessonRun;
  $<HTMLButtonElement>("lesson-run").disabled = true;
  $<HTMLButtonElement>("lesson-stop").disabled = false;
  const cancelled = new Promise<never>((_, reject) => {
    cancelLesson = reject;
  });
  cancelled.catch(() => {});
  try {
    $("lesson-status").textContent = "loading the image…";
    const image = await Promise.race([sourceImage(), cancelled]);
    $("lesson-status").textContent = `training both on ${options.backend}…`;
    const series: Series[] = LESSON.map((l) => ({ label: l.label, color: l.color, values: [] }));
    const chart = $<HTMLCanvasElement>("lesson-loss");
    drawChart(chart, series);
    const runs = LESSON.map(
      (l, k) =>
        new Promise<LessonResult["relu"]>((resolve, reject) => {
          const w = new Worker(new URL("../train-worker.ts", import.meta.url), { type: "module" });
          lessonWorkers.push(w);
          const stats = $(`lesson-${l.key}-stats`);
          stats.textContent = "starting…";
          let config: Config | null = null;
          w.addEventListener("error", (e) => reject(new Error(`the training worker failed: ${e.message}`)));
          w.addEventListener("message", (event: MessageEvent<FromWorker>) => {
            const m = event.data;
            if (m.type === "ready") {
              const data = new Uint8ClampedArray(image.data);
              const start: ToWorker = {
                type: "start",
                image: { width: image.width, height: image.height, data },
                preset: "positional",
                overrides: { ...options.network, ...l.overrides, epochs: options.epochs, seed: options.seed },
                backend: options.backend,
                size: options.size,
                // two trainers at once: half the cores each, so the page keeps a core to answer on
                threads: Math.max(1, Math.floor((navigator.hardwareConcurrency || 2) / 2)),
              };
              w.postMessage(start, [data.buffer]);
            } else if (m.type === "started") {
              config = m.config;
              stats.textContent = `training on ${m.backend}…`;
            } else if (m.type === "weights") {
              if (config !== null) drawNetwork(`lesson-${l.key}-net`, config, m.weights, m.matrix, m.epoch, m.units);
            } else if (m.type === "epoch") {
              series[k].values.push(m.loss);
              drawChart(chart, series);
              stats.textContent = `epoch ${m.epoch}/${m.epochs}, loss ${m.loss.toExponential(2)}, PSNR ${m.psnr.toFixed(2)} dB`;
              if (m.image !== undefined) show($<HTMLCanvasElement>(`lesson-${l.key}`), m.image);
            } else if (m.type === "done") {
              show($<HTMLCanvasElement>(`lesson-${l.key}`), m.image);
              stats.textContent = `${m.epochs} epochs on ${m.backend}, PSNR ${m.psnr.toFixed(2)} dB`;
              resolve({ backend: m.backend, losses: m.losses, psnr: m.psnr, samplesPerSecond: m.samplesPerSecond });
            } else if (m.type === "error") reject(new Error(m.message));
          });
        }),
    );
    const [relu, positional] = await Promise.race([Promise.all(runs), cancelled]);
    // both asked for the same backend; `auto` resolves the same way in both workers
    if (relu.backend !== positional.backend) throw new Error(`coordnet: the two networks ran on different backends (${relu.backend}, ${positional.backend})`);
    const gain = positional.psnr - relu.psnr;
    $("lesson-status").textContent =
      `done on ${relu.backend}: positional encoding ${gain >= 0 ? `+${gain.toFixed(2)}` : gain.toFixed(2)} dB over raw coordinates after ${options.epochs} epochs`;
    return { lesson: true, backend: relu.backend, epochs: options.epochs, seed: options.seed, relu, positional };
  } catch (e) {
    if (id === lessonRun) $("lesson-status").textContent = `error: ${(e as Error).message}`;
    throw e;
  } finally {
    if (id === lessonRun) {
      cancelLesson = null;
      stopLesson();
    }
  }
}

export function wireLesson(): void {
  $("lesson-run").addEventListener("click", () => {
    runLesson({
      epochs: Number(field("lesson-epochs").value),
      seed: Number(field("seed").value),
      backend: state.backend,
      size: sizeChoice() ?? { width: 64, height: 64 },
    }).catch(() => {});
  });
  $("lesson-stop").addEventListener("click", () => stopLesson());
}
