import { formatDuration } from "./formatDuration.js";
import { html, joinHtml, type Html } from "./html.js";
import type { RestoreStatus, RoundTripPhase, RoundTripPhaseName, RoundTripReport } from "./roundTripReport.js";

const PHASE_LABEL: Record<RoundTripPhaseName, string> = { failover: "Failover to Azure", failbackPrep: "Failback preparation", failback: "Failback to vSphere" };
const PHASE_COLOUR: Record<RoundTripPhaseName, string> = { failover: "#0969da", failbackPrep: "#8250df", failback: "#1a7f37" };
const STATUS_COLOUR: Record<RoundTripReport["status"], string> = { complete: "#1a7f37", inProgress: "#9a6700", stopped: "#cf222e" };
const OUTCOME_COLOUR: Record<RoundTripPhase["outcome"], string> = { succeeded: "#1a7f37", failed: "#cf222e", running: "#9a6700", cancelled: "#6e7781" };
const RESTORE_LABEL: Record<RestoreStatus, string> = { restored: "set back", removed: "removed", notRestored: "NOT set back", pending: "not yet", notPlanned: "no failback yet" };
const GOOD = "#1a7f37", BAD = "#cf222e", MUTED = "#6e7781", DOWNTIME = "#cf222e";

// Timeline geometry in SVG user units. Idle time between runs (replication catching up) is drawn as a
// fixed-width break labelled with its length, so minutes-long runs stay readable beside hours of waiting.
const LABEL_W = 220, CHART_W = 700, ROW_H = 22, TOP = 24, GAP_W = 56, MIN_SEGMENT_W = 60, MIN_BREAK_MS = 5 * 60_000;

interface Segment {
  readonly fromMs: number;
  readonly toMs: number;
  readonly x: number;
  readonly width: number;
}

const ms = (iso: string | null): number | null => {
  const t = iso === null ? NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : null;
};

