// A stand-in for Excel's custom-functions host, so that the production functions bundle runs in a
// plain browser page. It mirrors what Excel's runtime (office-js custom-functions-runtime.js)
// does with an add-in's functions, and nothing more:
//
// - `CustomFunctions.associate`, `CustomFunctions.Error` and `CustomFunctions.ErrorCode` are the
//   globals the bundle uses; their shapes follow @types/custom-functions-runtime.
// - functions.json (the metadata Excel reads) and the manifest's namespace decide which
//   functions exist and which options each has.
// - Every cell is one call. Calls are queued and invoked in bounded runs, one run per macrotask,
//   as Excel's runtime does (it yields with setTimeout between time-boxed loops), and they are
//   all in flight together: nothing waits for an earlier call to settle.
// - The invocation object is always the last argument. It carries `address` and
//   `parameterAddresses` only when the metadata asks for them; `onCanceled` is called only for
//   cancelable and streaming functions; streaming functions get `setResult`.
// - A thrown or rejected CustomFunctions.Error shows its code (and its message, for #VALUE! and
//   #N/A, the only codes whose message Excel displays); anything else thrown shows #VALUE!.
// - A cancelled call's late result is dropped.
// - An entity a function returns stays an entity when functions.json allows custom data.

import {
  type AddinFiles,
  type FunctionMetadata,
  type ParameterMetadata,
  loadMetadata,
} from "./host-metadata";
import {
  CustomFunctionError,
  ErrorCode,
  type ResultRules,
  resultToCells,
  thrownToCells,
} from "./host-results";
import { type CellValue, cellError } from "./values";

export type { AddinFiles, FunctionMetadata, ParameterMetadata };
export { CustomFunctionError, ErrorCode };

/** One cell's call of one function. */
export interface FunctionCall {
  /** The function's id in functions.json, in any case (Excel's ids are case-insensitive). */
  id: string;
  /** One value per declared parameter, already coerced to the parameter's type. */
  args: unknown[];
  /** The calling cell, such as "Sheet1!B2". */
  address: string;
  /** Where each argument came from, such as "Sheet1!A2"; "" for a literal. */
  parameterAddresses: string[];
  /** Receives the result: once, or once per setResult for a streaming function. Never called
   * after the call is cancelled. */
  onResult(cells: CellValue[][]): void;
}

export interface PendingCall {
  /** What Excel does when the cell is edited, cleared or recalculated: the call is forgotten
   * (if not made yet) or its onCanceled handler runs. Idempotent; no-op once settled. */
  cancel(): void;
}

export interface HostStats {
  /** Functions actually called. */
  calls: number;
  /** Calls that returned, threw or settled their promise while still wanted. */
  settled: number;
  /** Calls cancelled before they settled, made or not. */
  cancelled: number;
  /** onCanceled handlers run. */
  onCanceledCalls: number;
}

/** Most functions called in one macrotask. Excel's runtime time-boxes its loop instead; a count
 * keeps the workbench's runs the same size on a fast machine and a busy one. */
const CALLS_PER_TASK = 250;

type AnyFunction = (...args: unknown[]) => unknown;

interface Invocation {
  functionName: string;
  address?: string;
  parameterAddresses?: string[];
  onCanceled?: () => void;
  setResult?: (value: unknown) => void;
}

interface CallRecord {
  readonly request: FunctionCall;
  readonly key: string;
  state: "queued" | "running" | "settled" | "cancelled";
  invocation?: Invocation;
}

export class CustomFunctionsHost {
  private readonly functions = new Map<string, AnyFunction>();
  private readonly metadata = new Map<string, FunctionMetadata>();
  private functionNamespace = "";
  private resultRules: ResultRules = { entities: false };
  /** Calls ready to be made, oldest first; `queueHead` is the next one. */
  private queue: CallRecord[] = [];
  private queueHead = 0;
  /** Calls of functions that functions.json declares but the bundle has not associated yet. */
  private readonly awaitingAssociation = new Map<string, CallRecord[]>();
  private taskTimer: ReturnType<typeof setTimeout> | undefined;
  private afterTaskCallbacks: Array<() => void> = [];
  private readonly counters: HostStats = {
    calls: 0,
    settled: 0,
    cancelled: 0,
    onCanceledCalls: 0,
  };

