import type { Advice, CheckStatus, EstateCheckKind, HealthCheck } from "./healthReport.js";

/**
 * One estate-wide check: its id is `estate/{kind}/{key}`, or `estate/{kind}` for a check the estate
 * has once (an empty key), stable across runs so reports and history line up.
 */
export function estateCheck(
  kind: EstateCheckKind,
  key: string,
  subject: string,
  title: string,
  status: CheckStatus,
  reason: string,
  advice: readonly Advice[] = [],
): HealthCheck {
  return { id: `estate/${kind}${key ? `/${key}` : ""}`, kind, subject, title, status, reason, advice };
}
