import { formatDuration } from "./formatDuration.js";
import { html, joinHtml, type Html } from "./html.js";
import type { DnsChange, EstateAfterRun, RouteChange, RunReport, StepReport } from "./runReport.js";

type Outcome = RunReport["outcome"];
type StepStatus = StepReport["status"];

const OUTCOME_COLOUR: Record<Outcome, string> = { succeeded: "#1a7f37", failed: "#cf222e", running: "#9a6700", cancelled: "#6e7781" };
const STEP_COLOUR: Record<StepStatus, string> = {
  succeeded: "#2da44e", failed: "#cf222e", running: "#d4a72c", waiting: "#e3b341",
  queued: "#8c959f", pending: "#afb8c1", cancelled: "#6e7781",
};
const MODE_LABEL: Record<RunReport["mode"], string> = {
  unplanned: "Unplanned failover",
  test: "Test failover",
  "failback-prep": "Failback preparation",
  failback: "Failback",
};
const GOOD = "#1a7f37", BAD = "#cf222e", MUTED = "#6e7781", PENDING = "#9a6700";

// Timeline geometry, in SVG user units (the SVG scales to the page width).
const ROW_H = 22, LABEL_W = 300, CHART_W = 620, TOP = 22, AXIS_H = 40, LABEL_CHARS = 44;

/** Seconds since `originMs`, or null when absent or unparseable, so no NaN ever reaches the page. */
function offsetSeconds(iso: string | null, originMs: number): number | null {
  const ms = iso === null ? NaN : Date.parse(iso);
  return Number.isFinite(ms) && Number.isFinite(originMs) ? Math.max(0, (ms - originMs) / 1000) : null;
}

/** UTC by hand rather than toLocaleString, so the page does not depend on the renderer's locale or zone. */
function formatHuman(iso: string | null): string {
  if (iso === null) return "—";
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return iso;
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()] ?? "";
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${d.toISOString().slice(11, 19)} UTC`;
}

function timeCell(iso: string | null, originMs: number): Html | string {
  const offset = offsetSeconds(iso, originMs);
  if (iso === null) return "—";
  const clock = Number.isFinite(Date.parse(iso)) ? new Date(iso).toISOString().slice(11, 19) : iso;
  return html`<time datetime="${iso}" title="${iso}">${clock}</time>${offset !== null && html` <small>T+${formatDuration(offset)}</small>`}`;
}

function badge(text: string, colour: string, cls = "badge"): Html {
  return html`<span class="${cls}" style="background:${colour}">${text}</span>`;
}

function header(r: RunReport): Html {
  const reason = r.failureReason !== null && html`<p class="reason"><strong>Failure reason:</strong> ${r.failureReason}</p>`;
  return html`<header><h1>${r.estate} — ${MODE_LABEL[r.mode]} ${badge(r.outcome, OUTCOME_COLOUR[r.outcome], "badge outcome")}</h1>
<p class="meta">Run <code>${r.runId}</code> · triggered by ${r.trigger}</p>${reason}</header>`;
}

function figure(label: string, value: string, colour: string, sub: Html | string | false = false): Html {
  return html`<div class="fig"><div class="label">${label}</div><div class="value" style="color:${colour}">${value}</div>${sub && html`<div class="sub">${sub}</div>`}</div>`;
}

/**
 * The RTO figure's colour and words. Green only for a run that recovered within the target: a failed
 * or cancelled run did not recover, however short it was, and a running one has not yet.
 */
function rtoVerdict(r: RunReport, seconds: number): { colour: string; note: string } {
  if (r.outcome === "running") return { colour: PENDING, note: "so far: not recovered yet" };
  if (!r.recovered) return { colour: BAD, note: `not recovered: the run ${r.outcome}` };
  return seconds <= r.rtoTargetSeconds ? { colour: GOOD, note: "within target" } : { colour: BAD, note: "over target" };
}

/**
 * A failback's figures: its downtime (the applications are down from the first planned failover back
 * until the last tier is ready on premises) instead of an RTO, and no data-loss window (no recovery point is chosen).
 */
function failbackFigures(r: RunReport): Html {
  const count = (s: StepStatus): number => r.steps.filter((step) => step.status === s).length;
  const downtime = r.downtimeSeconds ?? null;
  return html`<section class="figures">
