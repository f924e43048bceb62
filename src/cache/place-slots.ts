// The cache's entries, stored compactly by slot number. An object per entry would cost a header,
// a shape pointer and boxed doubles; instead each entry owns a slot: its storage time and
// position in three Float64Arrays (24 bytes, off the JS heap) and the rest of its place as one
// packed string (see packed-details.ts). Doubles, not float32: float32 would move a point by up to
// a metre, and a cached recalculation must return exactly the numbers a fresh one did. A
// not-found is a slot whose latitude is NaN. Keys, recency and lifetimes are the cache's; this
// only keeps what a slot holds and what it all costs.

import type { Place } from "../places/place";
import { MemoryDetails } from "./packed-details";
import { placeOf, type RecordContents, storedBytes, textBytes } from "./place-codec";

const INITIAL_CAPACITY = 1024;
/** Per slot: three doubles and the details array's pointer. */
const SLOT_BYTES = 3 * Float64Array.BYTES_PER_ELEMENT + 8;
/** A V8 string's header (map, hash, length) on a 64-bit heap without pointer compression. */
const STRING_HEADER_BYTES = 16;

export class PlaceSlots {
  private storedAt = new Float64Array(0);
  private lat = new Float64Array(0);
  private lon = new Float64Array(0);
  private details: string[] = [];
  private memoryDetails = new MemoryDetails();
  private freeSlots: number[] = [];
  private usedSlots = 0;
  private foundCount = 0;
  private detailBytes = 0;
  private storedByteCount = 0;

  /** `maxSlots`: the most slots ever in use at once; capacity never grows beyond it. */
  constructor(private readonly maxSlots: number) {}

  /** Makes room for `capacity` slots at once (before loading many entries). */
  reserve(capacity: number): void {
    capacity = Math.min(capacity, this.maxSlots);
    if (capacity <= this.storedAt.length) {
      return;
    }
    this.storedAt = resized(this.storedAt, capacity);
    this.lat = resized(this.lat, capacity);
    this.lon = resized(this.lon, capacity);
  }

  /** Stores an entry in a free slot and returns the slot. */
  add(key: string, contents: RecordContents): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      if (this.usedSlots === this.storedAt.length) {
        this.reserve(Math.max(INITIAL_CAPACITY, this.usedSlots * 2));
      }
      slot = this.usedSlots++;
    }
    this.write(key, slot, contents);
    return slot;
  }

  /** Stores a new entry for `key` in the slot that holds its current one. */
  replace(key: string, slot: number, contents: RecordContents): void {
    this.release(key, slot);
    this.write(key, slot, contents);
  }

  /** Empties a slot for reuse. */
  free(key: string, slot: number): void {
    this.release(key, slot);
    this.details[slot] = "";
    this.freeSlots.push(slot);
  }

  isFound(slot: number): boolean {
    return !Number.isNaN(this.lat[slot]);
  }

  storedAtOf(slot: number): number {
    return this.storedAt[slot];
  }

  /** The place in a found slot, as a fresh object. */
  placeAt(slot: number): Place {
    return placeOf(this.lat[slot], this.lon[slot], this.memoryDetails.decode(this.details[slot]));
  }

  /** What a slot holds, as written to disk. */
  contentsAt(slot: number): RecordContents {
    return { ...this.positionOf(slot), values: this.memoryDetails.decode(this.details[slot]) };
  }

  get found(): number {
    return this.foundCount;
  }

  /** Memory of the slots: typed arrays (their whole capacity), details and shared text. */
  get approxBytes(): number {
    return this.storedAt.length * SLOT_BYTES + this.detailBytes + this.memoryDetails.poolBytes();
  }

  /** Estimated IndexedDB bytes of the entries held, keys included (see storedBytes). */
  get storedBytes(): number {
    return this.storedByteCount;
  }

  clear(): void {
    this.storedAt = new Float64Array(0);
    this.lat = new Float64Array(0);
    this.lon = new Float64Array(0);
    this.details = [];
    this.memoryDetails = new MemoryDetails();
    this.freeSlots = [];
    this.usedSlots = 0;
    this.foundCount = 0;
    this.detailBytes = 0;
    this.storedByteCount = 0;
  }

  private write(key: string, slot: number, contents: RecordContents): void {
    this.storedAt[slot] = contents.storedAt;
    this.lat[slot] = contents.lat;
    this.lon[slot] = contents.lon;
    const encoded = this.memoryDetails.encode(contents.values);
    this.details[slot] = encoded;
    this.account(key, contents, encoded, 1);
  }

  /** Gives back what a slot's entry holds: its shared text, its counts and its bytes. */
  private release(key: string, slot: number): void {
    const encoded = this.details[slot];
    // Counted while its shared text is still in the pool.
    this.account(key, this.positionOf(slot), encoded, -1);
    this.memoryDetails.release(encoded);
  }

  private account(
    key: string,
    position: Omit<RecordContents, "values">,
    encoded: string,
    sign: 1 | -1
  ): void {
    if (!Number.isNaN(position.lat)) {
      this.foundCount += sign;
    }
    let diskBytes = 0;
    if (encoded !== "") {
      this.detailBytes += sign * (STRING_HEADER_BYTES + textBytes(encoded));
      diskBytes = this.memoryDetails.diskBytes(encoded);
    }
    this.storedByteCount += sign * storedBytes(key, position, diskBytes);
  }

  private positionOf(slot: number): Omit<RecordContents, "values"> {
    return { storedAt: this.storedAt[slot], lat: this.lat[slot], lon: this.lon[slot] };
  }
}

function resized(array: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(capacity);
  larger.set(array);
  return larger;
}
