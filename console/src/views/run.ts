import { api, ApiError } from "../api.js";
import { duration, h, when } from "../dom.js";
import { runAction, type RunActionName } from "../permissions.js";
import { actionButton, message, section, statusBadge, table, textInput } from "../ui.js";
import type { ConsoleState, RunDetail, StepReport } from "../types.js";
import { modeLabel } from "./runs.js";

const ACTIONS: readonly { action: RunActionName; label: string }[] = [
  { action: "approve", label: "Approve" },
  { action: "commit", label: "Commit" },
  { action: "cleanup", label: "Clean up" },
  { action: "cancel", label: "Cancel" },
  { action: "resume", label: "Resume" },
  { action: "extend-cleanup", label: "Put the cleanup off" },
];

function seconds(from: string, iso: string | null): number | null {
  const ms = iso === null ? NaN : Date.parse(iso) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, ms / 1000) : null;
}

/** Steps grouped as the report groups them: estate-wide first, then the tiers in dependency order. */
function groups(run: RunDetail): [string, StepReport[]][] {
  const order = [null, ...run.tiers, ...new Set(run.steps.map((s) => s.tier).filter((t) => t !== null && !run.tiers.includes(t)))];
  return order
    .map((tier): [string, StepReport[]] => [tier === null ? "Estate-wide" : `Tier ${tier}`, run.steps.filter((s) => s.tier === tier)])
    .filter(([, steps]) => steps.length > 0);
}

/** The live timeline: a bar per step on one time scale from the run's start, the RTO target drawn across. */
function timeline(run: RunDetail, now: string): HTMLElement {
  const end = run.finishedAt ?? now;
  const lead = Math.max(0, (Date.parse(run.startedAt) - Date.parse(run.detectedAt)) / 1000);
  const target = Math.max(0, run.rtoTargetSeconds - lead);
  // A little past the later of the target and the run's end, so the target line is always drawn inside.
  const span = Math.max(60, target, seconds(run.startedAt, end) ?? 0) * 1.08;
  const pct = (s: number): string => `${((s / span) * 100).toFixed(2)}%`;
  const rows = groups(run).flatMap(([label, steps]) => [
    h("div", { class: "tl-tier", role: "row" }, h("span", { role: "rowheader" }, label)),
    ...steps.map((step) => {
      const start = seconds(run.startedAt, step.startedAt);
      const stop = seconds(run.startedAt, step.finishedAt) ?? (start === null ? null : seconds(run.startedAt, end));
      return h(
        "div",
        { class: "tl-row", role: "row", "data-step-id": step.id, "data-status": step.status },
        h("span", { class: "tl-label", role: "cell" }, `${step.kind} · ${step.target}`),
        h("span", { class: "tl-status", role: "cell" }, statusBadge(step.status)),
        h(
          "span",
          { class: "tl-track", role: "cell" },
          start === null
            ? h("span", { class: "tl-none" }, "not started")
            : h("span", {
                class: `tl-bar s-${step.status}`,
                style: `left:${pct(start)};width:max(3px,${pct(Math.max(0, (stop ?? start) - start))})`,
                title: `${step.id}: ${step.status}`,
              }),
        ),
      );
    }),
  ]);
  return h(
    "div",
    { class: "timeline", role: "table", "aria-label": "Step timeline, from the run's start" },
    h(
      "div",
      { class: "tl-axis", role: "row" },
      h("span", { role: "columnheader" }, "Step"),
      h("span", { role: "columnheader" }, "Status"),
      h(
        "span",
        { role: "columnheader", class: "tl-track" },
        `0 → ${duration(span)} from run start`,
        h(
          "span",
          // Near the right edge the label sits left of the line, so it is never cut off.
          { class: target / span > 0.6 ? "tl-rto tl-rto-left" : "tl-rto", style: `left:${pct(target)}`, title: "RTO target" },
          `RTO target ${duration(run.rtoTargetSeconds)}${lead > 0 ? " from detection" : ""}`,
        ),
      ),
    ),
    ...rows,
  );
}

