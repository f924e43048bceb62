// GEO.PLACE's answer: the matched place as an Excel entity value, a cell that shows the formatted
// address with a card icon and whose properties are read as `=A2.Latitude`. Hosts without
// CustomFunctionsRuntime 1.4 cannot show entities, so they get the formatted address as text.

import type { Place, PlaceField } from "../places/place";

/** Entity properties: the name users type after the dot, and the Place field it shows. */
const PROPERTIES = [
  ["Latitude", "lat"],
  ["Longitude", "lon"],
  ["Address", "formatted"],
  ["Confidence", "confidence"],
  ["Match type", "match_type"],
  ["Result type", "result_type"],
  ["House number", "housenumber"],
  ["Street", "street"],
  ["Postcode", "postcode"],
  ["City", "city"],
  ["County", "county"],
  ["State", "state"],
  ["Country", "country"],
  ["Country code", "country_code"],
  ["Time zone", "timezone"],
  ["Plus code", "plus_code"],
] as const satisfies ReadonlyArray<readonly [string, PlaceField]>;

type PropertyName = (typeof PROPERTIES)[number][0];

/** The card's sections, each listing the properties it shows when the place has them. */
const SECTIONS: ReadonlyArray<{ title: string; properties: readonly PropertyName[] }> = [
  { title: "Location", properties: ["Latitude", "Longitude", "Time zone", "Plus code"] },
  {
    title: "Address",
    properties: [
      "Address",
      "House number",
      "Street",
      "Postcode",
      "City",
      "County",
      "State",
      "Country",
      "Country code",
    ],
  },
  { title: "Match quality", properties: ["Confidence", "Match type", "Result type"] },
];

const PROVIDER = "Geoapify";

/** The place as an entity; a part the place lacks is left out, not shown empty. */
function placeEntity(place: Place): Excel.EntityCellValue {
  const properties: Record<string, Excel.EntityPropertyType> = {};
  for (const [name, field] of PROPERTIES) {
    const value = place[field];
    if (typeof value === "number") properties[name] = { type: "Double", basicValue: value };
    else if (value !== undefined) properties[name] = { type: "String", basicValue: value };
  }
  const sections = SECTIONS.map(({ title, properties: names }) => ({
    layout: "List" as const,
    title,
    properties: names.filter((name) => name in properties),
  })).filter((section) => section.properties.length > 0);
  const text = place.formatted ?? `${place.lat}, ${place.lon}`;
  return {
    type: "Entity",
    text,
    properties,
    layouts: { card: { title: place.address_line1 ?? text, sections } },
    // Each result names its own data source (OpenStreetMap, OpenAddresses, …): credit it.
    provider: {
      description: place.attribution ? `${PROVIDER} · ${place.attribution}` : PROVIDER,
    },
  };
}

/** The entity, or its text where the host says it cannot show entities. */
export function placeValue(place: Place): Excel.EntityCellValue | string {
  const entity = placeEntity(place);
  return hostShowsEntities() ? entity : (entity.text as string);
}

/**
 * False only when an Office host is there to ask and says no. Without a host (the workbench, a
 * plain browser: `Office.context` is undefined) the entity is returned for whatever hosts it.
 */
function hostShowsEntities(): boolean {
  if (typeof Office === "undefined" || !Office.context?.requirements) return true;
  return Office.context.requirements.isSetSupported("CustomFunctionsRuntime", "1.4");
}
