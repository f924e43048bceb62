import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import { describe, expect, it } from "vitest";
import countries110m from "world-atlas/countries-110m.json";
import { CountryLocator, countriesOf } from "../../src/taskpane/map-countries";
import { isDarkColour } from "../../src/taskpane/theme-choice";

describe("Office's theme colour", () => {
  it.each([
    ["#FFFFFF", false],
    ["#f3f2f1", false],
    ["#E6E6E6", false],
    ["#262626", true],
    ["#000", true],
    ["#444444", true],
    ["#808080", false],
    ["not a colour", false],
  ])("%s is dark: %s", (colour, dark) => {
    expect(isDarkColour(colour)).toBe(dark);
  });
});

describe("the map's countries", () => {
  const world = countries110m as unknown as Topology<{
    countries: GeometryCollection<{ name: string }>;
  }>;
  const locator = new CountryLocator(countriesOf(feature(world, world.objects.countries).features));

  it("names the country a point lies in, across the antimeridian too", () => {
    expect(locator.countryAt(2.2945, 48.8584)).toBe("France");
    expect(locator.countryAt(-77.0365, 38.8977)).toBe("United States of America");
    expect(locator.countryAt(151.2, -33.86)).toBe("Australia");
    expect(locator.countryAt(178.0, -17.8)).toBe("Fiji");
    expect(locator.countryAt(-30, 0)).toBeUndefined();
  });

  it("counts points per country, most first, the open sea apart", () => {
    expect(
      locator.tally([
        { lon: -0.1419, lat: 51.5014 },
        { lon: -74.0445, lat: 40.6892 },
        { lon: -118.32, lat: 34.13 },
        { lon: -30, lat: 0 },
      ])
    ).toEqual([
      ["United States of America", 2],
      ["United Kingdom", 1],
      [undefined, 1],
    ]);
  });
});