${figure("Downtime", downtime === null ? (r.outcome === "running" ? "not over yet" : "not measured") : formatDuration(downtime), downtime === null ? MUTED : "inherit", "from the first planned failover back until every tier was ready on premises")}
${figure("Run duration", formatDuration(r.durationSeconds ?? r.rtoSeconds), "inherit", "replication wait, approval, failback, commit and protection towards Azure")}
${figure("Started", formatHuman(r.startedAt), "inherit", html`<code>${r.startedAt}</code>`)}
${figure("Finished", r.finishedAt === null ? "not yet" : formatHuman(r.finishedAt), "inherit", r.finishedAt !== null && html`<code>${r.finishedAt}</code>`)}
${figure("Steps", `${count("succeeded")} succeeded · ${count("failed")} failed`, count("failed") ? BAD : GOOD)}
</section>`;
}

function keyFigures(r: RunReport): Html {
  if (r.mode === "failback") return failbackFigures(r);
  const target = formatDuration(r.rtoTargetSeconds);
  const fromDetection = rtoVerdict(r, r.rtoFromDetectionSeconds);
  const detectedBySomeoneElse = r.detectedAt !== r.startedAt;
  const loss = r.dataLossWindowSeconds === null ? "not measured" : `${formatDuration(r.dataLossWindowSeconds)} of ${formatDuration(r.rpoTargetSeconds)}`;
  const lossColour = r.dataLossWindowSeconds === null ? MUTED : r.dataLossWindowSeconds <= r.rpoTargetSeconds ? GOOD : BAD;
  const count = (s: StepStatus): number => r.steps.filter((step) => step.status === s).length;
  const others = r.steps.length - count("succeeded") - count("failed");
  return html`<section class="figures">
${figure("RTO from detection vs target", `${formatDuration(r.rtoFromDetectionSeconds)} of ${target}`, fromDetection.colour, html`${fromDetection.note} · the target counts from detection (${detectedBySomeoneElse ? "first alert" : "the request"}, <code>${r.detectedAt}</code>)`)}
${figure("RTO from run start", formatDuration(r.rtoSeconds), rtoVerdict(r, r.rtoSeconds).colour, detectedBySomeoneElse ? `the run started ${formatDuration((Date.parse(r.startedAt) - Date.parse(r.detectedAt)) / 1000)} after detection` : "the run started on request")}
${figure("Data-loss window vs RPO", loss, lossColour)}
${figure("Started", formatHuman(r.startedAt), "inherit", html`<code>${r.startedAt}</code>`)}
${figure("Finished", r.finishedAt === null ? "not yet" : formatHuman(r.finishedAt), "inherit", r.finishedAt !== null && html`<code>${r.finishedAt}</code>`)}
${figure("Steps", `${count("succeeded")} succeeded · ${count("failed")} failed`, count("failed") ? BAD : GOOD, others > 0 && `${others} other (not finished or cancelled)`)}
</section>`;
}

function namesList(label: string, names: readonly string[]): Html | null {
  return names.length === 0 ? null : html`<li><strong>${label} (${names.length}):</strong> ${names.join(", ")}</li>`;
}

/** Where the estate is left and what a person does next: first thing read after a failed run. */
function estateAfterSection(r: RunReport): Html {
  const e: EstateAfterRun = r.estateAfter;
  const cls = r.outcome === "succeeded" ? "after" : r.outcome === "running" ? "after pending" : "after stopped";
  const back = r.mode === "failback";
  const lists = [
    namesList(back ? "Failed back, not committed" : "Failed over, not committed", e.failedOverNotCommitted),
    namesList(back ? "Failed back and committed" : "Failed over and committed", e.committed),
    namesList("Test VMs left in the isolated network", e.testVmsLeft),
    namesList(back ? "Protected towards Azure again" : "Replicating back to on-premises", e.reprotected),
    namesList(back ? "DNS records set back" : "DNS records moved", e.dnsMoved),
    namesList(back ? "Routes set back" : "Routes moved", e.routesMoved),
  ].filter((l): l is Html => l !== null);
  return html`<section class="${cls}" aria-labelledby="after-title"><h2 id="after-title">Where the estate is now</h2>
