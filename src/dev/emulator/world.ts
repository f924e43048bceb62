// The emulator's small world: the countries it knows by name (in five languages), one or more
// cities in each, and their time zones. Cities are the city-level matches ("Paris, France"), the
// places a reverse lookup falls back to, and the centres synthetic addresses are scattered
// around (see ./gazetteer.ts).

/** Languages the emulator translates names into; any other valid `lang` answers in English. */
export const TRANSLATED_LANGUAGES = ["en", "de", "fr", "es", "it"] as const;
export type TranslatedLanguage = (typeof TRANSLATED_LANGUAGES)[number];

/** A name in each translated language, English first. */
type Names = readonly [en: string, de: string, fr: string, es: string, it: string];

export function translate(names: Names, lang: string): string {
  const index = TRANSLATED_LANGUAGES.indexOf(lang as TranslatedLanguage);
  return names[index === -1 ? 0 : index];
}

export interface Country {
  code: string;
  /** The `country` field. */
  names: Names;
  /** How address lines name the country, where that differs from `names`. */
  formalNames?: Names;
  /** Other spellings a user may end an address with (normalised: lower case, no accents). */
  aliases?: readonly string[];
}

export const COUNTRIES: readonly Country[] = [
  {
    code: "us",
    names: ["United States", "Vereinigte Staaten", "États-Unis", "Estados Unidos", "Stati Uniti"],
    formalNames: [
      "United States of America",
      "Vereinigte Staaten von Amerika",
      "États-Unis d'Amérique",
      "Estados Unidos de América",
      "Stati Uniti d'America",
    ],
    aliases: ["usa", "america", "united states of america"],
  },
  {
    code: "gb",
    names: [
      "United Kingdom",
      "Vereinigtes Königreich",
      "Royaume-Uni",
      "Reino Unido",
      "Regno Unito",
    ],
    aliases: ["uk", "great britain", "england", "scotland", "wales"],
  },
  { code: "fr", names: ["France", "Frankreich", "France", "Francia", "Francia"] },
  { code: "de", names: ["Germany", "Deutschland", "Allemagne", "Alemania", "Germania"] },
  { code: "it", names: ["Italy", "Italien", "Italie", "Italia", "Italia"] },
  { code: "es", names: ["Spain", "Spanien", "Espagne", "España", "Spagna"] },
  { code: "au", names: ["Australia", "Australien", "Australie", "Australia", "Australia"] },
  {
    code: "ps",
    names: [
      "Palestinian Territory",
      "Palästinensische Gebiete",
      "Territoires palestiniens",
      "Territorios Palestinos",
      "Territori palestinesi",
    ],
    aliases: ["palestine"],
  },
  { code: "ca", names: ["Canada", "Kanada", "Canada", "Canadá", "Canada"] },
  {
    code: "nl",
    names: ["Netherlands", "Niederlande", "Pays-Bas", "Países Bajos", "Paesi Bassi"],
    aliases: ["the netherlands", "holland"],
  },
  { code: "be", names: ["Belgium", "Belgien", "Belgique", "Bélgica", "Belgio"] },
  { code: "ch", names: ["Switzerland", "Schweiz", "Suisse", "Suiza", "Svizzera"] },
  { code: "at", names: ["Austria", "Österreich", "Autriche", "Austria", "Austria"] },
  { code: "pt", names: ["Portugal", "Portugal", "Portugal", "Portugal", "Portogallo"] },
  { code: "ie", names: ["Ireland", "Irland", "Irlande", "Irlanda", "Irlanda"] },
  { code: "jp", names: ["Japan", "Japan", "Japon", "Japón", "Giappone"] },
  { code: "br", names: ["Brazil", "Brasilien", "Brésil", "Brasil", "Brasile"] },
  { code: "mx", names: ["Mexico", "Mexiko", "Mexique", "México", "Messico"] },
  { code: "in", names: ["India", "Indien", "Inde", "India", "India"] },
  { code: "se", names: ["Sweden", "Schweden", "Suède", "Suecia", "Svezia"] },
  { code: "pl", names: ["Poland", "Polen", "Pologne", "Polonia", "Polonia"] },
];

export const COUNTRIES_BY_CODE = new Map(COUNTRIES.map((country) => [country.code, country]));

/** The result's `timezone` object, as Geoapify writes it. */
export interface TimeZone {
  name: string;
  offset_STD: string;
  offset_STD_seconds: number;
  offset_DST: string;
  offset_DST_seconds: number;
  abbreviation_STD: string;
  abbreviation_DST: string;
}

