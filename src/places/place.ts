// The domain record every lookup yields, forward or reverse. Its fields carry the names users
// type in GEO.DETAILS and GEO.REVERSE (Geoapify's own names, flattened: `rank.confidence` is
// `confidence`, `timezone.name` is `timezone`), so a field list is read straight off the record
// with no second vocabulary to keep in step. Pure data: no I/O, no Excel, no Geoapify client.

/** A place Geoapify matched. Every field but the position may be missing from a result. */
export interface Place {
  lat: number;
  lon: number;
  formatted?: string;
  address_line1?: string;
  address_line2?: string;
  housenumber?: string;
  street?: string;
  suburb?: string;
  district?: string;
  postcode?: string;
  city?: string;
  county?: string;
  state?: string;
  state_code?: string;
  country?: string;
  country_code?: string;
  result_type?: string;
  /** `rank.confidence`, 0 to 1. Forward results only. */
  confidence?: number;
  confidence_city_level?: number;
  confidence_street_level?: number;
  /** `rank.match_type`: full_match, match_by_street, … Forward results only. */
  match_type?: string;
  /** `timezone.name`, an IANA zone such as "Europe/London". */
  timezone?: string;
  plus_code?: string;
  place_id?: string;
  /** Metres from the asked point. Reverse results only. */
  distance?: number;
  /** Reverse results only. */
  name?: string;
  /** Reverse results only. */
  category?: string;
  /** `datasource.attribution`, e.g. "© OpenStreetMap contributors": shown wherever the place is. */
  attribution?: string;
}

/** The fields a user may ask for, in the order GEO.DETAILS documents them. */
export const FORWARD_FIELDS = [
  "lat",
  "lon",
  "formatted",
  "address_line1",
  "address_line2",
  "housenumber",
  "street",
  "suburb",
  "district",
  "postcode",
  "city",
  "county",
  "state",
  "state_code",
  "country",
  "country_code",
  "result_type",
  "confidence",
  "confidence_city_level",
  "confidence_street_level",
  "match_type",
  "timezone",
  "plus_code",
  "place_id",
] as const satisfies ReadonlyArray<keyof Place>;

/** GEO.REVERSE accepts the forward fields and these, which only reverse results carry. */
export const REVERSE_FIELDS = [...FORWARD_FIELDS, "distance", "name", "category"] as const;

export type PlaceField = (typeof REVERSE_FIELDS)[number];

/** Fields whose values are numbers; every other field is text. */
export type NumericField =
  "lat" | "lon" | "confidence" | "confidence_city_level" | "confidence_street_level" | "distance";

export const NUMERIC_FIELDS: ReadonlySet<PlaceField> = new Set<NumericField>([
  "lat",
  "lon",
  "confidence",
  "confidence_city_level",
  "confidence_street_level",
  "distance",
]);
