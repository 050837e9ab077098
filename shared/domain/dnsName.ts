import { z } from "zod";
import { recordFqdn } from "./recordFqdn.js";

/**
 * DNS names in the estate: dot-separated labels of letters, digits, '-' and '_' (the underscore for
 * service labels such as `_msdcs` or `_dmarc`, which Windows DNS and Azure DNS both hold), each 1 to 63
 * characters and not starting or ending with '-', 253 characters in all (RFC 1035 section 2.3.4,
 * RFC 1123 section 2.1). No trailing dot: names are written relative to their zone, and zones without
 * the root label, as Azure DNS and Get-DnsServerResourceRecord take them.
 */
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const MAX_LABEL = 63;
const MAX_NAME = 253;

/** What is wrong with `text` as a DNS name, in words a person can act on; undefined: nothing. */
export function dnsNameProblem(text: string): string | undefined {
  if (text.length === 0) return "a DNS name, not empty";
  if (text.length > MAX_NAME) return `a DNS name of at most ${MAX_NAME} characters, not ${text.length}`;
  if (text.endsWith(".")) return `a DNS name without the trailing dot ('${text.slice(0, -1)}')`;
  for (const label of text.split(".")) {
    if (label.length === 0) return `a DNS name: '${text}' has an empty label (two dots in a row, or a leading dot)`;
    if (label.length > MAX_LABEL) return `a DNS name: label '${label.slice(0, 20)}...' has ${label.length} characters, over ${MAX_LABEL}`;
    if (!LABEL.test(label)) {
      return /^-|-$/.test(label)
        ? `a DNS name: label '${label}' starts or ends with '-'`
        : `a DNS name: label '${label}' has a character other than letters, digits, '-' or '_'`;
    }
  }
  return undefined;
}

const check =
  (allowApex: boolean) =>
  (text: string, ctx: z.RefinementCtx): void => {
    if (allowApex && text === "@") return;
    const problem = dnsNameProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: allowApex ? `'@' or ${problem}` : problem });
  };

/** The pattern editors check as the file is typed (the JSON Schema carries it); the refinement gives the precise message. */
const NAME_PATTERN = String.raw`^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$`;

/** A DNS zone name, e.g. 'contoso.com' or 'corp.contoso.internal'. */
export const DnsZoneName = z.string().superRefine(check(false)).meta({ pattern: NAME_PATTERN });

/** A record's host name relative to its zone: '@' for the zone's own name, else one or more labels ('www', '_dmarc', 'api.eu'). */
export const DnsRecordName = z
  .string()
  .superRefine(check(true))
  .meta({ pattern: `^@$|${NAME_PATTERN}` });

/** A record's full name must fit too: a valid name and a valid zone can still exceed 253 characters together. */
export function recordFqdnProblem(zone: string, name: string): string | undefined {
  const length = recordFqdn(name, zone).length;
  return length > MAX_NAME ? `'${name}' in zone '${zone.slice(0, 40)}' makes a name of ${length} characters, over ${MAX_NAME}` : undefined;
}