function offset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const absolute = Math.abs(minutes);
  const hours = String(Math.floor(absolute / 60)).padStart(2, "0");
  return `${sign}${hours}:${String(absolute % 60).padStart(2, "0")}`;
}

function zone(name: string, std: number, dst: number, abbreviations: [string, string]): TimeZone {
  return {
    name,
    offset_STD: offset(std),
    offset_STD_seconds: std * 60,
    offset_DST: offset(dst),
    offset_DST_seconds: dst * 60,
    abbreviation_STD: abbreviations[0],
    abbreviation_DST: abbreviations[1],
  };
}

const CET: [string, string] = ["CET", "CEST"];

export const TIME_ZONES: ReadonlyMap<string, TimeZone> = new Map(
  [
    zone("America/New_York", -300, -240, ["EST", "EDT"]),
    zone("America/Los_Angeles", -480, -420, ["PST", "PDT"]),
    zone("America/Toronto", -300, -240, ["EST", "EDT"]),
    zone("America/Mexico_City", -360, -360, ["CST", "CST"]),
    zone("America/Sao_Paulo", -180, -180, ["-03", "-03"]),
    zone("Europe/London", 0, 60, ["GMT", "BST"]),
    zone("Europe/Dublin", 0, 60, ["GMT", "IST"]),
    zone("Europe/Lisbon", 0, 60, ["WET", "WEST"]),
    zone("Europe/Paris", 60, 120, CET),
    zone("Europe/Berlin", 60, 120, CET),
    zone("Europe/Rome", 60, 120, CET),
    zone("Europe/Madrid", 60, 120, CET),
    zone("Europe/Amsterdam", 60, 120, CET),
    zone("Europe/Brussels", 60, 120, CET),
    zone("Europe/Zurich", 60, 120, CET),
    zone("Europe/Vienna", 60, 120, CET),
    zone("Europe/Stockholm", 60, 120, CET),
    zone("Europe/Warsaw", 60, 120, CET),
    zone("Asia/Hebron", 120, 180, ["EET", "EEST"]),
    zone("Asia/Kolkata", 330, 330, ["IST", "IST"]),
    zone("Asia/Tokyo", 540, 540, ["JST", "JST"]),
    zone("Australia/Sydney", 600, 660, ["AEST", "AEDT"]),
  ].map((timeZone) => [timeZone.name, timeZone])
);

export interface City {
  /** English name; also the key gazetteer places use to name their city. */
  key: string;
  names: Names;
  country: string;
  lat: number;
  lon: number;
  state: string;
  state_code?: string;
  county?: string;
  postcode: string;
  timezone: string;
}

function city(
  names: Names | string,
  country: string,
  [lat, lon]: [number, number],
  [state, state_code, county]: [string, string?, string?],
  postcode: string,
  timezone: string
): City {
  const all: Names = typeof names === "string" ? [names, names, names, names, names] : names;
  return {
    key: all[0],
    names: all,
    country,
    lat,
    lon,
    state,
    state_code,
    county,
    postcode,
    timezone,
  };
}

