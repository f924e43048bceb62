// A place's details as one packed string, in memory and (without the pool) in IndexedDB. One
// string per entry rather than an object or an array, because each JS object and each string
// carries a header of 12 to 16 bytes and a pointer to it: for some twenty fields that is more
// than the text itself. Packed rather than JSON, because measured on 100,000 whole places JSON's
// quotes and commas, a 130-digit place id spelt out, and address lines that repeat the place's
// own street, postcode and city were most of what the cache held (see test/bench/cache-heap.ts).
//
// The string is a sequence of items, each a head and what the head announces. A head is one
// character: its kind in the top three bits and a count in the low five; a count of 31 or more
// is written as 31 followed by the rest in base 128 (low digits first, 128 added to every digit
// but the last). Every character the packing writes itself is below 256, so a place whose text
// is Latin-1 packs into a one-byte string.
// - NULLS n: n fields the place lacks;
// - TEXT n: n characters of text follow;
// - SHARED id: text from the string pool (fields that repeat across places; memory only);
// - NUMBER n: n characters of the number's shortest decimal (which JS reads back exactly);
// - HEX n: n characters follow, each one byte of lower-case hexadecimal text (place ids);
// - TEMPLATE n: an address line or the formatted address as n parts, each a TEXT item or a
//   FIELD item naming another field whose text it repeats ("1 Bench Street" is the house
//   number, " " and the street).

import { type DetailValues, FIELDS, KINDS } from "./detail-fields";
import { StringPool } from "./string-pool";

const NULLS = 0;
const TEXT = 1;
const SHARED = 2;
const NUMBER = 3;
const HEX = 4;
const TEMPLATE = 5;
const FIELD = 6;

const KIND_SHIFT = 5;
const LONG_COUNT = 31;
const DIGIT = 128;

// Geoapify composes these from the other fields; they are resolved in this order, each from the
// fields that are not templates and from the templates before it.
const TEMPLATED = (["address_line1", "address_line2", "formatted"] as const).map((field) =>
  FIELDS.indexOf(field)
);
/** A shorter match costs as much as the text it would replace. */
const MIN_FIELD_MATCH = 2;
const LOWER_HEX_BYTES = /^(?:[0-9a-f]{2})+$/;
/** Text any of whose characters takes two bytes in V8. */
const NON_LATIN1 = /[\u0100-\uffff]/;
const BYTE_AS_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

// Per distinct shared value: a Map entry, its slots in the value and reference arrays and a
// string header, about 60 bytes in V8 (an estimate; a cache holds a few thousand such values).
const POOL_ENTRY_OVERHEAD_BYTES = 60;

export class MemoryDetails {
  private readonly pool = new StringPool();

  /** Packs details, taking a pool reference for each shared value; "" when there are none. */
  encode(values: DetailValues): string {
    return packDetails(values, (text) => this.pool.intern(text));
  }

  decode(packed: string): DetailValues {
    return unpackDetails(packed, (id) => this.pool.valueOf(id));
  }

  /** Gives back the pool references of details that are leaving memory. */
  release(packed: string): void {
    this.forEachShared(packed, (id) => this.pool.release(id));
  }

  /**
   * The bytes of the characters packDetails writes for these details without the pool (on disk),
   * worked out from their packing in memory: packing them again would double the cost of a write.
   */
  diskBytes(packed: string): number {
    let length = packed.length;
    let wide = NON_LATIN1.test(packed);
    this.forEachShared(packed, (id, headLength) => {
      const text = this.pool.valueOf(id);
      length += writtenOutLength(text) - headLength;
      wide ||= NON_LATIN1.test(text);
    });
    return wide ? 2 * length : length;
  }

  /** Calls `visit` with the pool id and head length of each shared item, skipping the rest. */
  private forEachShared(packed: string, visit: (id: number, headLength: number) => void): void {
    const reader = new Reader(packed);
    while (!reader.done) {
      const headStart = reader.position;
      const count = reader.head();
      if (reader.kind === SHARED) {
        visit(count, reader.position - headStart);
      } else if (reader.kind === TEXT || reader.kind === NUMBER || reader.kind === HEX) {
        reader.skip(count);
      }
    }
  }

