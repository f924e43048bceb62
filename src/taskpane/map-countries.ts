// Which country each point of the map lies in, from the same Natural Earth outlines the map draws
// (world-atlas's countries-110m): the map's text alternative names the countries, so a screen
// reader user learns what a sighted user sees at a glance. Pure apart from d3-geo.

import { geoBounds, geoContains } from "d3-geo";
import type { Feature, Geometry } from "geojson";

export interface Country {
  name: string;
  feature: Feature<Geometry, { name: string }>;
  /** [[west, south], [east, north]]; west > east when it crosses the antimeridian. */
  bounds: [[number, number], [number, number]];
}

export function countriesOf(features: Array<Feature<Geometry, { name: string }>>): Country[] {
  return features.map((feature) => ({
    name: feature.properties.name,
    feature,
    bounds: geoBounds(feature),
  }));
}

function inBounds({ bounds: [[west, south], [east, north]] }: Country, lon: number, lat: number) {
  if (lat < south || lat > north) return false;
  return west <= east ? lon >= west && lon <= east : lon >= west || lon <= east;
}

/** Finds and remembers the country of each position (positions repeat run after run). */
export class CountryLocator {
  private readonly known = new Map<string, string | undefined>();

  constructor(private readonly countries: Country[]) {}

  countryAt(lon: number, lat: number): string | undefined {
    const key = `${lon},${lat}`;
    if (this.known.has(key)) return this.known.get(key);
    const candidates = this.countries.filter((candidate) => inBounds(candidate, lon, lat));
    // At 1:110m a harbour or a cape can fall just outside its country's outline: the country
    // whose bounds hold the point is then the better answer than none.
    const country = (
      candidates.find((candidate) => geoContains(candidate.feature, [lon, lat])) ?? candidates[0]
    )?.name;
    this.known.set(key, country);
    return country;
  }

  /** How many positions lie in each country, most first; those in none under `undefined`. */
  tally(
    positions: ReadonlyArray<{ lon: number; lat: number }>
  ): Array<[string | undefined, number]> {
    const counts = new Map<string | undefined, number>();
    for (const { lon, lat } of positions) {
      const country = this.countryAt(lon, lat);
      counts.set(country, (counts.get(country) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1]);
  }
}
