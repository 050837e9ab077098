import type { Advice, CheckStatus, HealthCheck, HealthReport, VmCheckKind } from "../domain/health/healthReport.js";
import { CHECK_STATUS_LABEL } from "./checkStatusLabel.js";
import { html, joinHtml, type Html } from "./html.js";

const COLOUR: Readonly<Record<CheckStatus, string>> = { green: "#1a7f37", amber: "#bf8700", red: "#cf222e", unknown: "#6e7781" };
const LABEL = CHECK_STATUS_LABEL;
const VM_COLUMNS: readonly { kind: VmCheckKind; short: string }[] = [
  { kind: "inventory", short: "Vault" },
  { kind: "replication", short: "Replication" },
  { kind: "rpo", short: "RPO" },
  { kind: "appConsistency", short: "App-consistent" },
  { kind: "retention", short: "Retention" },
  { kind: "mobilityAgent", short: "Agent" },
  { kind: "testFailover", short: "Test failover" },
  { kind: "targetSettings", short: "Target" },
  { kind: "guestAgent", short: "VM agent" },
];
const RANK: Readonly<Record<CheckStatus, number>> = { red: 0, amber: 1, unknown: 2, green: 3 };

/** Only http(s) links become anchors; anything else is shown as text. */
function link(url: string, text: string): Html | string {
  return /^https?:\/\//i.test(url) ? html`<a href="${url}" rel="noreferrer">${text}</a>` : text;
}

function badge(status: CheckStatus, text = LABEL[status]): Html {
  return html`<span class="badge" style="background:${COLOUR[status]}">${text}</span>`;
}

function dot(check: HealthCheck | undefined, anchor: string): Html {
  if (!check) return html`<td class="cell">—</td>`;
  return html`<td class="cell"><a href="#${anchor}" class="dot" style="background:${COLOUR[check.status]}" title="${`${LABEL[check.status]}: ${check.reason}`}" aria-label="${`${check.title}: ${LABEL[check.status]}`}"></a></td>`;
}

