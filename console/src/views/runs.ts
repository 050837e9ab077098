import { h, when } from "../dom.js";
import { section, statusBadge, table } from "../ui.js";
import type { RunSummary } from "../types.js";

const MODE: Readonly<Record<string, string>> = {
  unplanned: "Failover",
  test: "Drill (test failover)",
  "failback-prep": "Failback preparation",
  failback: "Failback",
};

export function modeLabel(mode: string): string {
  return MODE[mode] ?? mode;
}

/** Every run, newest first, each linking to its live page. */
export function runsView(runs: readonly RunSummary[]): HTMLElement {
  return h(
    "div",
    { class: "view", id: "view-runs" },
    h("h1", {}, "Runs"),
    section(
      `${runs.length} run(s)`,
      runs.length === 0
        ? h("p", {}, "No run yet.")
        : table(
            ["Run", "What", "Status", "Started", "Finished", "Trigger"],
            runs.map((r) => [
              h("a", { href: `#/runs/${encodeURIComponent(r.runId)}`, class: "run-link" }, r.runId),
              modeLabel(r.mode),
              statusBadge(r.status),
              when(r.startedAt),
              when(r.finishedAt),
              r.trigger,
            ]),
            "Runs",
          ),
    ),
  );
}
