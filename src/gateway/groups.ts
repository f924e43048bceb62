// A group is src/places groupKey: "kind|country|language". Upstream jobs are per group, so the
// options a job is sent with are read back from it.

import type { LookupOptions } from "../places/lookup";

export { jobParams } from "../places/lookup";

export function optionsFromGroup(group: string): LookupOptions {
  const [, country, language] = group.split("|");
  const options: LookupOptions = {};
  if (country) options.country = country;
  if (language) options.language = language;
  return options;
}
