import type { Advice, CheckStatus, HealthCheck, HealthReport, VmCheckKind } from "../domain/health/healthReport.js";

const COLOUR: Readonly<Record<CheckStatus, string>> = { green: "#1a7f37", amber: "#bf8700", red: "#cf222e", unknown: "#6e7781" };
const LABEL: Readonly<Record<CheckStatus, string>> = { green: "Green", amber: "Amber", red: "Red", unknown: "Could not check" };
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

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Everything from the report goes through here: reasons and ASR messages are free text. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Only http(s) links become anchors; anything else is shown as text. */
function link(url: string, text: string): string {
  return /^https?:\/\//i.test(url) ? `<a href="${esc(url)}" rel="noreferrer">${esc(text)}</a>` : esc(text);
}

function badge(status: CheckStatus, text = LABEL[status]): string {
  return `<span class="badge" style="background:${COLOUR[status]}">${esc(text)}</span>`;
}

function dot(check: HealthCheck | undefined, anchor: string): string {
  if (!check) return `<td class="cell">—</td>`;
  return `<td class="cell"><a href="#${anchor}" class="dot" style="background:${COLOUR[check.status]}" title="${esc(`${LABEL[check.status]}: ${check.reason}`)}" aria-label="${esc(`${check.title}: ${LABEL[check.status]}`)}"></a></td>`;
}

function anchorOf(check: HealthCheck): string {
  return `c-${check.id.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

function adviceHtml(advice: readonly Advice[]): string {
  if (advice.length === 0) return "";
  return advice
    .map(
      (a) => `<div class="advice">
  <div class="advice-title">${esc(a.title)}${a.errorCode ? ` <small>(ASR error ${esc(a.errorCode)})</small>` : ""}</div>
  ${a.verbatim ? `<pre class="verbatim">${esc(a.verbatim)}</pre>` : ""}
  <ol>${a.steps.map((s) => `<li>${esc(s)}</li>`).join("")}</ol>
  <div class="ref">Reference: ${link(a.reference, a.reference)}</div>
</div>`,
    )
    .join("\n");
}

function findingHtml(subject: string, check: HealthCheck): string {
  return `<section class="finding" id="${anchorOf(check)}" style="border-left-color:${COLOUR[check.status]}">
  <h3>${badge(check.status)} ${esc(subject === "" ? check.title : `${subject}: ${check.title}`)}</h3>
  <p>${esc(check.reason)}</p>
  ${adviceHtml(check.advice)}
</section>`;
}

function countsLine(r: HealthReport): string {
  return (["red", "amber", "unknown", "green"] as const).map((s) => `${badge(s, `${r.counts[s]} ${LABEL[s].toLowerCase()}`)}`).join(" ");
}

/** A self-contained page (no scripts, no external assets): one row per VM, one per estate check, then what to fix and how. */
export function renderHealthReportHtml(report: HealthReport): string {
  const vmRows = report.vms
    .map((v) => {
      const byKind = new Map(v.checks.map((c) => [c.kind, c]));
      return `<tr><th scope="row">${esc(v.vm)}</th><td>${esc(v.tier)}</td><td>${esc(v.vault)}</td><td class="cell">${badge(v.status)}</td>${VM_COLUMNS.map((col) => {
        const c = byKind.get(col.kind);
        return dot(c, c ? anchorOf(c) : "");
      }).join("")}</tr>`;
    })
    .join("\n");
  const estateRows = report.estateChecks
    .map((c) => `<tr><td class="cell">${badge(c.status)}</td><th scope="row"><a href="#${anchorOf(c)}">${esc(c.title)}</a></th><td>${esc(c.reason)}</td></tr>`)
    .join("\n");
  const findings = [
    ...report.estateChecks.map((c) => ({ subject: "", check: c })),
    ...report.vms.flatMap((v) => v.checks.map((c) => ({ subject: v.vm, check: c }))),
  ]
    .filter((f) => f.check.status !== "green")
    .sort((a, b) => RANK[a.check.status] - RANK[b.check.status]);
  const greens = [...report.estateChecks.map((c) => ({ subject: "", check: c })), ...report.vms.flatMap((v) => v.checks.map((c) => ({ subject: v.vm, check: c })))].filter(
    (f) => f.check.status === "green",
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Health check ${esc(report.estate)}: ${esc(LABEL[report.overall])}</title>
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
<h1>Health check: ${esc(report.estate)} ${badge(report.overall, LABEL[report.overall])}</h1>
<div class="meta">Report ${esc(report.reportId)} · started ${esc(report.startedAt)} · finished ${esc(report.finishedAt)} · trigger ${esc(report.trigger)}${report.isPastDue ? ` · <strong>ran late: the timer fired for a missed schedule</strong>` : ""}</div>
<p class="summary">${esc(report.summary)}</p>
<p>${countsLine(report)}</p>
<p class="legend">${(["green", "amber", "red", "unknown"] as const).map((s) => `<span><span class="dot" style="background:${COLOUR[s]}"></span> ${LABEL[s]}</span>`).join("")}</p>

<h2>Protected VMs</h2>
<table>
<thead><tr><th>VM</th><th>Tier</th><th>Vault</th><th class="cell">Overall</th>${VM_COLUMNS.map((c) => `<th class="cell">${esc(c.short)}</th>`).join("")}</tr></thead>
<tbody>
${vmRows}
</tbody>
</table>

<h2>Estate</h2>
<table>
<thead><tr><th class="cell">Status</th><th>Check</th><th>Reason</th></tr></thead>
<tbody>
${estateRows}
</tbody>
</table>

<h2>What to fix (${findings.length})</h2>
${findings.length === 0 ? "<p>Nothing: a failover would work today.</p>" : findings.map((f) => findingHtml(f.subject, f.check)).join("\n")}

<details>
<summary>Green checks (${greens.length})</summary>
${greens.map((f) => findingHtml(f.subject, f.check)).join("\n")}
</details>

<h2>Thresholds applied</h2>
<p class="meta">${Object.entries(report.thresholds)
    .map(([k, v]) => `${esc(k)} ${esc(String(v))}`)
    .join(" · ")}</p>
</body>
</html>
`;
}
