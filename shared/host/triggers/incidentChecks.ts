import { parseIncidentCheckMessage } from "../../incidents/alertService.js";
import { getAppRoot } from "../../root/appRoot.js";
import { withKeys } from "../../ports/logger.js";
import type { Invocation } from "../hostTypes.js";
import { invocationLogger } from "../invocationLogger.js";

/** A failover signal's debounce time is over: does it still hold, and may a run start? */
export async function handleIncidentCheck(message: unknown, context: Invocation): Promise<void> {
  const check = parseIncidentCheckMessage(message);
  const root = await getAppRoot();
  await root.alertsFor(withKeys(invocationLogger(context), { checkId: check.checkId })).handleCheck(check);
}