function rtoText(run: RunDetail): HTMLElement {
  const verdict =
    run.outcome === "running"
      ? "not recovered yet"
      : !run.recovered
        ? `not recovered: the run ${run.outcome}`
        : run.rtoFromDetectionSeconds <= run.rtoTargetSeconds
          ? "within target"
          : "over target";
  const status = run.outcome === "running" ? "running" : !run.recovered || run.rtoFromDetectionSeconds > run.rtoTargetSeconds ? "failed" : "succeeded";
  return h(
    "p",
    { class: "figures" },
    h(
      "span",
      { class: "fig" },
      "RTO from detection: ",
      h("strong", {}, `${duration(run.rtoFromDetectionSeconds)} of ${duration(run.rtoTargetSeconds)}`),
      " ",
      statusBadge(status, verdict),
    ),
    h("span", { class: "fig" }, "From run start: ", h("strong", {}, duration(run.rtoSeconds))),
    h(
      "span",
      { class: "fig" },
      "Data-loss window: ",
      h("strong", {}, run.dataLossWindowSeconds === null ? "not measured" : `${duration(run.dataLossWindowSeconds)} of ${duration(run.rpoTargetSeconds)}`),
    ),
    h(
      "span",
      { class: "fig", id: "rto-detection" },
      `Detected ${when(run.detectedAt)} (${run.detectedAt === run.startedAt ? "the request" : "the first alert fired"}): the RTO target counts from then.`,
    ),
  );
}

type Field = HTMLElement & { value?: string };
interface Fields {
  /** What the person's last action answered, kept across the redraw that action causes. */
  readonly result: HTMLElement;
  readonly cancelReason: Field;
  readonly extendMinutes: Field;
  readonly extendReason: Field;
}

/** The action fields outlive the page's redraws (every second while the run goes on), so typing is never lost. */
let kept: { runId: string; fields: Fields } | undefined;
function fieldsFor(runId: string): Fields {
  if (kept?.runId !== runId) {
    const extendMinutes = textInput("extend-minutes", "Put off by (minutes, up to 1440)", "60");
    extendMinutes.setAttribute("type", "number");
    extendMinutes.setAttribute("value", "60");
    kept = {
      runId,
      fields: {
        result: h("div", { role: "status", "aria-live": "polite", class: "result" }),
        cancelReason: textInput("cancel-reason", "Reason to cancel", "why cancel"),
        extendMinutes,
        extendReason: textInput("extend-reason", "Reason to keep the test VMs", "why keep them"),
      },
    };
  }
  return kept.fields;
}

function actionBody(action: RunActionName, fields: Fields): unknown {
  if (action === "cancel") return { reason: fields.cancelReason.value ?? "" };
  if (action === "extend-cleanup") return { minutes: Number(fields.extendMinutes.value ?? "60"), reason: fields.extendReason.value ?? "" };
  return undefined;
}

/** A failed or cancelled drill's test VMs: when its automatic cleanup removes them, or what it did. */
function cleanupLine(run: RunDetail): HTMLElement | false {
  const cleanup = run.automaticCleanup;
  if (!cleanup) return false;
  if (cleanup.done)
    return h(
      "p",
      { id: "cleanup-due" },
      `Automatic cleanup ran ${when(cleanup.done.at)}: ${cleanup.done.outcome}${cleanup.done.runId ? ` (run ${cleanup.done.runId})` : ""}.`,
    );
  return h(
    "p",
    { id: "cleanup-due" },
    `The test VMs this drill left are cleaned up on their own at ${when(cleanup.dueAt)}; Clean up does it now, Put the cleanup off keeps them longer.`,
  );
}

/** The runs of a round trip (shared/reports/roundTripRuns.ts): the failover and the way back, each on one page with the others. */
const ROUND_TRIP_MODES: ReadonlySet<string> = new Set(["unplanned", "failback-prep", "failback"]);

