// Command-line options of `npm run bench`.

import { parseArgs } from "node:util";
import { readNonNegativeNumber as readNumber, UsageError } from "../../src/dev/cli-args";
import { DEFAULT_MODEL, type LatencyModel } from "./model";

export { UsageError };

export const USAGE =
  "usage: npm run bench -- [--quick] [--json] [--latency ms] [--job-base ms] " +
  "[--job-per-address ms] [--budget seconds] [--runs n]";

export interface BenchOptions {
  /** Fewer sheets, one run per case at the limits, a 3 s outage, no naive run at 5/s. */
  quick: boolean;
  /** Print the results as JSON instead of Markdown. */
  json: boolean;
  model: LatencyModel;
  /** Per-case budget: a strategy estimated to take longer is skipped. Default 120 s, quick 15 s. */
  budgetSeconds: number;
  /** GeoBatch runs per timed case at the limits; targets use the median. Default 3, quick 1. */
  runs: number;
}

export function parseOptions(args: string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        quick: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        latency: { type: "string" },
        "job-base": { type: "string" },
        "job-per-address": { type: "string" },
        budget: { type: "string" },
        runs: { type: "string" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    quick: values.quick,
    json: values.json,
    model: {
      latencyMs: readNumber("latency", values.latency) ?? DEFAULT_MODEL.latencyMs,
      jobBaseMs: readNumber("job-base", values["job-base"]) ?? DEFAULT_MODEL.jobBaseMs,
      jobPerAddressMs:
        readNumber("job-per-address", values["job-per-address"]) ?? DEFAULT_MODEL.jobPerAddressMs,
    },
    budgetSeconds: readNumber("budget", values.budget) ?? (values.quick ? 15 : 120),
    runs: readRuns(values.runs) ?? (values.quick ? 1 : 3),
  };
}

function readRuns(raw: string | undefined): number | undefined {
  const runs = readNumber("runs", raw);
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1)) {
    throw new UsageError(`--runs must be a whole number of at least 1, not ${raw}`);
  }
  return runs;
}
