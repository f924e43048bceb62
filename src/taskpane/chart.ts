// Recent batches as a small bar chart on a canvas: one bar per batch, its height the batch's
// size, its colour the outcome, a tick above it for its wait. The numbers behind it go into the
// canvas's accessible label. Loaded with import() from the pane: a chunk of its own.

import type { BatchOutcome, BatchRecord } from "./view-model";
import { tokenColour } from "./dom";
import { words } from "./wording";

const HEIGHT = 72;
const GAP = 2;
/** Pixels between the stripes of a batch where some addresses failed. */
const STRIPE_GAP = 3;

/** The Fluent token each outcome is drawn in, so the bars follow the theme (light or dark). */
const OUTCOME_TOKENS: Record<BatchOutcome, string> = {
  ok: "colorPaletteGreenForeground1",
  partial: "colorPaletteDarkOrangeForeground1",
  failed: "colorPaletteRedForeground1",
  pending: "colorNeutralForeground3",
};
const WAIT_TOKEN = "colorNeutralForeground1";

export class BatchChart {
  private readonly canvas: HTMLCanvasElement;

  constructor(container: HTMLElement) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "batch-chart";
    this.canvas.setAttribute("role", "img");
    container.append(this.canvas);
  }

  draw(batches: readonly BatchRecord[]): void {
    const width = Math.max(160, Math.floor(this.canvas.parentElement?.clientWidth ?? 240));
    const ratio = globalThis.devicePixelRatio || 1;
    this.canvas.width = width * ratio;
    this.canvas.height = HEIGHT * ratio;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${HEIGHT}px`;
    this.canvas.dataset.bars = String(batches.length);
    this.canvas.setAttribute("aria-label", describe(batches));
    const context = this.canvas.getContext("2d");
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, HEIGHT);
    if (batches.length === 0) return;
    const largest = Math.max(...batches.map((b) => b.size), 1);
    const longestWait = Math.max(...batches.map((b) => b.waitMs), 1);
    const barWidth = Math.max(2, Math.min(16, width / batches.length - GAP));
    const colour = (token: string) => tokenColour(this.canvas, token) || "#616161";
    const waitColour = colour(WAIT_TOKEN);
    batches.forEach((batch, index) => {
      const x = index * (barWidth + GAP);
      const height = Math.max(2, (batch.size / largest) * (HEIGHT - 8));
      drawBar(context, batch.outcome, colour(OUTCOME_TOKENS[batch.outcome]), {
        x,
        y: HEIGHT - height,
        width: barWidth,
        height,
      });
      // The wait as a tick on a scale of its own along the top band.
      context.fillStyle = waitColour;
      context.fillRect(x, 6 - (batch.waitMs / longestWait) * 5, barWidth, 1);
    });
  }
}

/**
 * One bar: solid when all was found, striped when some failed, hollow when the batch failed,
 * dashed while it runs; the outcome is told by the bar's look as well as its colour.
 */
function drawBar(
  context: CanvasRenderingContext2D,
  outcome: BatchOutcome,
  colour: string,
  { x, y, width, height }: { x: number; y: number; width: number; height: number }
): void {
  context.fillStyle = colour;
  context.strokeStyle = colour;
  context.lineWidth = 1;
  context.setLineDash(outcome === "pending" ? [2, 2] : []);
  if (outcome === "ok") return context.fillRect(x, y, width, height);
  context.strokeRect(x + 0.5, y + 0.5, Math.max(1, width - 1), Math.max(1, height - 1));
  if (outcome !== "partial") return;
  for (let stripe = y + height - 1; stripe > y; stripe -= STRIPE_GAP) {
    context.fillRect(x, stripe, width, 1);
  }
}

/** The chart in words, for screen readers and for anyone who wants the figures. */
export function describe(batches: readonly BatchRecord[]): string {
  const recent = batches
    .slice(-5)
    .map(
      (b) =>
        `Batch ${b.batchId}: ${b.size} addresses, waited ${Math.round(b.waitMs)} ms, ` +
        (b.durationMs === undefined ? "running." : `${Math.round(b.durationMs)} ms, ${b.outcome}.`)
    );
  return [words.progress.chartLabel(batches.length), ...recent].join(" ");
}
