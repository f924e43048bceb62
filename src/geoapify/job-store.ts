// Jobs in flight survive a page reload: their id, endpoint, kind, options and inputs are kept,
// with a hash of the key that paid for them (never the key), and collected by the next runtime
// instead of being paid for again. A lease (Web Locks) makes sure that only one runtime of the
// origin collects a given job.

import type { JobKind } from "./job-kinds";

export interface StoredJob {
  id: string;
  baseUrl: string;
  kind: JobKind;
  params: Readonly<Record<string, string>>;
  inputs: readonly string[];
  /** SHA-256 hex of the API key that submitted the job. */
  keyHash: string;
  /** Epoch ms when Geoapify accepted the job; results are kept 24 h after that. */
  submittedAt: number;
  size: number;
}

export interface JobStore {
  list(): Promise<StoredJob[]>;
  put(job: StoredJob): Promise<void>;
  delete(id: string): Promise<void>;
}

export const JOB_DATABASE = "geobatch-jobs";
/** Bump when StoredJob changes shape; older databases are then dropped, never misread. */
export const JOB_SCHEMA_VERSION = 1;
const STORE = "jobs";

/** SHA-256 of the key as lower-case hex: identifies a key in storage and channel names. */
export async function hashApiKey(apiKey: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(apiKey));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function memoryJobStore(): JobStore {
  const jobs = new Map<string, StoredJob>();
  return {
    list: async () => [...jobs.values()],
    put: async (job) => void jobs.set(job.id, job),
    delete: async (id) => void jobs.delete(id),
  };
}

/**
 * The IndexedDB job store, or a memory one where IndexedDB is missing or fails to open (private
 * modes, some hosts): jobs are then collected only while the page lives.
 */
export async function openJobStore(factory?: IDBFactory): Promise<JobStore> {
  const indexedDB = factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!indexedDB) {
    return memoryJobStore();
  }
  try {
    const db = await openDatabase(indexedDB);
    return {
      list: () => run<StoredJob[]>(db, "readonly", (store) => store.getAll()),
      put: (job) => run(db, "readwrite", (store) => store.put(job)).then(() => {}),
      delete: (id) => run(db, "readwrite", (store) => store.delete(id)).then(() => {}),
    };
  } catch {
    return memoryJobStore();
  }
}

function openDatabase(indexedDB: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(JOB_DATABASE, JOB_SCHEMA_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (db.objectStoreNames.contains(STORE)) db.deleteObjectStore(STORE);
      db.createObjectStore(STORE, { keyPath: "id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error("job database blocked"));
  });
}

function run<T>(
  db: IDBDatabase,
  mode: IDBTransactionMode,
  operation: (store: IDBObjectStore) => IDBRequest
): Promise<T> {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = operation(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request.result as T);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

/** The part of the Web Locks API the lease needs. */
export interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable: boolean },
    callback: (lock: unknown) => Promise<void> | void
  ): Promise<unknown>;
}

/**
 * Takes the lease on job `id` if no other runtime holds it: resolves with its release, or
 * `undefined` when another runtime has it. Without Web Locks every runtime collects.
 */
export function takeLease(
  locks: LockManagerLike | undefined,
  id: string
): Promise<(() => void) | undefined> {
  if (!locks) {
    return Promise.resolve(() => {});
  }
  return new Promise((resolve) => {
    locks
      .request(`geobatch-job ${id}`, { ifAvailable: true }, (lock) => {
        if (!lock) return resolve(undefined);
        return new Promise<void>((release) => resolve(release));
      })
      .catch(() => resolve(() => {}));
  });
}