<p>${e.summary}</p>${lists.length > 0 && html`<ul>${lists}</ul>`}
<h3>What to do next</h3><ol>${e.nextSteps.map((n) => html`<li>${n}</li>`)}</ol></section>`;
}

/**
 * Estate-wide steps (tier null) first, then the tiers in dependency order (`tierOrder`), then any
 * tier the order does not name, in order of first appearance.
 */
function groupByTier(steps: readonly StepReport[], tierOrder: readonly string[]): Array<[string | null, StepReport[]]> {
  const groups = new Map<string | null, StepReport[]>([null, ...tierOrder].map((t) => [t, []]));
  for (const step of steps) groups.set(step.tier, [...(groups.get(step.tier) ?? []), step]);
  return [...groups].filter(([, members]) => members.length > 0);
}

/** A round tick interval giving at most ~8 ticks. */
function tickSeconds(span: number): number {
  const minutes = [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440];
  return (minutes.find((m) => span / (m * 60) <= 8) ?? Math.ceil(span / 8 / 86_400) * 1440) * 60;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function timelineRow(step: StepReport, y: number, x: (s: number) => number, originMs: number, runEnd: number): Html {
  const label = `${step.kind} · ${step.target}`;
  const start = offsetSeconds(step.startedAt, originMs);
  const end = offsetSeconds(step.finishedAt, originMs);
  const text = html`<text x="${LABEL_W - 8}" y="${y + 15}" text-anchor="end"><title>${label}</title>${truncate(label, LABEL_CHARS)}</text>`;
  if (start === null) return html`<g class="row" data-step-id="${step.id}">${text}<text x="${LABEL_W + 4}" y="${y + 15}" class="nobar">${step.status} — not started</text></g>`;
  // An unfinished step runs to the report's notion of "now" (the RTO clock), drawn faded.
  const stop = Math.max(end ?? runEnd, start);
  const width = Math.max(2, x(stop) - x(start));
  const tip = `${step.id}: ${step.status}, ${formatDuration(stop - start)}${end === null ? " (no end recorded)" : ""}`;
  return html`<g class="row" data-step-id="${step.id}">${text}<rect x="${x(start).toFixed(1)}" y="${y + 4}" width="${width.toFixed(1)}" height="${ROW_H - 8}" rx="3" fill="${STEP_COLOUR[step.status]}"${end === null && html` fill-opacity="0.55"`}><title>${tip}</title></rect></g>`;
}

function timeline(r: RunReport): Html {
  const originMs = Date.parse(r.startedAt);
  const extent = r.durationSeconds ?? r.rtoSeconds;
  const runEnd = Number.isFinite(extent) ? Math.max(0, extent) : 0;
  // The target counts from detection: on this axis (from run start) it falls that much earlier.
  const lead = Math.max(0, (originMs - Date.parse(r.detectedAt)) / 1000);
  const target = Number.isFinite(r.rtoTargetSeconds) ? Math.max(0, r.rtoTargetSeconds - (Number.isFinite(lead) ? lead : 0)) : 0;
  const ends = r.steps.flatMap((s) => [offsetSeconds(s.startedAt, originMs), offsetSeconds(s.finishedAt, originMs)]);
  // The axis always reaches the RTO target so the dashed line is on the picture.
  const span = Math.max(60, runEnd, target, ...ends.map((e) => e ?? 0));
  const tick = tickSeconds(span);
  const axisMax = Math.ceil(span / tick) * tick;
  const x = (s: number): number => LABEL_W + (s / axisMax) * CHART_W;
  const rows: Html[] = [];
  let y = TOP;
  for (const [tier, steps] of groupByTier(r.steps, r.tiers)) {
    rows.push(html`<text x="8" y="${y + 15}" class="tier">${tier === null ? "Estate-wide" : `Tier ${tier}`}</text>`);
    y += ROW_H;
    for (const step of steps) {
      rows.push(timelineRow(step, y, x, originMs, runEnd));
      y += ROW_H;
    }
  }
  const ticks: Html[] = [];
  for (const s of tickValues(axisMax, tick)) {
    ticks.push(html`<line x1="${x(s)}" x2="${x(s)}" y1="${TOP}" y2="${y}" class="grid"/><text x="${x(s)}" y="${y + 16}" text-anchor="middle">${s / 60}</text>`);
  }
  const rtoX = x(target).toFixed(1);
  const rtoLabel = `RTO target ${formatDuration(r.rtoTargetSeconds)}${lead > 0 ? " from detection" : ""}`;
  const rtoLine = html`<g class="rto-target"><line x1="${rtoX}" x2="${rtoX}" y1="${TOP - 6}" y2="${y}" stroke="${BAD}" stroke-dasharray="5 4" stroke-width="1.5"><title>${rtoLabel}</title></line><text x="${rtoX}" y="${TOP - 9}" text-anchor="end" fill="${BAD}">${rtoLabel}</text></g>`;
  const height = y + AXIS_H;
  const width = LABEL_W + CHART_W + 20;
  // A copy of the axis sticks to the bottom of the window, so a long run's time scale stays in view.
  const stickyAxis = html`<div class="axis-sticky" aria-hidden="true"><svg class="timeline-axis" viewBox="0 0 ${width} 26">