  /** Bytes of the shared text (one copy per distinct value) and its bookkeeping. */
  poolBytes(): number {
    return this.pool.size * POOL_ENTRY_OVERHEAD_BYTES + this.pool.totalChars;
  }
}

/**
 * Packs details into one string. `intern` gives shared text a pool id; without it (on disk, where
 * there is no pool) shared text is written out like any other.
 */
export function packDetails(values: DetailValues, intern?: (text: string) => number): string {
  const out: string[] = [];
  const templates = templatesOf(values);
  let nulls = 0;
  values.forEach((value, field) => {
    if (value === null) {
      nulls++;
      return;
    }
    if (nulls > 0) {
      writeHead(out, NULLS, nulls);
      nulls = 0;
    }
    const template = templates.get(field);
    if (template) {
      writeHead(out, TEMPLATE, template.length);
      template.forEach((part) =>
        typeof part === "number" ? writeHead(out, FIELD, part) : writeText(out, part)
      );
    } else if (typeof value === "number") {
      const decimal = Object.is(value, -0) ? "-0" : String(value);
      writeHead(out, NUMBER, decimal.length);
      out.push(decimal);
    } else if (intern && KINDS[field] === "shared") {
      writeHead(out, SHARED, intern(value));
    } else if (LOWER_HEX_BYTES.test(value)) {
      writeHead(out, HEX, value.length / 2);
      for (let at = 0; at < value.length; at += 2) {
        out.push(String.fromCharCode(parseInt(value.slice(at, at + 2), 16)));
      }
    } else {
      writeText(out, value);
    }
  });
  // join() makes one flat string; concatenation would keep a tree of pieces per entry.
  return out.join("");
}

/**
 * The details packDetails packed. `shared` gives the text of a pool id. Throws a RangeError for
 * anything packDetails cannot have written (a damaged record on disk): a pool id without a pool,
 * an item of the wrong kind for its field, a template naming a field that holds no text, text
 * running past the end, more fields than a place has.
 */
export function unpackDetails(packed: string, shared?: (id: number) => string): DetailValues {
  const reader = new Reader(packed);
  const values: DetailValues = [];
  let templates: Array<Array<string | number>> | undefined;
  while (!reader.done) {
    const count = reader.head();
    const kind = reader.kind;
    const field = values.length;
    if (kind === NULLS) {
      check(field + count <= FIELDS.length);
      for (let skipped = 0; skipped < count; skipped++) values.push(null);
    } else if (kind === NUMBER) {
      const number = Number(reader.take(count));
      check(KINDS[field] === "number" && Number.isFinite(number));
      values.push(number);
    } else {
      check(KINDS[field] !== undefined && KINDS[field] !== "number");
      if (kind === TEMPLATE) {
        check(TEMPLATED.includes(field));
        templates ??= [];
        templates[field] = readTemplate(reader, count);
        values.push(null);
      } else if (kind === SHARED && shared) {
        values.push(shared(count));
      } else if (kind === HEX) {
        values.push(reader.takeHex(count));
      } else {
        check(kind === TEXT);
        values.push(reader.take(count));
      }
    }
  }
  check(values.length <= FIELDS.length);
  if (templates) {
    for (const field of TEMPLATED) {
      const parts = templates[field];
      if (parts) {
        let text = "";
        for (const part of parts) {
          const piece = typeof part === "number" ? values[part] : part;
          check(typeof piece === "string");
          text += piece;
        }
        values[field] = text;
      }
    }
  }
  return values;
}

function readTemplate(reader: Reader, parts: number): Array<string | number> {
  const template: Array<string | number> = [];
  for (let part = 0; part < parts; part++) {
    const count = reader.head();
    check(reader.kind === FIELD || reader.kind === TEXT);
    template.push(reader.kind === FIELD ? count : reader.take(count));
  }
  return template;
}

function check(condition: boolean): asserts condition {
  if (!condition) {
    throw new RangeError("Not details this version of GeoBatch packed");
  }
}

