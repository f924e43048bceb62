// The persistent half of the geocode cache: one IndexedDB object store of compact records, read
// once at start-up and written in batches. Every failure surfaces as `undefined` from open() or a
// rejected promise, so that the cache can carry on in memory. Nothing here retries: a cache that
// cannot persist is still a working cache, and a failing disk rarely heals within a session.

import type { PersistedRecord } from "./place-codec";

// Version 1 held `[storedAt, lat, lon]` / `[storedAt]` records keyed by the lower-cased address
// (or `baseUrl + " " + address`). Version 2 holds whole places (see RECORD_FORMAT) under lookup
// keys ("search|||…"); an upgrade drops the old data (see onupgradeneeded for why it is not
// migrated). Within version 2 each record carries its format, and the cache deletes records of
// another format as it loads (format 2 records, whose details were an array, went that way when
// format 3 packed them), so a new record format needs no new database version.
const DB_VERSION = 2;
const STORE_NAME = "places";

/** A change for write(): a record to put under the key, or `undefined` to delete the key. */
export type PersistedChange = readonly [key: string, record: PersistedRecord | undefined];

/** Everything on disk, as read by one transaction. `keys[i]` belongs to `records[i]`. */
export interface PersistedContents {
  keys: IDBValidKey[];
  /** Unvalidated: the store may hold records written by another version of GeoBatch. */
  records: unknown[];
}

export class PlaceStore {
  private constructor(private readonly db: IDBDatabase) {
    // Another page (a newer GeoBatch, or a user clearing site data) wants the database: let it
    // have it. Later transactions then fail and the cache continues in memory only.
    db.onversionchange = () => db.close();
  }

  /**
   * Opens (or creates) the database. Resolves `undefined`, never rejects, when IndexedDB refuses:
   * open error, an upgrade blocked by an older connection, or no answer within `timeoutMs` (some
   * WebViews leave the open request pending forever, which would otherwise hang every cell that
   * waits for the cache).
   */
  static open(
    factory: IDBFactory,
    dbName: string,
    timeoutMs: number
  ): Promise<PlaceStore | undefined> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (db: IDBDatabase | undefined): void => {
        if (settled) {
          // A connection that arrives after we gave up is of no use; release it.
          db?.close();
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve(db && new PlaceStore(db));
      };
      const timer = setTimeout(() => settle(undefined), timeoutMs);

      let request: IDBOpenDBRequest;
      try {
        request = factory.open(dbName, DB_VERSION);
      } catch {
        // SecurityError in sandboxed frames and some private modes.
        settle(undefined);
        return;
      }
      request.onupgradeneeded = () => {
        // Old records are dropped, not migrated. A version 1 record knows only a position: a
        // place rebuilt from it would answer GEO.ADDRESS and GEO.DETAILS with empty text as if
        // Geoapify had matched no address, which is a misreading, and its key lacks the kind and
        // options of the new keys. Buying an address again costs half a credit; a wrong answer
        // in a cell costs more. An older GeoBatch page still open closes its connection when
        // asked (its onversionchange), so the upgrade goes ahead; should a connection hold on,
        // onblocked below leaves this session in memory only and the next one upgrades.
        const db = request.result;
        for (const name of Array.from(db.objectStoreNames)) {
          db.deleteObjectStore(name);
        }
        db.createObjectStore(STORE_NAME);
      };
      request.onsuccess = () => {
        const db = request.result;
        if (db.objectStoreNames.contains(STORE_NAME)) {
          settle(db);
        } else {
          // Something else created a database of this name and version without our store.
          db.close();
          settle(undefined);
        }
      };
      request.onerror = () => settle(undefined);
      request.onblocked = () => settle(undefined);
    });
  }

  /**
   * Reads every record in one read-only transaction. getAll and getAllKeys both return key order,
   * and one transaction sees one snapshot, so the two arrays line up. One bulk read instead of a
   * cursor: a cursor pays an event per record, which for 100,000 records is seconds in a browser.
   */
  readAll(): Promise<PersistedContents> {
    return new Promise((resolve, reject) => {
      const transaction = this.db.transaction(STORE_NAME, "readonly");
      const store = transaction.objectStore(STORE_NAME);
      const keys = store.getAllKeys();
      const records = store.getAll();
      transaction.oncomplete = () => resolve({ keys: keys.result, records: records.result });
      transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB read aborted"));
    });
  }

  /** Applies all changes in one read-write transaction; resolves once it has committed. */
  write(changes: Iterable<PersistedChange>): Promise<void> {
    return this.readWrite((store) => {
      for (const [key, record] of changes) {
        if (record === undefined) {
          store.delete(key);
        } else {
          store.put(record, key);
        }
      }
    });
  }

  /** Deletes every record. */
  clear(): Promise<void> {
    return this.readWrite((store) => store.clear());
  }

  /** Closes the connection once its pending transactions have finished. */
  close(): void {
    this.db.close();
  }

  // Read-write transactions on one store run in the order they were created, so awaiting the
  // latest one means every earlier one has finished too (the cache relies on this in flush()).
  private readWrite(fill: (store: IDBObjectStore) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const transaction = this.db.transaction(STORE_NAME, "readwrite");
      fill(transaction.objectStore(STORE_NAME));
      transaction.oncomplete = () => resolve();
      // A failed put (QuotaExceededError, say) aborts the whole transaction and lands here.
      transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB write aborted"));
    });
  }
}
