import { h, when } from "../dom.js";
import { section, statusBadge, table } from "../ui.js";
import type { Check, ConsoleState } from "../types.js";

const COLUMNS: readonly { kind: string; label: string }[] = [
  { kind: "replication", label: "Replication" },
  { kind: "rpo", label: "RPO vs target" },
  { kind: "appConsistency", label: "App-consistent point" },
  { kind: "testFailover", label: "Last drill" },
  { kind: "targetSettings", label: "Failover readiness" },
];

function checkCell(check: Check | undefined, title?: string): HTMLElement | string {
  if (!check) return "not checked yet";
  return h(
    "div",
    { class: "check" },
    statusBadge(check.status),
    title !== undefined && h("strong", { class: "title" }, ` ${title}`),
    h("div", { class: "reason" }, check.reason),
    check.advice.length > 0 && h("div", { class: "advice" }, `Advice: ${check.advice.join("; ")}`),
  );
}

/** The VM's other checks that are not green (agent, retention, VM agent...): an amber or red overall always shows its cause. */
function otherFindings(checks: readonly Check[]): HTMLElement | string {
  const shown = new Set(COLUMNS.map((c) => c.kind));
  const findings = checks.filter((c) => !shown.has(c.kind) && c.status !== "green");
  if (findings.length === 0) return "none";
  return h(
    "div",
    {},
    findings.map((c) => checkCell(c, c.title)),
  );
}

/** Tiers and VMs with the latest health check's readiness, the estate-wide checks and the kill switch. */
export function estateView(state: ConsoleState): HTMLElement {
  const { estate } = state;
  const health = estate.health;
  const rows = estate.tiers.flatMap((tier) =>
    tier.vms.map((vm) => {
      const byKind = new Map(vm.checks.map((c) => [c.kind, c]));
      return [
        h("strong", {}, vm.name),
        `${tier.name}${tier.dependsOn.length ? ` (after ${tier.dependsOn.join(", ")})` : ""}`,
        vm.vault,
        statusBadge(vm.status),
        ...COLUMNS.map((c) => checkCell(byKind.get(c.kind))),
        otherFindings(vm.checks),
      ];
    }),
  );
  return h(
    "div",
    { class: "view", id: "view-estate" },
    h("h1", {}, `Estate ${estate.name}`),
    h(
      "p",
      { class: "lead" },
      `Objectives: RTO ${estate.objectives.rtoMinutes} min, RPO ${estate.objectives.rpoMinutes} min. `,
      health
        ? [
            `Latest health check ${when(health.startedAt)}: `,
            statusBadge(health.overall),
            ` ${health.summary} `,
            h("a", { href: `/api/health/${encodeURIComponent(health.reportId)}/report` }, "Open the health report"),
          ]
        : "No health check has run yet.",
    ),
    section(
      "Automatic failover",
      state.killSwitch.on
        ? h(
            "p",
            {},
            statusBadge("red", "Kill switch ON"),
            ` alerts start no failover (set by ${state.killSwitch.by ?? "?"} at ${when(state.killSwitch.at)}: ${state.killSwitch.reason ?? ""})`,
          )
        : h("p", {}, statusBadge("green", "Kill switch off"), " alerts may start a failover under the policy"),
    ),
    section(
      "Protected VMs, tiers in dependency order",
      table(["VM", "Tier", "Vault", "Overall", ...COLUMNS.map((c) => c.label), "Other findings"], rows, "Protected VMs"),
    ),
    section(
      "Estate checks (ExpressRoute circuits, target DC, DNS, quota…)",
      estate.estateChecks.length === 0
        ? h("p", {}, "No health check has run yet.")
        : table(
            ["Status", "Check", "Reason"],
            estate.estateChecks.map((c) => [statusBadge(c.status), c.title, c.reason]),
            "Estate checks",
          ),
    ),
  );
}