// City centres as OpenStreetMap places them.
export const CITIES: readonly City[] = [
  city(
    "Washington",
    "us",
    [38.8950368, -77.0365427],
    ["District of Columbia", "DC"],
    "20004",
    "America/New_York"
  ),
  city(
    ["New York", "New York", "New York", "Nueva York", "New York"],
    "us",
    [40.7127281, -74.0060152],
    ["New York", "NY", "New York County"],
    "10007",
    "America/New_York"
  ),
  city(
    "Los Angeles",
    "us",
    [34.0536909, -118.242766],
    ["California", "CA", "Los Angeles County"],
    "90012",
    "America/Los_Angeles"
  ),
  city(
    ["London", "London", "Londres", "Londres", "Londra"],
    "gb",
    [51.5074456, -0.1277653],
    ["England", "ENG", "Greater London"],
    "WC2N 5DU",
    "Europe/London"
  ),
  city(
    "Paris",
    "fr",
    [48.8588897, 2.320041],
    ["Ile-de-France", "IDF", "Paris"],
    "75001",
    "Europe/Paris"
  ),
  city("Berlin", "de", [52.5170365, 13.3888599], ["Berlin", "BE"], "10117", "Europe/Berlin"),
  city(
    ["Rome", "Rom", "Rome", "Roma", "Roma"],
    "it",
    [41.8933203, 12.4829321],
    ["Lazio", "62", "Roma Capitale"],
    "00186",
    "Europe/Rome"
  ),
  city(
    "Madrid",
    "es",
    [40.4167047, -3.7035825],
    ["Community of Madrid", "MD"],
    "28013",
    "Europe/Madrid"
  ),
  city(
    "Barcelona",
    "es",
    [41.3828939, 2.1774322],
    ["Catalonia", "CT", "Barcelonès"],
    "08002",
    "Europe/Madrid"
  ),
  city(
    "Sydney",
    "au",
    [-33.8698439, 151.2082848],
    ["New South Wales", "NSW", "Council of the City of Sydney"],
    "2000",
    "Australia/Sydney"
  ),
  city("Bethlehem", "ps", [31.7053996, 35.2024384], ["West Bank"], "", "Asia/Hebron"),
  city("Toronto", "ca", [43.6534817, -79.3839347], ["Ontario", "ON"], "M5H 2N2", "America/Toronto"),
  city(
    "Amsterdam",
    "nl",
    [52.3730796, 4.8924534],
    ["North Holland", "NH"],
    "1012",
    "Europe/Amsterdam"
  ),
  city(
    ["Brussels", "Brüssel", "Bruxelles", "Bruselas", "Bruxelles"],
    "be",
    [50.8465573, 4.351697],
    ["Brussels-Capital", "BRU"],
    "1000",
    "Europe/Brussels"
  ),
  city(
    ["Zurich", "Zürich", "Zurich", "Zúrich", "Zurigo"],
    "ch",
    [47.3744489, 8.5410422],
    ["Zurich", "ZH"],
    "8001",
    "Europe/Zurich"
  ),
  city(
    ["Vienna", "Wien", "Vienne", "Viena", "Vienna"],
    "at",
    [48.2083537, 16.3725042],
    ["Vienna", "9"],
    "1010",
    "Europe/Vienna"
  ),
  city(
    ["Lisbon", "Lissabon", "Lisbonne", "Lisboa", "Lisbona"],
    "pt",
    [38.7077507, -9.1365919],
    ["Lisbon", "11"],
    "1100-148",
    "Europe/Lisbon"
  ),
  city(
    "Dublin",
    "ie",
    [53.3493795, -6.2605593],
    ["Leinster", "L", "County Dublin"],
    "D01",
    "Europe/Dublin"
  ),
  city(
    ["Tokyo", "Tokio", "Tokyo", "Tokio", "Tokyo"],
    "jp",
    [35.6821936, 139.762221],
    ["Tokyo", "13"],
    "100-0005",
    "Asia/Tokyo"
  ),
  city(
    "São Paulo",
    "br",
    [-23.5506507, -46.6333824],
    ["São Paulo", "SP"],
    "01001-000",
    "America/Sao_Paulo"
  ),
  city(
    ["Mexico City", "Mexiko-Stadt", "Mexico", "Ciudad de México", "Città del Messico"],
    "mx",
    [19.4326296, -99.1331785],
    ["Mexico City", "CMX"],
    "06000",
    "America/Mexico_City"
  ),
  city(
    ["New Delhi", "Neu-Delhi", "New Delhi", "Nueva Delhi", "Nuova Delhi"],
    "in",
    [28.6138954, 77.2090057],
    ["Delhi", "DL"],
    "110001",
    "Asia/Kolkata"
  ),
  city(
    "Stockholm",
    "se",
    [59.3251172, 18.0710935],
    ["Stockholm County", "AB"],
    "111 29",
    "Europe/Stockholm"
  ),
  city(
    ["Warsaw", "Warschau", "Varsovie", "Varsovia", "Varsavia"],
    "pl",
    [52.2319581, 21.0067249],
    ["Masovian Voivodeship", "MZ"],
    "00-001",
    "Europe/Warsaw"
  ),
];

export const CITIES_BY_KEY = new Map(CITIES.map((entry) => [entry.key, entry]));

/** Two-letter codes Geoapify accepts as `lang` (its OpenAPI spec's enum). */
export const LANGUAGE_CODES: readonly string[] = (
  "ab aa af ak sq am ar an hy as av ae ay az bm ba eu be bn bh bi bs br bg my ca ch ce ny zh cv " +
  "kw co cr hr cs da dv nl en eo et ee fo fj fi fr ff gl ka de el gn gu ht ha he hz hi ho hu ia " +
  "id ie ga ig ik io is it iu ja jv kl kn kr ks kk km ki rw ky kv kg ko ku kj la lb lg li ln lo " +
  "lt lu lv gv mk mg ms ml mt mi mr mh mn na nv nb nd ne ng nn no ii nr oc oj cu om or os pa pi " +
  "fa pl ps pt qu rm rn ro ru sa sc sd se sm sg sr gd sn si sk sl so st es su sw ss sv ta te tg " +
  "th ti bo tk tl tn to tr ts tw ty ug uk ur uz ve vi vo wa cy wo fy xh yi yo za"
).split(" ");
