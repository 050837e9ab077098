import { api, ApiError } from "../api.js";
import { h, when } from "../dom.js";
import { roleAllows, type Allowed } from "../permissions.js";
import { actionButton, message, section, statusBadge, table, textInput } from "../ui.js";
import type { ConsoleState } from "../types.js";

/** The active incident, the alerts behind it, the policy's decisions and what it waits for; approve and the kill switch. */
export function incidentView(state: ConsoleState, refresh: () => void): HTMLElement {
  const i = state.incident;
  const result = h("div", { role: "status", "aria-live": "polite" });
  const approve = async (): Promise<void> => {
    try {
      const answer = await api<{ outcome?: string; reason?: string; runId?: string }>("POST", "/api/incidents/approve");
      result.replaceChildren(message("success", `Approved: ${answer.outcome ?? ""} ${answer.reason ?? ""}`));
    } catch (error) {
      result.replaceChildren(message("error", error instanceof ApiError ? error.detail : String(error)));
    }
    refresh();
  };
  const reason = textInput("kill-reason", "Reason", "why, in a few words");
  const toggle = async (): Promise<void> => {
    try {
      await api("POST", "/api/killswitch", { on: !state.killSwitch.on, reason: reason.value ?? "" });
      result.replaceChildren(message("success", `Kill switch ${state.killSwitch.on ? "off" : "on"}.`));
    } catch (error) {
      result.replaceChildren(message("error", error instanceof ApiError ? error.detail : String(error)));
    }
    refresh();
  };
  const approveAllowed = roleAllows(state.me, "approveIncident");
  // An approver approves a failover waiting for approval, or confirms the outage a pending one waits on.
  const needsPerson = i.awaitingApproval !== null || i.waitingFor.some((w) => w.startsWith("debounce"));
  const canApprove: Allowed = !approveAllowed.enabled
    ? approveAllowed
    : needsPerson
      ? { enabled: true }
      : { enabled: false, reason: "the incident waits for no approval" };
  return h(
    "div",
    { class: "view", id: "view-incident" },
    h("h1", {}, "Incident"),
    i.incidentId === null
      ? h("p", { class: "lead" }, statusBadge("green", "No active incident"), " no failover signal is being followed.")
      : h("p", { class: "lead" }, statusBadge("amber", `Incident ${i.incidentId}`), ` opened ${when(i.openedAt)}${i.runId ? `, run ${i.runId}` : ""}.`),
    section(
      "What the policy waits for",
      i.waitingFor.length === 0
        ? h("p", {}, "Nothing.")
        : h(
            "ul",
            {},
            i.waitingFor.map((w) => h("li", {}, w)),
          ),
      h(
        "p",
        {},
        actionButton("Approve the failover", canApprove, () => void approve(), { id: "approve-incident" }),
      ),
    ),
    section(
      "Signals",
      h(
        "ul",
        {},
        h(
          "li",
          {},
          `ExpressRoute circuits down: ${i.circuitsDown.length === 0 ? "none" : i.circuitsDown.map((c) => `${c.id.split("/").pop() ?? c.id} since ${when(c.since)}`).join("; ")}`,
        ),
        h("li", {}, `NAT/firewall lost: ${i.natLostSince ? `since ${when(i.natLostSince)}` : "no"}`),
        h("li", {}, `RPO breached: ${i.rpoBreached ? "yes" : "no"}`),
        h("li", {}, `Independent sources: ${i.failoverSources.length === 0 ? "none" : i.failoverSources.join(", ")}`),
      ),
      table(
        ["Alert", "At"],
        i.alerts.map((a) => [a.condition, when(a.at)]),
        "Alerts behind the incident",
      ),
    ),
    section(
      "The policy's latest decisions",
      table(
        ["Outcome", "Why", "Run"],
        i.decisions.map((d) => [d.outcome, d.reason, d.runId ?? "—"]),
        "Decisions",
      ),
    ),
    section(
      "Kill switch",
      h("p", {}, state.killSwitch.on ? statusBadge("red", "ON: alerts start no failover") : statusBadge("green", "Off")),
      roleAllows(state.me, "killSwitch").enabled && reason,
      h(
        "p",
        {},
        actionButton(state.killSwitch.on ? "Turn the kill switch off" : "Turn the kill switch on", roleAllows(state.me, "killSwitch"), () => void toggle(), {
          id: "kill-switch",
        }),
      ),
    ),
    result,
  );
}
