// `npm start`: the add-in with the embedded Geoapify emulator, so a new user sees =GEO.LOCATION
// work with no account and no internet. On Windows and macOS it sideloads into desktop Excel
// (office-addin-debugging starts the dev server itself); on Linux, where desktop Excel does not
// exist, it starts the dev server and prints the workbench URL and the Excel-on-the-web command.
//
// The emulator's flags pass through, e.g. `npm start -- --rate-limit 5 --job-ms 3000
// --outage-seconds 30` (all of them: src/dev/emulator/flags.ts). `--gateway` adds the team
// gateway (./team-gateway.ts) and points the workbench at it.

import { spawn, type ChildProcess } from "node:child_process";
import { parseArgs } from "node:util";
import { getHttpsServerOptions } from "office-addin-dev-certs";
import { UsageError } from "./cli-args";
import { GeoapifyEmulator } from "./emulator/emulator";
import { describeModes, EMULATOR_FLAGS, EMULATOR_USAGE, emulatorOptions } from "./emulator/flags";
import { RedisMissingError, startTeamGateway, type TeamGateway } from "./team-gateway";

const DEV_SERVER_PORT = Number(process.env.npm_package_config_dev_server_port || 3000);
const EMULATOR_PORT = Number(process.env.GEOBATCH_EMULATOR_PORT || 3001);

const say = (line: string) => process.stdout.write(`[geobatch] ${line}\n`);

/** A dev server's round trip and Geoapify-like job times, unless flags say otherwise. */
const EMULATOR_DEFAULTS = { latencyMs: 30, jobBaseMs: 300, jobPerAddressMs: 0.2 };

async function devServerUsesHttps(): Promise<boolean> {
  try {
    await getHttpsServerOptions();
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(command, args, {
    stdio: "inherit",
    env: { ...process.env, ...env },
    shell: process.platform === "win32",
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ...EMULATOR_FLAGS, gateway: { type: "boolean" } } });
  const emulator = new GeoapifyEmulator(emulatorOptions(values, EMULATOR_DEFAULTS));
  const emulatorUrl = await emulator.listen(EMULATOR_PORT, "127.0.0.1");
  say(`Geoapify emulator on ${emulatorUrl} (used while no API key is saved)`);
  say(`  modes: ${describeModes(emulator.modes, Date.now())}`);
  say(`  change them live: POST ${emulatorUrl}/__emulator/modes; counts: GET …/__emulator/stats`);

  const https = await devServerUsesHttps();
  const origin = `${https ? "https" : "http"}://localhost:${DEV_SERVER_PORT}`;
  const env: NodeJS.ProcessEnv = {
    GEOBATCH_EMULATOR_TARGET: emulatorUrl,
    GEOBATCH_DEV_HTTPS: https ? "1" : "0",
  };
  let team: TeamGateway | undefined;
  if (values.gateway) {
    team = await startTeamGateway(emulatorUrl);
    env.GEOBATCH_DEV_PRESET = JSON.stringify(team.preset);
    say(`Team gateway: replicas ${team.urls.join(" and ")}, upstream the emulator`);
    say(`  the workbench uses the first with user "demo" (when no key is saved)`);
  }

  const desktopExcel = process.platform === "win32" || process.platform === "darwin";
  const child = desktopExcel
    ? run("npx", ["office-addin-debugging", "start", "manifest.xml", "desktop"], env)
    : run("npx", ["webpack", "serve", "--mode", "development"], env);

  if (!desktopExcel) {
    say(`No desktop Excel on ${process.platform}. Try the add-in here:`);
    say(
      `  workbench:  ${origin}/workbench.html  (every GEO function in a browser, with its batch log and the pane)`
    );
    say(`  task pane:  ${origin}/taskpane.html`);
    say("Excel on the web (needs a Microsoft account and trusted HTTPS certificates):");
    say("  npm run start:web -- --document <URL of a workbook in OneDrive or SharePoint>");
    if (!https) {
      say("HTTPS certificates could not be installed, so the dev server uses plain HTTP.");
    }
  }

  const stop = () => {
    child.kill();
    team?.stop();
    void emulator.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  child.once("exit", (code) => {
    team?.stop();
    void emulator.close().then(() => process.exit(code ?? 0));
  });
}

main().catch((error: Error) => {
  if (
    error instanceof UsageError ||
    (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")
  ) {
    say(`${error.message}\nusage: npm start -- ${EMULATOR_USAGE}`);
    process.exit(2);
  }
  if (error instanceof RedisMissingError) {
    say(error.message);
    process.exit(1);
  }
  say(`Could not start: ${error.message}`);
  process.exit(1);
});
