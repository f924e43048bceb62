// Command-line flag readers shared by the dev tools (the emulator CLI) and the benchmark, so a
// bad flag reads the same everywhere and is told apart from a crash.

/** A flag the user got wrong: the tools print its message with their usage line, no stack. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A `--flag` value that must be a number >= 0; undefined when the flag was not given. */
export function readNonNegativeNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`--${flag} must be a number >= 0, got "${raw}"`);
  }
  return value;
}

/** A `--flag` value that must be a whole number >= 0; undefined when the flag was not given. */
export function readNonNegativeInteger(flag: string, raw: string | undefined): number | undefined {
  const value = readNonNegativeNumber(flag, raw);
  if (value !== undefined && !Number.isInteger(value)) {
    throw new UsageError(`--${flag} must be a whole number >= 0, got "${raw}"`);
  }
  return value;
}
