// The gateway's entry point (built to dist-gateway/gateway.js, run by `npm run gateway`): the
// user and cache commands, or one replica serving until SIGTERM.

import { createGateway } from "./app";
import { runCli } from "./cli";
import { ConfigError, readConfig } from "./config";

async function main(args: readonly string[]): Promise<void> {
  if (args.length > 0) {
    process.exitCode = await runCli(args, process.env, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
    return;
  }
  let config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`gateway: ${error.message}\n`);
    process.exit(1);
  }
  const gateway = createGateway(config);
  const address = await gateway.listen();
  gateway.app.log.info({ address, upstream: config.upstream }, "gateway listening");
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.app.log.info({ signal }, "stopping");
    void gateway.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

void main(process.argv.slice(2));
