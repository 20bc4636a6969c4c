// ---- the image: the built-in photograph, a dropped or chosen file ----------------------------
import { $, show, state } from "./dom.js";

const MAX_PIXELS = 16_000_000;

/** Decode a PNG/JPEG/… blob to RGBA; one readable line when it is not an image. */
async function decode(blob: Blob, name: string): Promise<ImageData> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    throw new Error(`coordnet: cannot read ${name}: not an image this browser can decode (PNG, JPEG, WebP, GIF)`);
  }
  if (bitmap.width * bitmap.height > MAX_PIXELS)
    throw new Error(`coordnet: ${name} is ${bitmap.width}×${bitmap.height}, more than ${MAX_PIXELS / 1e6} megapixels`);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext("2d") as OffscreenCanvasRenderingContext2D;
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
}

export function imageError(message: string | null): void {
  const p = $("image-error");
  p.hidden = message === null;
  p.textContent = message ?? "";
}

/** Counts image requests: only the latest one's result is used (a slow built-in photograph must not replace a file chosen meanwhile). */
let imageRequest = 0;

async function applyImage(blob: Blob, name: string, id: number): Promise<void> {
  try {
    const decoded = await decode(blob, name);
    if (id !== imageRequest) return;
    state.source = decoded;
    state.sourceName = name;
    show($("source"), decoded);
    imageError(null);
  } catch (e) {
    if (id === imageRequest) imageError((e as Error).message);
    throw e;
  }
}

function useImage(blob: Blob, name: string): Promise<void> {
  return applyImage(blob, name, ++imageRequest);
}

const defaultImageUrl = new URL("../../assets/astronaut.png", import.meta.url).href;

export async function useDefaultImage(): Promise<void> {
  const id = ++imageRequest;
  const response = await fetch(defaultImageUrl);
  if (!response.ok) throw new Error(`coordnet: the built-in photograph did not load (${response.status})`);
  await applyImage(await response.blob(), "the built-in photograph", id);
}

/** The image, loading the built-in photograph first when none is chosen. */
export async function sourceImage(): Promise<ImageData> {
  if (state.source === null) await useDefaultImage();
  if (state.source === null) throw new Error("coordnet: the chosen image is still loading; try again in a moment");
  return state.source;
}

export function wireImage(): void {
  $<HTMLInputElement>("file").addEventListener("change", (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file !== undefined) useImage(file, file.name).catch(() => {});
  });
  $("use-default").addEventListener("click", () => {
    useDefaultImage().catch((e) => imageError((e as Error).message));
  });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const file = e.dataTransfer?.files[0];
    if (file !== undefined) useImage(file, file.name).catch(() => {});
  });
}
