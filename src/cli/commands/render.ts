/**
 * @module
 * `coordnet render`: a trained model at any resolution.
 */

import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { toRGBImage } from "../../api/image.js";
import { Model } from "../../api/model.js";
import { requireBackend, resolveBackendName } from "../../backends/index.js";
import { encodePNG, type RGBImage } from "../../image/index.js";
import { checkOutputPath, writeFileAtomic } from "../../io/atomic.js";
import { loadModel } from "../../io/model-file.js";
import { refuseInputsAmongOutputs } from "../../io/out-dir.js";
import { checkPixels } from "../../limits.js";
import { size, UsageError } from "../options.js";
import { checkRender, maxMemoryOption } from "../preflight.js";
import { backendOption, type CommandContext, maxPixelsOption, renderBar, threadsOption } from "../shared.js";

interface RenderFlags {
  size: { width: number; height: number };
  out: string;
  backend: string;
  maxPixels: number;
  maxMemory: number;
}

async function render(modelPath: string, flags: RenderFlags): Promise<number> {
  checkPixels("--size", flags.size.width, flags.size.height, flags.maxPixels);
  // the output is a regular file or a new path in an existing folder, and not the model itself
  checkOutputPath(flags.out);
  refuseInputsAmongOutputs([flags.out], [modelPath]);
  if (!existsSync(dirname(resolve(flags.out)))) throw new UsageError(`cannot write ${flags.out}: the folder ${dirname(flags.out)} does not exist`);
  const model = loadModel(modelPath);
  const backendName = await resolveBackendName(flags.backend);
  await requireBackend(backendName);
  checkRender(model.config, backendName, flags.size.width, flags.size.height, 4096, { maxPixels: flags.maxPixels, maxMiB: flags.maxMemory });
  // the library's own path (Model.render), with a progress bar for renders of more than 4 megapixels
  const { width, height } = flags.size;
  const bar = renderBar(width * height > 4 * 2 ** 20);
  let image: RGBImage;
  try {
    image = toRGBImage(
      await new Model(model.config, model.weights, model.matrix).render(width, height, { backend: backendName, onProgress: bar.update }),
      Number.MAX_SAFE_INTEGER,
    );
  } finally {
    bar.stop();
  }
  writeFileAtomic(flags.out, encodePNG(image));
  console.log(`rendered ${flags.size.width}×${flags.size.height} with ${backendName} → ${flags.out}`);
  return 0;
}

/** Register `coordnet render` on `program`. */
export function registerRender(program: Command, ctx: CommandContext): void {
  program
    .command("render")
    .description("render a trained model at any resolution")
    .argument("<model>", "a model.safetensors written by coordnet train")
    .requiredOption("--size <WxH>", "output size", size)
    .requiredOption("--out <png>", "output PNG")
    .addOption(backendOption())
    .addOption(threadsOption())
    .addOption(maxPixelsOption())
    .addOption(maxMemoryOption())
    .action(async (model: string, flags: RenderFlags) => {
      ctx.setCode(await render(model, flags));
    });
}
