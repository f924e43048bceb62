// Runs the Geoapify emulator on 127.0.0.1 until SIGINT or SIGTERM:
//   npx tsx src/dev/emulator/cli.ts --port 3001 --latency 30 --job-base 300 --job-per-address 0.2
//   npm run emulator -- --rate-limit 5 --job-ms 3000 --outage-seconds 30 --outage-after 60
// Flags: ./flags.ts. Modes can also change while it runs: ./control.ts.

import { parseArgs } from "node:util";
import { UsageError } from "../cli-args";
import { GeoapifyEmulator } from "./emulator";
import { describeModes, EMULATOR_FLAGS, EMULATOR_USAGE, emulatorOptions } from "./flags";

/** The terminal voice of the emulator CLI; the emulator module itself never prints. */
const logger = {
  info: (message: string) => process.stdout.write(`[geoapify-emulator] ${message}\n`),
  error: (message: string) => process.stderr.write(`[geoapify-emulator] ${message}\n`),
};

const USAGE = `usage: tsx src/dev/emulator/cli.ts [--port 3001] ${EMULATOR_USAGE}`;

function readPort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${raw}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: "string", default: "3001" }, ...EMULATOR_FLAGS },
  });
  const port = readPort(values.port);
  const emulator = new GeoapifyEmulator(emulatorOptions(values));

  let url: string;
  try {
    url = await emulator.listen(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(`port ${port} is already in use; pick another with --port`);
    }
    throw error;
  }
  logger.info(`listening on ${url} (any non-empty apiKey is accepted; Ctrl+C stops)`);
  logger.info(`modes: ${describeModes(emulator.modes, Date.now())}`);
  logger.info(`change them live: POST ${url}/__emulator/modes, read ${url}/__emulator/stats`);

  const stop = () => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    // With the server closed nothing is left on the event loop, so the process ends by itself.
    void emulator.close().then(() => logger.info("stopped"));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  if (
    error instanceof UsageError ||
    (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")
  ) {
    logger.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  logger.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
