/** The fully qualified name of a record set `name` in `zone`, without the trailing dot; `@` is the zone apex. */
export function recordFqdn(name: string, zone: string): string {
  return name === "@" ? zone : `${name}.${zone}`;
}
