import { duration, h, when } from "../dom.js";
import { section, statusBadge, table } from "../ui.js";
import { modeLabel } from "./runs.js";

export interface History {
  readonly runs: readonly {
    readonly runId: string;
    readonly mode: string;
    readonly startedAt: string;
    readonly outcome: string;
    readonly recovered: boolean;
    readonly rtoFromDetectionSeconds: number;
    readonly rtoTargetSeconds: number;
    readonly dataLossWindowSeconds: number | null;
    readonly rpoTargetSeconds: number;
    /** Set for the cleanup run of a drill: what started it. */
    readonly cleanupOf: string | null;
  }[];
  readonly healthChecks: readonly { readonly reportId: string; readonly startedAt: string; readonly overall: string; readonly summary: string }[];
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** RTO of each run over time against the target: a dot per run (a cross when it did not recover), the target as a dashed line. */
function chart(runs: History["runs"]): SVGElement {
  const W = 720,
    H = 200,
    L = 50,
    B = 30;
  const ordered = runs.filter((r) => r.cleanupOf === null).reverse();
  const max = Math.max(60, ...ordered.map((r) => Math.max(r.rtoFromDetectionSeconds, r.rtoTargetSeconds))) * 1.1;
  const x = (i: number): number => L + ((i + 0.5) / Math.max(1, ordered.length)) * (W - L - 10);
  const y = (s: number): number => H - B - (s / max) * (H - B - 10);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "RTO of each run against the target", class: "chart" });
  const target = ordered[0]?.rtoTargetSeconds ?? 3600;
  root.append(
    svg("line", { x1: L, x2: W - 10, y1: y(target), y2: y(target), stroke: "#c50f1f", "stroke-dasharray": "6 4" }),
    svg("text", { x: W - 12, y: y(target) - 4, "text-anchor": "end", fill: "#c50f1f", "font-size": 12 }, `RTO target ${duration(target)}`),
  );
  root.append(
    svg("line", { x1: L, x2: L, y1: 10, y2: H - B, stroke: "#8a8886" }),
    svg("line", { x1: L, x2: W - 10, y1: H - B, y2: H - B, stroke: "#8a8886" }),
    svg("text", { x: 4, y: 14, "font-size": 11 }, "RTO"),
    svg("text", { x: L - 6, y: H - B + 4, "text-anchor": "end", "font-size": 11 }, "0"),
  );
  ordered.forEach((r, i) => {
    const cx = x(i),
      cy = y(r.rtoFromDetectionSeconds);
    const ok = r.recovered && r.rtoFromDetectionSeconds <= r.rtoTargetSeconds;
    const mark = ok
      ? svg("circle", { cx, cy, r: 5, fill: "#107c10" })
      : svg("path", { d: `M${cx - 5} ${cy - 5}L${cx + 5} ${cy + 5}M${cx + 5} ${cy - 5}L${cx - 5} ${cy + 5}`, stroke: "#c50f1f", "stroke-width": 2.5 });
    mark.append(svg("title", {}, `${r.runId}: ${r.outcome}, RTO ${duration(r.rtoFromDetectionSeconds)}`));
    // The time axis: when each run started, under its mark.
    root.append(mark, svg("text", { x: cx, y: H - B + 16, "text-anchor": "middle", "font-size": 11 }, when(r.startedAt).replace(" UTC", "")));
  });
  return root;
}

/** Every drill and failover against the targets, as a chart and a table, and the health-check history. */
export function historyView(history: History): HTMLElement {
  return h(
    "div",
    { class: "view", id: "view-history" },
    h("h1", {}, "History"),
    section("RTO over time (✓ dot: recovered within target, ✕ cross: not)", history.runs.length === 0 ? h("p", {}, "No run yet.") : chart(history.runs)),
    section(
      "Runs",
      table(
        ["Started", "Run", "What", "Outcome", "RTO from detection vs target", "Data loss vs RPO"],
        history.runs.map((r) => [
          when(r.startedAt),
          h("a", { href: `#/runs/${encodeURIComponent(r.runId)}` }, r.runId),
          r.cleanupOf === null ? modeLabel(r.mode) : `Cleanup (${r.cleanupOf})`,
          statusBadge(r.outcome),
          `${duration(r.rtoFromDetectionSeconds)} of ${duration(r.rtoTargetSeconds)}${r.recovered ? "" : " (not recovered)"}`,
          r.dataLossWindowSeconds === null ? "—" : `${duration(r.dataLossWindowSeconds)} of ${duration(r.rpoTargetSeconds)}`,
        ]),
        "Run history",
      ),
    ),
    section(
      "Health checks",
      history.healthChecks.length === 0
        ? h("p", {}, "No health check yet.")
        : table(
            ["Started", "Overall", "Summary", "Report"],
            history.healthChecks.map((c) => [
              when(c.startedAt),
              statusBadge(c.overall),
              c.summary,
              h("a", { href: `/api/health/${encodeURIComponent(c.reportId)}/report` }, "Open"),
            ]),
            "Health-check history",
          ),
    ),
  );
}
