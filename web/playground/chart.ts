// ---- the loss charts -------------------------------------------------------------------------

export interface Series {
  label: string;
  color: string;
  values: number[];
}

/** Loss per epoch on a log scale, one line per series (the train view has one, the lesson two). */
export function drawChart(canvas: HTMLCanvasElement, series: Series[]): void {
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  const { width: W, height: H } = canvas;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = "#5a6470";
  ctx.font = "12px system-ui";
  ctx.fillText("loss per epoch (log scale)", 8, 14);
  const values = series.flatMap((s) => s.values).filter((l) => l > 0 && Number.isFinite(l));
  if (values.length < 1) return;
  const lo = Math.log10(Math.min(...values));
  const hi = Math.log10(Math.max(...values));
  const span = hi - lo || 1;
  const n = Math.max(2, ...series.map((s) => s.values.length));
  ctx.lineWidth = 2;
  series.forEach((s, k) => {
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    s.values.forEach((l, i) => {
      const x = 30 + ((W - 40) * i) / (n - 1);
      const y = 24 + (H - 34) * (1 - (Math.log10(l) - lo) / span);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
    if (series.length > 1) {
      ctx.fillStyle = s.color;
      ctx.fillText(s.label, W - 200, 14 + 14 * k);
    }
  });
  ctx.fillStyle = "#5a6470";
  ctx.fillText(Math.max(...values).toExponential(2), 2, 34);
  ctx.fillText(Math.min(...values).toExponential(2), 2, H - 4);
}