<line x1="${LABEL_W}" x2="${LABEL_W + CHART_W}" y1="2" y2="2" class="axis"/>
${joinHtml(tickValues(axisMax, tick).map((s) => html`<text x="${x(s)}" y="16" text-anchor="middle">${s / 60}</text>`), "")}<text x="${LABEL_W - 8}" y="16" text-anchor="end" class="caption">min from run start</text></svg></div>`;
  return html`<section><h2>Timeline</h2><svg class="timeline" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="tl-title">
<title id="tl-title">Step timeline, minutes from run start</title>
${joinHtml(ticks, "\n")}
<line x1="${LABEL_W}" x2="${LABEL_W + CHART_W}" y1="${y}" y2="${y}" class="axis"/>
<text x="${LABEL_W + CHART_W / 2}" y="${y + 34}" text-anchor="middle" class="caption">minutes from run start</text>
${joinHtml(rows, "\n")}
${r.mode !== "failback" && rtoLine}
</svg>${stickyAxis}${r.steps.length === 0 && html`<p>No steps recorded.</p>`}</section>`;
}

function tickValues(axisMax: number, tick: number): number[] {
  const values: number[] = [];
  for (let s = 0; s <= axisMax; s += tick) values.push(s);
  return values;
}

function routeTable(changes: readonly RouteChange[]): Html | null {
  if (changes.length === 0) return null;
  const rows = changes.map((c) => html`<tr><td>${c.route}</td><td>${c.routeTable}</td><td>${c.from ?? "not recorded"} → ${c.removed ? "removed" : c.to}</td></tr>`);
  return html`<section><h2>Route changes</h2><table><thead><tr><th scope="col">Route</th><th scope="col">Route table</th><th scope="col">Next hop from → to</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function list(values: readonly string[]): string {
  return values.length ? values.join(", ") : "—";
}

