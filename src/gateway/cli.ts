// `npm run --silent gateway -- user …|cache …`: users, tokens and the shared cache, with only
// REDIS_URL. `user add` and `user rotate` print the new token as the only line on stdout.

import { utcDay } from "./clock";
import { redisUrlFrom } from "./config";
import { GatewayStore, openRedis } from "./store/store";
import { UserExistsError } from "./store/users";
import { hashToken, newToken } from "./tokens";

export const USAGE = `Usage:
  gateway                                      serve (needs GEOAPIFY_API_KEY)
  gateway user add NAME [--daily-budget CREDITS]
  gateway user list [--days N]
  gateway user rotate NAME
  gateway user remove NAME
  gateway cache forget TEXT...`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const NAME = /^[\w.@-]{1,200}$/;

/** Runs one command; resolves the exit code. */
export async function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo
): Promise<number> {
  const [area, command, ...rest] = args;
  const store = new GatewayStore(openRedis(redisUrlFrom(env)));
  try {
    await store.ready(5_000);
    if (area === "user") return await userCommand(store, command, rest, io);
    if (area === "cache" && command === "forget" && rest.length > 0) {
      io.out(`Dropped ${await store.forget(rest.map((text) => text.trim().toLowerCase()))}`);
      return 0;
    }
    io.err(USAGE);
    return 2;
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await store.close();
  }
}

async function userCommand(
  store: GatewayStore,
  command: string | undefined,
  rest: readonly string[],
  io: CliIo
): Promise<number> {
  const name = rest[0];
  const needsName = command === "add" || command === "rotate" || command === "remove";
  if (needsName && (!name || !NAME.test(name))) {
    io.err("A user name is letters, digits and . _ @ - (up to 200)");
    return 2;
  }
  switch (command) {
    case "add": {
      const budget = flag(rest, "--daily-budget");
      if (budget !== undefined && !(Number(budget) >= 0)) {
        io.err("--daily-budget takes a number of credits");
        return 2;
      }
      const token = newToken();
      try {
        await store.users.add(name, hashToken(token), budget === undefined ? null : Number(budget));
      } catch (error) {
        if (!(error instanceof UserExistsError)) throw error;
        io.err(`User ${name} exists: use "user rotate ${name}" for a new token`);
        return 1;
      }
      io.out(token);
      return 0;
    }
    case "rotate": {
      const token = newToken();
      if (!(await store.users.rotate(name, hashToken(token)))) {
        io.err(`No user ${name}`);
        return 1;
      }
      io.out(token);
      return 0;
    }
    case "remove":
      await store.users.remove(name);
      io.out(`Removed ${name}; the name is barred until "user add ${name}"`);
      return 0;
    case "list":
      await listUsers(store, Number(flag(rest, "--days") ?? 7), io);
      return 0;
    default:
      io.err(USAGE);
      return 2;
  }
}

async function listUsers(store: GatewayStore, days: number, io: CliIo): Promise<void> {
  const count = Math.max(1, Math.min(30, Math.floor(days) || 7));
  const dayNames = Array.from({ length: count }, (_, back) =>
    utcDay(Date.now() - back * 86_400_000)
  );
  const credits = await Promise.all(dayNames.map((day) => store.users.creditsByUser(day)));
  io.out(["user", "budget", ...dayNames].join("\t"));
  for (const name of await store.users.names()) {
    const user = await store.users.get(name);
    const budget = user?.dailyBudget ?? "-";
    io.out([name, budget, ...credits.map((byUser) => byUser[name] ?? 0)].join("\t"));
  }
}

function flag(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}
