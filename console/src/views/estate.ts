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

function checkCell(check: Check | undefined): HTMLElement | string {
  if (!check) return "not checked yet";
  return h(
    "div",
    { class: "check" },
    statusBadge(check.status),
    h("div", { class: "reason" }, check.reason),
    check.advice.length > 0 && h("div", { class: "advice" }, `Advice: ${check.advice.join("; ")}`),
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
    section("Protected VMs, tiers in dependency order", table(["VM", "Tier", "Vault", "Overall", ...COLUMNS.map((c) => c.label)], rows, "Protected VMs")),
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
