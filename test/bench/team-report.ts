// The team case's targets and table (issue 17): through the gateway, 0 upstream 429s, never
// over the rate in any second, credits exactly 0.5 × the team's unique addresses, and wall time
// within 1.3 × the rate floor of those unique addresses.

import { table, dash } from "./markdown";
import { formatCount } from "./stats";
import type { TargetResult } from "./targets";
import type { TeamCaseResult, TeamRun } from "./team-case";

const RATE = 5;
const MAX_FLOOR_RATIO = 1.3;

export function teamTargets(result: TeamCaseResult): TargetResult[] {
  const label = `team ${3} × ${formatCount(result.addressesPerUser)} via the gateway`;
  const run = "skipped" in result.gateway ? undefined : result.gateway;
  const expected = 0.5 * result.unique;
  const ratio = run && run.wallMs / result.floorMs;
  return [
    {
      target: `${label}: 0 upstream 429s`,
      met: run && run.upstream429s === 0,
      detail: run ? `${run.upstream429s} upstream 429s` : skipped(result),
    },
    {
      target: `${label}: peak ≤ ${RATE} upstream requests in any second`,
      met: run && run.peakPerSecond <= RATE,
      detail: run ? `peak ${run.peakPerSecond}/s` : skipped(result),
    },
    {
      target: `${label}: credits exactly 0.5 × unique`,
      met: run && run.upstreamCredits === expected && run.userCredits === expected,
      detail: run
        ? `upstream ${run.upstreamCredits}, users ${run.userCredits}, 0.5 × ${result.unique} = ${expected}`
        : skipped(result),
    },
    {
      target: `${label}: wall ≤ ${MAX_FLOOR_RATIO}× the rate floor`,
      met: ratio === undefined ? undefined : ratio <= MAX_FLOOR_RATIO,
      detail:
        ratio === undefined
          ? skipped(result)
          : `${formatCount(run?.wallMs ?? 0)} ms = ${ratio.toFixed(2)}× the floor of ` +
            `${formatCount(result.floorMs)} ms`,
    },
  ];
}

/** Wrong cells in the team case, which make the benchmark fail. */
export function teamProblems(result: TeamCaseResult): string[] {
  const runs: Array<[string, TeamRun | { skipped: string }]> = [
    ["gateway", result.gateway],
    ["direct", result.direct],
  ];
  return runs.flatMap(([name, run]) =>
    "skipped" in run || run.wrongCells === 0 ? [] : [`team ${name}: ${run.wrongCells} wrong cells`]
  );
}

export function renderTeamCase(result: TeamCaseResult): string {
  const row = (name: string, run: TeamRun | { skipped: string }): string[] =>
    "skipped" in run
      ? [name, run.skipped, dash, dash, dash, dash]
      : [
          name,
          formatCount(run.upstreamRequests),
          String(run.peakPerSecond),
          String(run.upstream429s),
          `${run.upstreamCredits} (${(run.upstreamCredits / (0.5 * result.unique)).toFixed(2)}×)`,
          `${formatCount(run.wallMs)} ms (${(run.wallMs / result.floorMs).toFixed(2)}×)`,
        ];
  return [
    "",
    `## Team case: 3 analysts × ${formatCount(result.addressesPerUser)} addresses ` +
      `(${formatCount(result.unique)} unique), Geoapify at ${RATE} requests/s`,
    "",
    `Credits against 0.5 × unique = ${0.5 * result.unique}; wall against the rate floor of the ` +
      `team's unique addresses, ${formatCount(result.floorMs)} ms.`,
    "",
    ...table(
      [
        ["Setup", "left"],
        ["Upstream requests", "right"],
        ["Peak in any second", "right"],
        ["Upstream 429s", "right"],
        ["Upstream credits", "right"],
        ["Wall", "right"],
      ],
      [
        row("team gateway, 2 replicas", result.gateway),
        row("3 add-ins on one key, no channel", result.direct),
      ]
    ),
    "",
  ].join("\n");
}

function skipped(result: TeamCaseResult): string {
  return "skipped" in result.gateway ? result.gateway.skipped : "";
}
