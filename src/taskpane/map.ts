// The map of this session's cells, drawn on a canvas: a world outline bundled with the add-in
// (Natural Earth 1:110m countries, via world-atlas, so it works offline; its land draws the map,
// its countries name where the points are) and one mark per cell. A canvas keeps 10,000 points
// to one element instead of 10,000 DOM nodes. Loaded with import() from the pane, so its code
// and the outline are a chunk of their own.

import { geoPath, type GeoProjection, type GeoPermissibleObjects } from "d3-geo";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import countries110m from "world-atlas/countries-110m.json";
import { CountryLocator, countriesOf } from "./map-countries";
import {
  confidenceLevel,
  fitProjection,
  MAP_PALETTES,
  nearestPoint,
  projectPoints,
  type ConfidenceLevel,
  type MapPalette,
  type ScreenPoint,
} from "./map-geometry";
import type { CellEvent } from "./view-model";
import { words } from "./wording";

const POINT_RADIUS = 2.5;
const HOVER_RADIUS = 8;

const world = countries110m as unknown as Topology<{
  land: GeometryCollection;
  countries: GeometryCollection<{ name: string }>;
}>;
const land = feature(world, world.objects.land) as GeoPermissibleObjects;
const countries = new CountryLocator(countriesOf(feature(world, world.objects.countries).features));

export class WorldMap {
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: HTMLElement;
  private projection: GeoProjection;
  private points: CellEvent[] = [];
  private screen: ScreenPoint[] = [];
  private width = 0;
  private height = 0;

  constructor(container: HTMLElement) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "map-canvas";
    this.canvas.setAttribute("role", "img");
    this.tooltip = document.createElement("div");
    this.tooltip.className = "map-tooltip";
    this.tooltip.setAttribute("role", "tooltip");
    this.tooltip.hidden = true;
    container.append(this.canvas, this.tooltip);
    this.projection = fitProjection(1, 1);
    this.canvas.addEventListener("mousemove", (event) => this.hover(event.offsetX, event.offsetY));
    this.canvas.addEventListener("mouseleave", () => (this.tooltip.hidden = true));
  }

  /** Draws these points (the cells with a position), fitting the map to the container's width. */
  draw(points: CellEvent[]): void {
    this.points = points;
    const width = Math.max(200, Math.floor(this.canvas.parentElement?.clientWidth ?? 300));
    const height = Math.round(width * 0.5);
    if (width !== this.width) {
      this.width = width;
      this.height = height;
      const ratio = globalThis.devicePixelRatio || 1;
      this.canvas.width = width * ratio;
      this.canvas.height = height * ratio;
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
      this.projection = fitProjection(width, height);
    }
    this.screen = projectPoints(this.projection, points);
    this.canvas.setAttribute("aria-label", this.describe());
    this.canvas.dataset.points = String(this.screen.length);
    this.paint();
  }

  /** The map in words: how many points, in which countries, how confident. */
  private describe(): string {
    const placed = this.screen.map(({ index }) => this.points[index]);
    const levels: Record<ConfidenceLevel, number> = { high: 0, medium: 0, low: 0, unknown: 0 };
    for (const point of placed) levels[confidenceLevel(point.confidence)]++;
    const byCountry = countries.tally(
      placed.map(({ lon, lat }) => ({ lon: lon as number, lat: lat as number }))
    );
    return words.map.label(placed.length, byCountry, levels);
  }

  /** The theme's palette: the pane says which theme it shows on its root. */
  private palette(): MapPalette {
    const theme = this.canvas.closest<HTMLElement>("[data-theme]")?.dataset.theme;
    return theme === "dark" ? MAP_PALETTES.dark : MAP_PALETTES.light;
  }

  private paint(): void {
    const context = this.canvas.getContext("2d");
    if (!context) return;
    const palette = this.palette();
    const ratio = this.canvas.width / this.width;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, this.width, this.height);
    const path = geoPath(this.projection, context);
    context.beginPath();
    path({ type: "Sphere" });
    context.fillStyle = palette.sea;
    context.fill();
    context.beginPath();
    path(land);
    context.fillStyle = palette.land;
    context.fill();
    context.strokeStyle = palette.coast;
    context.lineWidth = 0.5;
    context.stroke();
    // One path per confidence level: four paths instead of one per point. Each level has a
    // shape of its own as well as a colour, so the map does not say it by colour alone.
    const byLevel = new Map<ConfidenceLevel, ScreenPoint[]>();
    for (const point of this.screen) {
      const level = confidenceLevel(this.points[point.index].confidence);
      byLevel.set(level, [...(byLevel.get(level) ?? []), point]);
    }
    for (const [level, group] of byLevel) {
      context.beginPath();
      for (const { x, y } of group) tracePoint(context, level, x, y);
      const colour = palette.points[level];
      if (level === "high" || level === "unknown") {
        context.fillStyle = colour;
        context.fill();
      } else {
        context.strokeStyle = colour;
        context.lineWidth = 1.5;
        context.stroke();
      }
    }
  }

  private hover(x: number, y: number): void {
    const point = nearestPoint(this.screen, x, y, HOVER_RADIUS);
    if (!point) {
      this.tooltip.hidden = true;
      return;
    }
    const cell = this.points[point.index];
    // Text only: addresses come from the sheet and may hold anything a user pasted.
    this.tooltip.replaceChildren(
      line(cell.cell ? `${cell.cell}: ${cell.input}` : cell.input, "map-tooltip-input"),
      line(cell.formatted ?? "", "map-tooltip-match"),
      line(
        [cell.matchType, cell.confidence !== undefined ? `confidence ${cell.confidence}` : ""]
          .filter(Boolean)
          .join(", "),
        "map-tooltip-meta"
      )
    );
    this.tooltip.style.left = `${Math.min(x + 12, this.width - 180)}px`;
    this.tooltip.style.top = `${y + 12}px`;
    this.tooltip.hidden = false;
  }
}

/** A dot (high), a ring (medium), a cross (low) or a square (unknown), added to the path. */
function tracePoint(
  context: CanvasRenderingContext2D,
  level: ConfidenceLevel,
  x: number,
  y: number
) {
  const r = POINT_RADIUS;
  switch (level) {
    case "high":
    case "medium":
      context.moveTo(x + r, y);
      context.arc(x, y, r, 0, 2 * Math.PI);
      return;
    case "low":
      context.moveTo(x - r, y - r);
      context.lineTo(x + r, y + r);
      context.moveTo(x + r, y - r);
      context.lineTo(x - r, y + r);
      return;
    case "unknown":
      context.rect(x - r * 0.8, y - r * 0.8, r * 1.6, r * 1.6);
  }
}

function line(text: string, className: string): HTMLElement {
  const element = document.createElement("div");
  element.className = className;
  element.textContent = text;
  return element;
}
