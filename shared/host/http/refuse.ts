import type { AppRoot } from "../../root/appRoot.js";
import { boundedText } from "../../runs/failoverRequest.js";
import type { ApiResponse } from "../hostTypes.js";
import { problem, REFUSALS, type RefusalReason } from "./problem.js";

/** Who was refused what; a run id only when the caller named a valid one. */
export interface RefusalContext {
  readonly who: string;
  readonly action: string;
  readonly runId?: string;
}

/**
 * A 4xx problem response, audited first. The detail is bounded on both sides: an audit row holds
 * at most 32K characters (Table Storage), and a refusal never echoes megabytes of caller text.
 */
export async function refuseAudited(
  root: AppRoot,
  refused: RefusalContext,
  reason: RefusalReason,
  detail: string,
  extra: Readonly<Record<string, unknown>> = {},
): Promise<ApiResponse> {
  const { status, title } = REFUSALS[reason];
  const bounded = boundedText(detail);
  await root.audit.append({
    at: root.clock.now().toISOString(),
    who: boundedText(refused.who, 200),
    action: refused.action,
    result: `refused ${status}`,
    ...(refused.runId ? { runId: refused.runId } : {}),
    detail: bounded,
  });
  return problem(status, title, bounded, extra);
}