function anchorOf(check: HealthCheck): string {
  return `c-${check.id.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

function adviceHtml(advice: readonly Advice[]): Html {
  return joinHtml(
    advice.map(
      (a) => html`<div class="advice">
  <div class="advice-title">${a.title}${a.errorCode && html` <small>(ASR error ${a.errorCode})</small>`}</div>
  ${a.verbatim && html`<pre class="verbatim">${a.verbatim}</pre>`}
  <ol>${a.steps.map((s) => html`<li>${s}</li>`)}</ol>
  <div class="ref">Reference: ${link(a.reference, a.reference)}</div>
</div>`,
    ),
    "\n",
  );
}

function findingHtml(subject: string, check: HealthCheck): Html {
  return html`<section class="finding" id="${anchorOf(check)}" style="border-left-color:${COLOUR[check.status]}">
  <h3>${badge(check.status)} ${subject === "" ? check.title : `${subject}: ${check.title}`}</h3>
  <p>${check.reason}</p>
  ${adviceHtml(check.advice)}
</section>`;
}

function countsLine(r: HealthReport): Html {
  return joinHtml(
    (["red", "amber", "unknown", "green"] as const).map((s) => badge(s, `${r.counts[s]} ${LABEL[s].toLowerCase()}`)),
    " ",
  );
}

/** A self-contained page (no scripts, no external assets): one row per VM, one per estate check, then what to fix and how. */
export function renderHealthReportHtml(report: HealthReport): string {
  const vmRows = report.vms.map((v) => {
    const byKind = new Map(v.checks.map((c) => [c.kind, c]));
    return html`<tr><th scope="row">${v.vm}</th><td>${v.tier}</td><td>${v.vault}</td><td class="cell">${badge(v.status)}</td>${VM_COLUMNS.map((col) => {
      const c = byKind.get(col.kind);
      return dot(c, c ? anchorOf(c) : "");
    })}</tr>`;
  });
  const estateRows = report.estateChecks.map(
    (c) => html`<tr><td class="cell">${badge(c.status)}</td><th scope="row"><a href="#${anchorOf(c)}">${c.title}</a></th><td>${c.reason}</td></tr>`,
  );
  const findings = [
    ...report.estateChecks.map((c) => ({ subject: "", check: c })),
    ...report.vms.flatMap((v) => v.checks.map((c) => ({ subject: v.vm, check: c }))),
  ]
    .filter((f) => f.check.status !== "green")
    .sort((a, b) => RANK[a.check.status] - RANK[b.check.status]);
  const greens = [...report.estateChecks.map((c) => ({ subject: "", check: c })), ...report.vms.flatMap((v) => v.checks.map((c) => ({ subject: v.vm, check: c })))].filter(
    (f) => f.check.status === "green",
  );
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Health check ${report.estate}: ${LABEL[report.overall]}</title>
<style>
  body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; margin: 24px auto; max-width: 1200px; padding: 0 16px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; } h3 { font-size: 14px; margin: 0 0 6px; }
  .badge { display: inline-block; color: #fff; border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600; white-space: nowrap; }
  .overall { font-size: 15px; padding: 3px 12px; }
  .meta { color: #59636e; margin: 6px 0 10px; }
  .summary { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
  thead th { font-size: 12px; color: #59636e; font-weight: 600; } .cell { text-align: center; }
  .dot { display: inline-block; width: 14px; height: 14px; border-radius: 50%; }
  .finding { border-left: 4px solid; padding: 6px 12px; margin: 12px 0; background: #fbfbfc; }
  .advice { margin: 8px 0 4px; } .advice-title { font-weight: 600; } .advice ol { margin: 4px 0; padding-left: 22px; } .ref { font-size: 12px; color: #59636e; }
  .verbatim { background: #fff8c5; border: 1px solid #d4a72c; padding: 6px 8px; white-space: pre-wrap; font-size: 12px; }
  details { margin-top: 12px; } .legend span { margin-right: 10px; }
</style>
</head>
<body>
<h1>Health check: ${report.estate} ${badge(report.overall, LABEL[report.overall])}</h1>
<div class="meta">Report ${report.reportId} · started ${report.startedAt} · finished ${report.finishedAt} · trigger ${report.trigger}${report.isPastDue && html` · <strong>ran late: the timer fired for a missed schedule</strong>`}</div>
<p class="summary">${report.summary}</p>
<p>${countsLine(report)}</p>
<p class="legend">${(["green", "amber", "red", "unknown"] as const).map((s) => html`<span><span class="dot" style="background:${COLOUR[s]}"></span> ${LABEL[s]}</span>`)}</p>

<h2>Protected VMs</h2>
<table>
<thead><tr><th>VM</th><th>Tier</th><th>Vault</th><th class="cell">Overall</th>${VM_COLUMNS.map((c) => html`<th class="cell">${c.short}</th>`)}</tr></thead>
<tbody>
${joinHtml(vmRows, "\n")}
</tbody>
</table>

<h2>Estate</h2>
<table>
<thead><tr><th class="cell">Status</th><th>Check</th><th>Reason</th></tr></thead>
<tbody>
${joinHtml(estateRows, "\n")}
</tbody>
</table>

<h2>What to fix (${findings.length})</h2>
${findings.length === 0 ? html`<p>Nothing: a failover would work today.</p>` : joinHtml(findings.map((f) => findingHtml(f.subject, f.check)), "\n")}

<details>
<summary>Green checks (${greens.length})</summary>
${joinHtml(greens.map((f) => findingHtml(f.subject, f.check)), "\n")}
</details>

<h2>Thresholds applied</h2>
<p class="meta">${joinHtml(
    Object.entries(report.thresholds).map(([k, v]) => `${k} ${v}`),
    " · ",
  )}</p>
</body>
</html>
`.toString();
}