/** UTC by hand, so the page does not depend on the renderer's locale or zone. */
function formatHuman(iso: string | null): string {
  if (iso === null) return "—";
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

function badge(text: string, colour: string): Html {
  return html`<span class="badge" style="background:${colour}">${text}</span>`;
}

/** The runs' spans, merged where they overlap, each given a share of the chart by its length. */
function segmentsOf(r: RoundTripReport, endMs: number): Segment[] {
  const spans = r.phases
    .map((p) => ({ from: ms(p.startedAt) ?? endMs, to: ms(p.finishedAt) ?? endMs }))
    .sort((a, b) => a.from - b.from)
    .reduce<{ from: number; to: number }[]>((merged, span) => {
      const prev = merged.at(-1);
      // A run that starts within a few minutes of the last one's end is drawn on, without a break.
      if (prev && span.from <= prev.to + MIN_BREAK_MS) prev.to = Math.max(prev.to, span.to);
      else merged.push({ ...span, to: Math.max(span.from, span.to) });
      return merged;
    }, []);
  const gaps = Math.max(0, spans.length - 1);
  const total = spans.reduce((sum, s) => sum + Math.max(1, s.to - s.from), 0);
  const available = CHART_W - gaps * GAP_W - spans.length * MIN_SEGMENT_W;
  let x = LABEL_W;
  return spans.map((s, i) => {
    const width = MIN_SEGMENT_W + Math.max(0, available) * (Math.max(1, s.to - s.from) / total);
    const segment = { fromMs: s.from, toMs: s.to, x, width };
    x += width + (i < gaps ? GAP_W : 0);
    return segment;
  });
}

/** Where an instant falls on the broken axis (an instant in a break sits at the break's start). */
function xOf(segments: readonly Segment[], t: number): number {
  for (const [i, s] of segments.entries()) {
    if (t <= s.toMs) return t < s.fromMs ? (i === 0 ? s.x : s.x - GAP_W) : s.x + (s.width * (t - s.fromMs)) / Math.max(1, s.toMs - s.fromMs);
  }
  const lastSegment = segments.at(-1);
  return lastSegment ? lastSegment.x + lastSegment.width : LABEL_W;
}

function bar(segments: readonly Segment[], y: number, from: string | null, to: string | null, endMs: number, colour: string, tip: string, cls = "bar"): Html | null {
  const start = ms(from);
  if (start === null) return null;
  const stop = Math.max(start, ms(to) ?? endMs);
  const x1 = xOf(segments, start), x2 = Math.max(x1 + 2, xOf(segments, stop));
  return html`<rect class="${cls}" x="${x1.toFixed(1)}" y="${y + 4}" width="${(x2 - x1).toFixed(1)}" height="${ROW_H - 8}" rx="3" fill="${colour}"${to === null && html` fill-opacity="0.55"`}><title>${tip}</title></rect>`;
}

/** A moment on a row: a diamond for a change towards Azure, a circle for one set back (shape, not only colour, tells them apart). */
function marker(segments: readonly Segment[], y: number, at: string | null, kind: "moved" | "restored", tip: string): Html | null {
  const t = ms(at);
  if (t === null) return null;
  const x = xOf(segments, t).toFixed(1);
  return kind === "moved"
    ? html`<path class="marker moved" d="M${x} ${y + 4} l5 7 l-5 7 l-5 -7 z" fill="${PHASE_COLOUR.failover}"><title>${tip}</title></path>`
    : html`<circle class="marker restored" cx="${x}" cy="${y + 11}" r="5" fill="${PHASE_COLOUR.failback}"><title>${tip}</title></circle>`;
}

function label(y: number, text: string, cls = ""): Html {
  return html`<text x="${LABEL_W - 8}" y="${y + 15}" text-anchor="end" class="${cls}">${text}</text>`;
}

/** The three runs, each tier's work in each, the failover's RTO, the failback's downtime and the name changes, on one axis. */
function timeline(r: RoundTripReport, nowMs: number): Html {
  const endMs = ms(r.finishedAt) ?? nowMs;
  const segments = segmentsOf(r, endMs);
  const rows: Html[] = [];
  let y = TOP;
  const row = (text: string, content: readonly (Html | null)[], cls = ""): void => {
    rows.push(html`<g class="row">${label(y, text, cls)}${content.filter((c): c is Html => c !== null)}</g>`);
    y += ROW_H;
  };
  for (const p of r.phases) row(`${PHASE_LABEL[p.phase]}`, [bar(segments, y, p.startedAt, p.finishedAt, endMs, PHASE_COLOUR[p.phase], `${p.runId}: ${p.outcome}, ${formatDuration(p.durationSeconds)}`)], "run");
  const failoverPhase = r.phases.find((p) => p.phase === "failover");
  if (r.failover && failoverPhase) {
    const rtoEnd = new Date(Date.parse(failoverPhase.startedAt) + r.failover.rtoSeconds * 1000).toISOString();
    row("Failover RTO", [bar(segments, y, failoverPhase.startedAt, rtoEnd, endMs, r.failover.rtoMet === false ? BAD : "#54aeff", `RTO ${formatDuration(r.failover.rtoSeconds)} (target ${formatDuration(r.failover.rtoTargetSeconds)})`)]);
  }
  if (r.replicationBack)
    row("Replication back", [bar(segments, y, r.replicationBack.startedAt, r.replicationBack.healthyAt, endMs, "#c297ff", r.replicationBack.healthyAt ? `healthy after ${formatDuration(r.replicationBack.seconds ?? 0)}` : "not seen healthy yet")]);
  if (r.failback?.downtimeStartedAt)
    row("Failback downtime", [bar(segments, y, r.failback.downtimeStartedAt, r.failback.downtimeEndedAt, endMs, DOWNTIME, r.failback.downtimeSeconds === null ? "downtime so far" : `downtime ${formatDuration(r.failback.downtimeSeconds)}`, "bar downtime")]);
  for (const tier of r.tiers) {
    const spans = r.tierSpans.filter((s) => s.tier === tier);
    row(`Tier ${tier}`, spans.map((s) => bar(segments, y, s.startedAt, s.finishedAt, endMs, PHASE_COLOUR[s.phase], `${tier} in ${PHASE_LABEL[s.phase].toLowerCase()}`)));
  }
  if (r.dnsChanges.length > 0 || r.routeChanges.length > 0) {
    const changes = [...r.dnsChanges.map((c) => ({ name: c.record, movedAt: c.movedAt, restoredAt: c.restoredAt })), ...r.routeChanges.map((c) => ({ name: c.route, movedAt: c.movedAt, restoredAt: c.restoredAt }))];
    row("DNS and routes", changes.flatMap((c) => [marker(segments, y, c.movedAt, "moved", `${c.name} moved to Azure`), marker(segments, y, c.restoredAt, "restored", `${c.name} set back`)]));
  }
  const axis: Html[] = [];
  segments.forEach((s, i) => {
    const clock = (t: number): string => new Date(t).toISOString().slice(11, 16);
    axis.push(html`<text x="${s.x}" y="${y + 16}" class="tick">${clock(s.fromMs)}</text>`);
    // The stretch's end too, when there is room for both labels.
    if (s.width >= 90) axis.push(html`<text x="${s.x + s.width}" y="${y + 16}" text-anchor="end" class="tick">${clock(s.toMs)}</text>`);
    const next = segments[i + 1];
    if (next) {
      const gapX = s.x + s.width;
      axis.push(html`<g class="break"><rect x="${gapX + 4}" y="${TOP}" width="${GAP_W - 8}" height="${y - TOP}" fill="url(#hatch)"/><text x="${gapX + GAP_W / 2}" y="${y + 30}" text-anchor="middle" class="caption">${formatDuration((next.fromMs - s.toMs) / 1000)} idle</text></g>`);
    }
  });
  const height = y + 44;
  return html`<section><h2>Round trip timeline</h2><svg class="timeline" viewBox="0 0 ${LABEL_W + CHART_W + 20} ${height}" role="img" aria-labelledby="rt-title">
<title id="rt-title">The round trip's runs, tiers, failover RTO, failback downtime and name changes on one time axis; idle time between runs shortened</title>
<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#d0d7de" stroke-width="2"/></pattern></defs>
${joinHtml(axis, "\n")}
<line x1="${LABEL_W}" x2="${LABEL_W + CHART_W}" y1="${y}" y2="${y}" class="axis"/>
${joinHtml(rows, "\n")}
</svg><p class="caption">Time of day (UTC) at the start and end of each stretch; hatched breaks shorten the idle time between runs. Diamonds: a DNS record or route moved to Azure; circles: set back.</p></section>`;
}

function figure(title: string, value: string, colour: string, sub: string | Html = ""): Html {
  return html`<div class="fig"><div class="label">${title}</div><div class="value" style="color:${colour}">${value}</div>${sub !== "" && html`<div class="sub">${sub}</div>`}</div>`;
}

function keyFigures(r: RoundTripReport): Html {
  const f = r.failover;
  const rto = f ? figure("Failover RTO from detection", `${formatDuration(f.rtoFromDetectionSeconds)} of ${formatDuration(f.rtoTargetSeconds)}`, f.rtoMet === null ? MUTED : f.rtoMet ? GOOD : BAD, f.rtoMet === null ? "not recovered yet" : f.rtoMet ? "within target" : "not met") : "";
  const loss = f ? figure("Failover data-loss window", f.dataLossWindowSeconds === null ? "not measured" : `${formatDuration(f.dataLossWindowSeconds)} of ${formatDuration(f.rpoTargetSeconds)}`, f.dataLossWindowSeconds === null ? MUTED : f.dataLossWindowSeconds <= f.rpoTargetSeconds ? GOOD : BAD) : "";
  const back = r.replicationBack;
  const down = r.failback;
  return html`<section class="figures">
${rto}${loss}
${figure("Replication back to vSphere", back?.seconds == null ? "not healthy yet" : formatDuration(back.seconds), back?.seconds == null ? MUTED : "inherit", "from failback preparation until the failback saw every VM healthy")}
${figure("Failback downtime", down?.downtimeSeconds == null ? "—" : formatDuration(down.downtimeSeconds), down?.downtimeSeconds == null ? MUTED : "inherit", down?.approvedBy ? `approved by ${down.approvedBy}` : "first planned failover back until the last tier was ready")}
${figure("Round trip", formatDuration(r.durationSeconds), "inherit", `${formatHuman(r.startedAt)} → ${r.finishedAt === null ? "not finished" : formatHuman(r.finishedAt)}`)}
</section>`;
}

function phasesTable(r: RoundTripReport, runPage: (runId: string) => string): Html {
  const rows = r.phases.map(
    (p) => html`<tr data-run-id="${p.runId}"><td>${PHASE_LABEL[p.phase]}</td><td><a href="${runPage(p.runId)}"><code>${p.runId}</code></a></td><td>${badge(p.outcome, OUTCOME_COLOUR[p.outcome])}</td>
<td>${formatHuman(p.startedAt)}</td><td>T+${formatDuration(p.startOffsetSeconds)}</td><td>${formatDuration(p.durationSeconds)}</td><td>${p.stepsSucceeded}/${p.steps}</td><td>${p.approvedBy ?? "—"}</td><td>${p.failureReason ?? ""}</td></tr>`,
  );
  const head = ["Phase", "Run", "Outcome", "Started", "From trip start", "Duration", "Steps succeeded", "Approved by", "Failure"].map((h) => html`<th scope="col">${h}</th>`);
  return html`<section><h2>Runs</h2><div class="scroll" role="region" aria-label="Runs" tabindex="0"><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

function restoreCell(status: RestoreStatus, at: string | null, detail: string | null): Html {
  const colour = status === "restored" || status === "removed" ? GOOD : status === "notRestored" ? BAD : MUTED;
  return html`${badge(RESTORE_LABEL[status], colour)}${at !== null && html` <small>${formatHuman(at)}</small>`}${status === "notRestored" && detail !== null && html`<div class="detail">${detail}</div>`}`;
}

function namesTables(r: RoundTripReport): Html {
  const list = (values: readonly string[]): string => (values.length > 0 ? values.join(", ") : "—");
  const dns =
    r.dnsChanges.length === 0
      ? html`<p>The failover moved no DNS record.</p>`
      : html`<table><thead><tr><th scope="col">Record</th><th scope="col">Zone</th><th scope="col">On-premises</th><th scope="col">In Azure</th><th scope="col">Failback</th></tr></thead><tbody>${r.dnsChanges.map(
          (c) => html`<tr><td>${c.record}</td><td>${c.zoneType}</td><td>${list(c.onPremises)}</td><td>${list(c.recovery)}</td><td>${restoreCell(c.restore, c.restoredAt, c.detail)}</td></tr>`,
        )}</tbody></table>`;
  const routes =
    r.routeChanges.length === 0
      ? html`<p>The failover moved no route.</p>`
      : html`<table><thead><tr><th scope="col">Route</th><th scope="col">Route table</th><th scope="col">On-premises next hop</th><th scope="col">In Azure</th><th scope="col">Failback</th></tr></thead><tbody>${r.routeChanges.map(
          (c) => html`<tr><td>${c.route}</td><td>${c.routeTable}</td><td>${c.onPremises ?? "not recorded"}</td><td>${c.recovery}</td><td>${restoreCell(c.restore, c.restoredAt, c.detail)}</td></tr>`,
        )}</tbody></table>`;
  return html`<section><h2>DNS changes there and back</h2>${dns}</section><section><h2>Route changes there and back</h2>${routes}</section>`;
}

function vmsTable(r: RoundTripReport): Html {
  const cell = (iso: string | null): Html | string => (iso === null ? "—" : html`<time datetime="${iso}" title="${iso}">${formatHuman(iso).slice(0, 16)}</time>`);
  const rows = r.vms.map(
    (v) => html`<tr><td>${v.vm}</td><td>${v.tier}</td><td>${cell(v.failedOverAt)}</td><td>${cell(v.committedAt)}</td><td>${cell(v.reprotectedToOnPremisesAt)}</td><td>${cell(v.replicationBackHealthyAt)}</td><td>${cell(v.failedBackAt)}</td><td>${cell(v.failbackCommittedAt)}</td><td>${cell(v.reprotectedToAzureAt)}</td></tr>`,
  );
  const head = ["VM", "Tier", "Failed over", "Committed", "Reprotected to vSphere", "Replication back healthy", "Failed back", "Committed back", "Protected to Azure"].map((h) => html`<th scope="col">${h}</th>`);
  return html`<section><h2>Each VM's way there and back</h2><div class="scroll" role="region" aria-label="VMs" tabindex="0"><table class="vms"><thead><tr>${head}</tr></thead><tbody>${joinHtml(rows, "\n")}</tbody></table></div></section>`;
}

function downtimeTable(r: RoundTripReport): Html | null {
  if (!r.failback || r.failback.tiers.length === 0) return null;
  const rows = r.failback.tiers.map((t) => html`<tr><td>${t.tier}</td><td>${t.downtimeSeconds === null ? "—" : formatDuration(t.downtimeSeconds)}</td></tr>`);
  return html`<section><h2>Failback downtime per tier</h2><table class="narrow"><thead><tr><th scope="col">Tier</th><th scope="col">From its planned failover back to ready on-premises</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

const CSS = html`body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:0 auto;padding:16px 24px;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#59636e;margin:0}.badge{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600;white-space:nowrap}h1 .badge{font-size:15px;vertical-align:middle}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:10px;margin-top:16px}
.fig{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px}.label{color:#59636e;font-size:12px}.value{font-size:17px;font-weight:600}.sub{font-size:12px;color:#59636e}
svg.timeline{width:100%;height:auto;font-size:12px}svg .run{font-weight:700}svg .axis{stroke:#8c959f}svg .tick{fill:#59636e}.caption{fill:#6e7781;color:#6e7781;font-style:italic;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}th{background:#f6f8fa}
table.narrow{width:auto}.scroll{overflow-x:auto}small{color:#6e7781}.detail{font-size:12px;color:#59636e;overflow-wrap:anywhere}
.after{border:1px solid #d0d7de;border-left:6px solid #1a7f37;border-radius:6px;padding:4px 14px;margin-top:16px}.after.stopped{border-left-color:#cf222e;background:#fff8f7}.after.inProgress{border-left-color:#9a6700}
.after h2{border:0;margin-top:8px}`;

/** Where a run's own report page is: beside the round trip's file (the drill's reports/ folder) unless told otherwise. */
const reportFileBeside = (runId: string): string => `${encodeURIComponent(runId)}.html`;

/**
 * The self-contained page of a round trip: no scripts, no external resources; each run links to its
 * own report page (`runPage`: the API serves them under /api/runs/{runId}/report).
 */
export function renderRoundTripReportHtml(
  report: RoundTripReport,
  now: Date = new Date(report.finishedAt ?? report.startedAt),
  runPage: (runId: string) => string = reportFileBeside,
): string {
  const statusText = report.status === "inProgress" ? "in progress" : report.status;
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${`${report.estate} round trip ${report.roundTripId}: ${statusText}`}</title>
<style>${CSS}</style></head>
<body>
<header><h1>${report.estate} — Round trip to Azure and back ${badge(statusText, STATUS_COLOUR[report.status])}</h1>
<p class="meta">Failover run <code>${report.roundTripId}</code> · ${report.phases.length} run(s)</p></header>
<section class="after ${report.status}" aria-labelledby="after-title"><h2 id="after-title">Where the round trip is</h2><p>${report.summary}</p>
<h3>What to do next</h3><ol>${report.nextSteps.map((n) => html`<li>${n}</li>`)}</ol></section>
${keyFigures(report)}
${timeline(report, now.getTime())}
${phasesTable(report, runPage)}
${downtimeTable(report)}
${namesTables(report)}
${vmsTable(report)}
</body></html>
`.toString();
}