/** The templates worth writing, by field: parts are literal text or the index of a field. */
function templatesOf(values: DetailValues): Map<number, Array<string | number>> {
  const templates = new Map<number, Array<string | number>>();
  const sources: number[] = [];
  const starts = new Set<number>();
  const addSource = (field: number): void => {
    const value = values[field];
    if (typeof value === "string" && value.length >= MIN_FIELD_MATCH) {
      sources.push(field);
      starts.add(value.charCodeAt(0));
    }
  };
  values.forEach((_, field) => {
    if (!TEMPLATED.includes(field)) addSource(field);
  });
  for (const field of TEMPLATED) {
    const text = values[field];
    if (typeof text !== "string") {
      continue;
    }
    const parts = partsOf(text, values, sources, starts);
    if (parts.some((part) => typeof part === "number")) {
      templates.set(field, parts);
    }
    addSource(field);
  }
  return templates;
}

/** `text` as literal pieces and the longest field values it repeats, left to right. */
function partsOf(
  text: string,
  values: DetailValues,
  sources: readonly number[],
  starts: ReadonlySet<number>
): Array<string | number> {
  const parts: Array<string | number> = [];
  let literalStart = 0;
  let at = 0;
  while (at < text.length) {
    let match = -1;
    let matchLength = 0;
    // Most characters start no field's text; checking that first keeps encoding cheap.
    if (!starts.has(text.charCodeAt(at))) {
      at++;
      continue;
    }
    for (const source of sources) {
      const value = values[source] as string;
      if (value.length > matchLength && text.startsWith(value, at)) {
        match = source;
        matchLength = value.length;
      }
    }
    if (match < 0) {
      at++;
      continue;
    }
    if (literalStart < at) parts.push(text.slice(literalStart, at));
    parts.push(match);
    at += matchLength;
    literalStart = at;
  }
  if (literalStart < text.length) parts.push(text.slice(literalStart));
  return parts;
}

/** How many characters packDetails writes for a text it does not share. */
function writtenOutLength(text: string): number {
  const hexBytes = LOWER_HEX_BYTES.test(text) ? text.length / 2 : undefined;
  return hexBytes === undefined
    ? headLength(text.length) + text.length
    : headLength(hexBytes) + hexBytes;
}

function headLength(count: number): number {
  let length = 1;
  if (count >= LONG_COUNT) {
    for (let rest = count - LONG_COUNT; rest >= DIGIT; rest = Math.floor(rest / DIGIT)) length++;
    length++;
  }
  return length;
}

function writeText(out: string[], text: string): void {
  writeHead(out, TEXT, text.length);
  out.push(text);
}

function writeHead(out: string[], kind: number, count: number): void {
  if (count < LONG_COUNT) {
    out.push(String.fromCharCode((kind << KIND_SHIFT) | count));
    return;
  }
  out.push(String.fromCharCode((kind << KIND_SHIFT) | LONG_COUNT));
  let rest = count - LONG_COUNT;
  while (rest >= DIGIT) {
    out.push(String.fromCharCode((rest % DIGIT) + DIGIT));
    rest = Math.floor(rest / DIGIT);
  }
  out.push(String.fromCharCode(rest));
}

class Reader {
  /** The kind of the item whose head was read last. */
  kind = NULLS;
  private at = 0;

  constructor(private readonly packed: string) {}

  get position(): number {
    return this.at;
  }

  get done(): boolean {
    return this.at >= this.packed.length;
  }

  /** Reads a head: sets `kind` and returns the count. */
  head(): number {
    check(this.at < this.packed.length);
    const head = this.packed.charCodeAt(this.at++);
    this.kind = head >> KIND_SHIFT;
    let count = head & LONG_COUNT;
    if (count === LONG_COUNT) {
      let scale = 1;
      let digit: number;
      do {
        check(this.at < this.packed.length);
        digit = this.packed.charCodeAt(this.at++);
        count += (digit % DIGIT) * scale;
        scale *= DIGIT;
      } while (digit >= DIGIT);
    }
    return count;
  }

  skip(length: number): void {
    check(this.at + length <= this.packed.length);
    this.at += length;
  }

  take(length: number): string {
    check(this.at + length <= this.packed.length);
    const text = this.packed.slice(this.at, this.at + length);
    this.at += length;
    return text;
  }

  takeHex(bytes: number): string {
    check(this.at + bytes <= this.packed.length);
    let hex = "";
    for (const end = this.at + bytes; this.at < end; this.at++) {
      hex += BYTE_AS_HEX[this.packed.charCodeAt(this.at)];
    }
    return hex;
  }
}
