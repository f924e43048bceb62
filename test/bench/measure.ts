// Runs one sheet and measures what the process spent on it: CPU time and peak heap. Everything
// runs in this one process (the strategy, its HTTP client and the emulator), so both figures
// cover all three; batcher-overhead.ts isolates the batcher.

import { collectGarbage } from "./gc";
import { invokeLikeExcel, type SheetRun } from "./invoker";

/** How often the heap is sampled while a sheet runs, ms. */
const HEAP_SAMPLE_MS = 20;

export interface MeasuredRun {
  run: SheetRun;
  /** User + system CPU time of the whole process (all threads) during the run, µs. */
  cpuMicros: number;
  /** Highest sampled heapUsed minus heapUsed after a full GC just before the run, bytes. */
  peakHeapBytes: number;
}

export async function measureSheet<T>(
  addresses: readonly string[],
  call: (address: string) => Promise<T>,
  deadlineMs: number
): Promise<MeasuredRun> {
  collectGarbage();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, HEAP_SAMPLE_MS);
  const cpuBefore = process.cpuUsage();
  try {
    const run = await invokeLikeExcel(addresses, call, deadlineMs);
    const cpu = process.cpuUsage(cpuBefore);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { run, cpuMicros: cpu.user + cpu.system, peakHeapBytes: peak - baseline };
  } finally {
    clearInterval(sampler);
  }
}

/** Heap bytes that `release` frees, between full GCs. */
export function heapFreedBy(release: () => void): number {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  release();
  collectGarbage();
  return before - process.memoryUsage().heapUsed;
}

/** CPU time, µs, that `work` took in this process. */
export async function cpuMicrosOf(work: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(before);
  return cpu.user + cpu.system;
}
