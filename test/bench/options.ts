// Command-line options of `npm run bench`.

import { parseArgs } from "node:util";
import { readNonNegativeNumber as readNumber, UsageError } from "../../src/dev/cli-args";
import { DEFAULT_MODEL, type LatencyModel } from "./model";

export { UsageError };

export const USAGE =
  "usage: npm run bench -- [--quick] [--json] [--latency ms] [--job-base ms] " +
  "[--job-per-address ms] [--budget seconds]";

export interface BenchOptions {
  /** Sheets of 100 and 1,000 cells plus one of 10,000 unique; under a minute on 2 cores. */
  quick: boolean;
  /** Print the results as JSON instead of Markdown. */
  json: boolean;
  model: LatencyModel;
  /** Per-case budget: a strategy estimated to take longer is skipped. Default 120 s, quick 15 s. */
  budgetSeconds: number;
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
  };
}