  /** `CustomFunctions.associate`, both forms. */
  readonly associate = (
    idOrMappings: string | Record<string, unknown>,
    functionObject?: unknown
  ): void => {
    const mappings =
      typeof idOrMappings === "string" ? { [idOrMappings]: functionObject } : idOrMappings;
    if (!mappings || typeof mappings !== "object") {
      throw new TypeError("CustomFunctions.associate needs (id, function) or { id: function }");
    }
    for (const [id, fn] of Object.entries(mappings)) {
      if (typeof fn !== "function") {
        throw new TypeError(`CustomFunctions.associate: "${id}" is not given a function`);
      }
      const key = id.toUpperCase();
      this.functions.set(key, fn as AnyFunction);
      const waiting = this.awaitingAssociation.get(key);
      if (waiting) {
        this.awaitingAssociation.delete(key);
        this.enqueue(...waiting);
      }
    }
  };

  /**
   * Makes this host the page's `CustomFunctions`, in a way office.js cannot undo. office.js
   * declares `var CustomFunctions` and assigns `CustomFunctions.associate` when it runs, and the
   * scripts it loads later do the same; custom-functions-runtime.js assigns `Error` and
   * `ErrorCode`. So the three members are accessors whose setters ignore writes, and:
   * - before office.js, the global itself is an accessor: office.js's `var` then keeps it, and
   *   its `CustomFunctions || (CustomFunctions = {})` reads this host's object;
   * - after office.js, its `var` is a non-configurable global that cannot be redefined, so the
   *   object it holds is patched in place, which every later `X || (X = {})` keeps.
   */
  install(): void {
    const global = globalThis as { CustomFunctions?: object };
    const descriptor = Object.getOwnPropertyDescriptor(global, "CustomFunctions");
    let api: object;
    if (!descriptor || descriptor.configurable) {
      api = {};
      Object.defineProperty(global, "CustomFunctions", {
        get: () => api,
        set: ignoreWrite,
        enumerable: true,
        configurable: false,
      });
    } else {
      api = global.CustomFunctions ?? {};
      global.CustomFunctions = api;
    }
    defineLocked(api, "associate", this.associate);
    defineLocked(api, "Error", CustomFunctionError);
    defineLocked(api, "ErrorCode", Object.freeze({ ...ErrorCode }));
  }

  /** Reads functions.json and the manifest's namespace, as Excel does before loading the script. */
  async load(files: AddinFiles): Promise<void> {
    const metadata = await loadMetadata(files);
    for (const entry of metadata.functions) this.metadata.set(entry.id.toUpperCase(), entry);
    this.functionNamespace = metadata.namespace;
    this.resultRules = { entities: metadata.allowCustomData };
  }

  /** The function a formula names ("GEO.LOCATION", any case), if functions.json declares it. */
  lookup(formulaName: string): FunctionMetadata | undefined {
    const prefix = `${this.functionNamespace}.`.toUpperCase();
    const upper = formulaName.toUpperCase();
    if (!this.functionNamespace || !upper.startsWith(prefix)) return undefined;
    const name = upper.slice(prefix.length);
    for (const entry of this.metadata.values()) {
      if (entry.name.toUpperCase() === name) return entry;
    }
    return undefined;
  }

  /** Ids declared in functions.json that the bundle has not associated. */
  unassociated(): string[] {
    return [...this.metadata.values()]
      .filter((entry) => !this.functions.has(entry.id.toUpperCase()))
      .map((entry) => entry.id);
  }

