// The gateway reads a request's inputs by the add-in's own rules (src/places) and refuses bad
// ones in Geoapify's words, naming the item, before anything can be sent.

import { describe, expect, it } from "vitest";
import { BadRequestError, readBatch, readOptions, readSingle } from "../../src/gateway/inputs";

describe("gateway inputs", () => {
  it("keys addresses as the add-in does: cleaned, case kept for sending, lower case in the key", () => {
    expect(readBatch("search", {}, ["  10  Downing St ", "x"])).toEqual([
      { key: "search|||10 downing st", input: "10 Downing St" },
      { key: "search|||x", input: "x" },
    ]);
  });

  it("reads options from Geoapify's filter and lang, normalised into the key", () => {
    const options = readOptions({ filter: "countrycode:FR,de", lang: "DE" });
    expect(options).toEqual({ country: "de,fr", language: "de" });
    expect(readBatch("search", options, ["Paris"])[0].key).toBe("search|de,fr|de|paris");
    expect(() => readOptions({ filter: "countrycode:zz" })).toThrow(BadRequestError);
    expect(() => readOptions({ lang: "klingon" })).toThrow(BadRequestError);
  });

  it("reads reverse points longitude first and rounds them as the add-in does", () => {
    expect(readBatch("reverse", {}, [[2.29450001, 48.8584], { lon: -0.1, lat: 51.5 }])).toEqual([
      { key: "reverse|||48.8584,2.2945", input: "48.8584,2.2945" },
      { key: "reverse|||51.5,-0.1", input: "51.5,-0.1" },
    ]);
    expect(() => readBatch("reverse", {}, [[0, 0, 0]])).toThrow(
      '"body[0]" must be a [lon, lat] array or a {lon, lat} object'
    );
  });

  it("names the parameter of a bad single lookup", () => {
    expect(readSingle("reverse", {}, { lat: "48.8584", lon: "2.2945" }).input).toBe(
      "48.8584,2.2945"
    );
    expect(() => readSingle("reverse", {}, { lat: "91", lon: "0" })).toThrow(
      '"lat" must be a number in [-90, 90]'
    );
    expect(() => readSingle("search", {}, { text: "   " })).toThrow(
      '"text" is not allowed to be empty'
    );
  });
});
