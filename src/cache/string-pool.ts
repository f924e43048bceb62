// Interned text for the cache's in-memory records. A cache of 100,000 places holds the same few
// hundred countries, states, cities, time zones and attributions over and over; stored once here
// and referred to by a small integer, "© OpenStreetMap contributors" costs its characters once
// rather than once per place. References are counted, so a value no entry uses any more is
// released, and a long session that churns through places does not accumulate dead text.

export class StringPool {
  private readonly idOf = new Map<string, number>();
  private readonly values: string[] = [];
  private readonly references: number[] = [];
  private readonly freeIds: number[] = [];
  private chars = 0;

  /** The id of `value`, adding it if new; each call holds one reference until release(). */
  intern(value: string): number {
    let id = this.idOf.get(value);
    if (id === undefined) {
      id = this.freeIds.pop() ?? this.values.length;
      this.idOf.set(value, id);
      this.values[id] = value;
      this.references[id] = 0;
      this.chars += value.length;
    }
    this.references[id]++;
    return id;
  }

  /** The value of an id handed out by intern() and not yet released. */
  valueOf(id: number): string {
    return this.values[id];
  }

  /** Gives back one reference; the value goes once nothing refers to it. */
  release(id: number): void {
    if (--this.references[id] === 0) {
      const value = this.values[id];
      this.idOf.delete(value);
      this.values[id] = "";
      this.chars -= value.length;
      this.freeIds.push(id);
    }
  }

  /** Distinct values held. */
  get size(): number {
    return this.idOf.size;
  }

  /** Characters of the distinct values held (for the cache's memory estimate). */
  get totalChars(): number {
    return this.chars;
  }
}