function dnsTable(changes: readonly DnsChange[]): Html {
  if (changes.length === 0) return html`<section><h2>DNS changes</h2><p>No DNS changes.</p></section>`;
  const rows = changes.map((c) => html`<tr><td>${c.record}</td><td>${c.zoneType}</td><td>${list(c.from)} → ${c.removed ? "removed" : list(c.to)}</td></tr>`);
  return html`<section><h2>DNS changes</h2><table><thead><tr><th scope="col">Record</th><th scope="col">Zone</th><th scope="col">From → to</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function notesList(notes: readonly string[]): Html | null {
  return notes.length === 0 ? null : html`<section><h2>Notes</h2><ul>${notes.map((n) => html`<li>${n}</li>`)}</ul></section>`;
}

function stepsTable(r: RunReport): Html {
  const originMs = Date.parse(r.startedAt);
  const rows = groupByTier(r.steps, r.tiers).flatMap(([, steps]) => steps).map((s) => {
    const start = offsetSeconds(s.startedAt, originMs), end = offsetSeconds(s.finishedAt, originMs);
    const duration = start !== null && end !== null ? formatDuration(end - start) : "—";
    return html`<tr><td><code>${s.id}</code></td><td>${s.kind}</td><td>${s.target}</td><td>${s.tier ?? "estate"}</td>
<td>${badge(s.status, STEP_COLOUR[s.status])}</td><td class="time">${timeCell(s.startedAt, originMs)}</td><td class="time">${timeCell(s.finishedAt, originMs)}</td><td class="time">${duration}</td><td class="num">${s.attempts}</td><td class="detail">${s.detail}</td></tr>`;
  });
  const head = ["Id", "Kind", "Target", "Tier", "Status", "Start", "End", "Duration", "Attempts", "Detail"].map((h) => html`<th scope="col">${h}</th>`);
  // The table keeps its width and scrolls sideways in its own box, so the detail column never shrinks to nothing.
  return html`<section><h2>Steps</h2><div class="scroll" role="region" aria-label="Steps" tabindex="0"><table class="steps"><thead><tr>${head}</tr></thead><tbody>${joinHtml(rows, "\n")}</tbody></table></div></section>`;
}

/** Earlier drills: each one's outcome, RTO and data-loss window against the targets, to see the trend. */
function historyTable(r: RunReport): Html | null {
  if (r.history === undefined) return null;
  if (r.history.length === 0) return html`<section class="history"><h2>Earlier drills</h2><p>No earlier drill of ${r.estate}.</p></section>`;
  const rows = r.history.map((h) => {
    const loss = h.dataLossWindowSeconds === null ? "—" : formatDuration(h.dataLossWindowSeconds);
    const lossColour = h.dataLossWindowSeconds === null ? MUTED : h.dataLossWindowSeconds <= h.rpoTargetSeconds ? GOOD : BAD;
    return html`<tr data-run-id="${h.runId}"><td>${formatHuman(h.startedAt)}</td><td><a href="/api/runs/${encodeURIComponent(h.runId)}/report"><code>${h.runId}</code></a></td><td>${h.trigger}</td><td>${badge(h.outcome, OUTCOME_COLOUR[h.outcome])}</td>
<td style="color:${h.outcome === "succeeded" && h.rtoSeconds <= h.rtoTargetSeconds ? GOOD : BAD}">${formatDuration(h.rtoSeconds)} of ${formatDuration(h.rtoTargetSeconds)}</td><td style="color:${lossColour}">${loss} of ${formatDuration(h.rpoTargetSeconds)}</td></tr>`;
  });
  const head = ["Started", "Run", "Trigger", "Outcome", "RTO vs target", "Data loss vs RPO"].map((h) => html`<th scope="col">${h}</th>`);
  return html`<section class="history"><h2>Earlier drills</h2><table><thead><tr>${head}</tr></thead><tbody>${joinHtml(rows, "\n")}</tbody></table></section>`;
}

const CSS = html`body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:0 auto;padding:16px 24px;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#59636e;margin:0}.reason{background:#ffebe9;border-left:4px solid #cf222e;padding:6px 10px}
.badge{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600;white-space:nowrap}h1 .badge{font-size:15px;vertical-align:middle}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:10px;margin-top:16px}
.fig{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px}.label{color:#59636e;font-size:12px}.value{font-size:17px;font-weight:600}.sub{font-size:12px;color:#59636e}
svg.timeline{width:100%;height:auto;font-size:12px}svg .tier{font-weight:700}svg .grid{stroke:#eaeef2}svg .axis{stroke:#8c959f}svg .nobar,svg .caption{fill:#6e7781;font-style:italic}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa}.num{text-align:right}small{color:#6e7781}
.scroll{overflow-x:auto}table.steps{min-width:1180px}table.steps .detail{min-width:340px;max-width:520px;overflow-wrap:anywhere}table.steps .time,table.steps code{white-space:nowrap}
.axis-sticky{position:sticky;bottom:0;background:rgba(255,255,255,.94);border-top:1px solid #d0d7de}svg.timeline-axis{width:100%;height:auto;font-size:12px;display:block}
.after{border:1px solid #d0d7de;border-left:6px solid #1a7f37;border-radius:6px;padding:4px 14px;margin-top:16px}.after.stopped{border-left-color:#cf222e;background:#fff8f7}.after.pending{border-left-color:#9a6700}
.after h2{border:0;margin-top:8px}.after h3{font-size:14px;margin:8px 0 4px}`;

/** The self-contained page an on-call engineer reads after a failover or drill: no scripts, no external resources. */
export function renderRunReportHtml(report: RunReport): string {
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${`${report.estate} ${MODE_LABEL[report.mode].toLowerCase()} ${report.runId}: ${report.outcome}`}</title>
<style>${CSS}</style></head>
<body>
${header(report)}
${keyFigures(report)}
${estateAfterSection(report)}
${timeline(report)}
${dnsTable(report.dnsChanges)}
${routeTable(report.routeChanges)}
${notesList(report.notes)}
${stepsTable(report)}
${historyTable(report)}
</body></html>
`.toString();
}