  /** Queues one cell's call; it is made in a later macrotask. */
  call(request: FunctionCall): PendingCall {
    const record: CallRecord = { request, key: request.id.toUpperCase(), state: "queued" };
    if (this.metadata.has(record.key) && !this.functions.has(record.key)) {
      const waiting = this.awaitingAssociation.get(record.key) ?? [];
      waiting.push(record);
      this.awaitingAssociation.set(record.key, waiting);
    } else {
      this.enqueue(record);
    }
    return { cancel: () => this.cancel(record) };
  }

  /** Runs `callback` synchronously at the end of the next macrotask that calls functions, before
   * any microtask or timer the functions scheduled: the moment Excel would deliver a
   * cancellation that arrived in the same message as the calls. */
  afterNextTask(callback: () => void): void {
    this.afterTaskCallbacks.push(callback);
  }

  stats(): HostStats {
    return { ...this.counters };
  }

  private enqueue(...records: CallRecord[]): void {
    this.queue.push(...records);
    this.taskTimer ??= setTimeout(this.runTask, 0);
  }

  private readonly runTask = (): void => {
    this.taskTimer = undefined;
    let calls = 0;
    while (calls < CALLS_PER_TASK && this.queueHead < this.queue.length) {
      const record = this.queue[this.queueHead++];
      if (record.state !== "queued") continue;
      calls++;
      this.invoke(record);
    }
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    }
    if (calls > 0) {
      const callbacks = this.afterTaskCallbacks;
      this.afterTaskCallbacks = [];
      for (const callback of callbacks) callback();
    }
    if (this.queueHead < this.queue.length) this.taskTimer = setTimeout(this.runTask, 0);
  };

  private invoke(record: CallRecord): void {
    const fn = this.functions.get(record.key);
    const metadata = this.metadata.get(record.key);
    record.state = "running";
    if (!fn || !metadata) {
      this.deliver(record, [[cellError(ErrorCode.invalidName)]], true);
      return;
    }
    const options = metadata.options ?? {};
    const { request } = record;
    const invocation: Invocation = { functionName: metadata.id };
    if (options.requiresAddress) invocation.address = request.address;
    if (options.requiresParameterAddresses) {
      invocation.parameterAddresses = [...request.parameterAddresses];
    }
    if (options.stream) {
      invocation.setResult = (value) =>
        this.deliver(record, resultToCells(value, this.resultRules), false);
    }
    record.invocation = invocation;
    this.counters.calls++;

    let result: unknown;
    try {
      result = fn(...request.args, invocation);
    } catch (error) {
      this.deliver(record, thrownToCells(error), true);
      return;
    }
    if (options.stream) return;
    if (isThenable(result)) {
      result.then(
        (value) => this.deliver(record, resultToCells(value, this.resultRules), true),
        (reason: unknown) => this.deliver(record, thrownToCells(reason), true)
      );
    } else {
      this.deliver(record, resultToCells(result, this.resultRules), true);
    }
  }

  private deliver(record: CallRecord, cells: CellValue[][], final: boolean): void {
    if (record.state !== "running") return;
    if (final) {
      record.state = "settled";
      this.counters.settled++;
    }
    record.request.onResult(cells);
  }

  private cancel(record: CallRecord): void {
    if (record.state === "queued") {
      // Still in the queue or awaiting association: it is skipped there, never made.
      record.state = "cancelled";
      this.counters.cancelled++;
      return;
    }
    if (record.state !== "running") return;
    record.state = "cancelled";
    this.counters.cancelled++;
    const options = this.metadata.get(record.key)?.options ?? {};
    const onCanceled = record.invocation?.onCanceled;
    if ((options.cancelable || options.stream) && typeof onCanceled === "function") {
      this.counters.onCanceledCalls++;
      try {
        onCanceled();
      } catch (error) {
        // The add-in's bug, not the sheet's: surface it as the page's error, keep cancelling.
        reportError(error);
      }
    }
  }
}

function ignoreWrite(): void {}

function defineLocked(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, {
    get: () => value,
    set: ignoreWrite,
    enumerable: true,
    configurable: false,
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