/** One run, live: its state, what it leaves, the timeline, DNS and route changes, and the actions the person may take. */
export function runView(run: RunDetail, state: ConsoleState, refresh: () => void): HTMLElement {
  const fields = fieldsFor(run.runId);
  const { result } = fields;
  const act = async (action: RunActionName, label: string): Promise<void> => {
    try {
      const answer = await api<{ runId?: string; cleanupDueAt?: string }>(
        "POST",
        `/api/runs/${encodeURIComponent(run.runId)}/${action}`,
        actionBody(action, fields),
      );
      const more =
        answer.cleanupDueAt !== undefined
          ? `: the test VMs now stay until ${when(answer.cleanupDueAt)}`
          : answer.runId !== undefined && answer.runId !== run.runId
            ? `: run ${answer.runId} started`
            : "";
      result.replaceChildren(message("success", `${label}: done${more}.`));
    } catch (error) {
      result.replaceChildren(message("error", error instanceof ApiError ? error.detail : String(error)));
    }
    refresh();
  };
  const actions = ACTIONS.map(({ action, label }) =>
    actionButton(label, runAction(action, run, state.me, state.rules.separateApprover), () => void act(action, label), {
      id: `action-${action}`,
      "data-action": action,
    }),
  );
  const jobs = run.steps.filter((s) => s.detail !== null && /ASR job/i.test(s.detail));
  return h(
    "div",
    { class: "view", id: "view-run", "data-run-id": run.runId, "data-outcome": run.outcome },
    h("h1", {}, `${modeLabel(run.mode)} `, statusBadge(run.outcome), h("span", { class: "run-id" }, ` ${run.runId}`)),
    h(
      "p",
      { class: "meta" },
      `Triggered by ${run.trigger} · started ${when(run.startedAt)} · ${run.finishedAt ? `finished ${when(run.finishedAt)}` : "in progress"} · `,
      h("a", { href: `/api/runs/${encodeURIComponent(run.runId)}/report` }, "Run report page"),
      ROUND_TRIP_MODES.has(run.mode) && [
        " · ",
        h("a", { href: `/api/runs/${encodeURIComponent(run.runId)}/round-trip/report`, id: "round-trip-link" }, "Round trip report"),
      ],
    ),
    run.failureReason !== null && message("error", `Failure: ${run.failureReason}`),
    rtoText(run),
    section(
      "Where the estate is now",
      h("p", {}, run.estateAfter.summary),
      h(
        "ol",
        {},
        run.estateAfter.nextSteps.map((n) => h("li", {}, n)),
      ),
    ),
    section(
      "Actions",
      cleanupLine(run),
      h("div", { class: "actions" }, actions),
      runAction("cancel", run, state.me, state.rules.separateApprover).enabled && fields.cancelReason,
      runAction("extend-cleanup", run, state.me, state.rules.separateApprover).enabled &&
        h("div", { class: "filters" }, fields.extendMinutes, fields.extendReason),
      result,
    ),
    section("Timeline", timeline(run, state.now)),
    section(
      "DNS changes",
      run.dnsChanges.length === 0
        ? h("p", {}, "None.")
        : table(
            ["Record", "Zone", "Old → new"],
            run.dnsChanges.map((c) => [c.record, c.zoneType, `${c.from.join(", ") || "—"} → ${c.to.join(", ")}`]),
            "DNS changes",
          ),
    ),
    section(
      "Route changes",
      run.routeChanges.length === 0
        ? h("p", {}, "None.")
        : table(
            ["Route", "Route table", "Next hop old → new"],
            run.routeChanges.map((c) => [c.route, c.routeTable, `${c.from ?? "not recorded"} → ${c.to}`]),
            "Route changes",
          ),
    ),
    section(
      "ASR jobs and step details",
      jobs.length === 0
        ? h("p", {}, "No ASR job yet.")
        : table(
            ["Step", "Detail"],
            jobs.map((s) => [s.id, s.detail ?? ""]),
            "ASR jobs",
          ),
    ),
  );
}
