import { describe, expect, it } from "vitest";
import { renderHealthReportHtml } from "../../shared/reports/renderHealthReportHtml.js";
import { renderRoundTripReportHtml } from "../../shared/reports/renderRoundTripReportHtml.js";
import { renderRunReportHtml } from "../../shared/reports/renderRunReportHtml.js";
import {
  escaped,
  HEALTH_FIELDS,
  hostile,
  hostileHealthReport,
  hostileRoundTripReport,
  hostileRunReport,
  HOSTILE_HTTPS_LINK,
  ROUND_TRIP_FIELDS,
  RUN_FIELDS,
  SCRIPT_LINK,
} from "./hostileReports.js";

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** Nothing from a report became markup: no element, no handler, no link other than the page's own kinds. */
function expectNoInjectedMarkup(page: string): void {
  expect(page).not.toMatch(/<script|<img/i);
  expect(page).not.toMatch(/href="javascript:/i);
  // The round-trip page links each run's page beside it by its (URI-encoded) run id: no scheme, no path.
  for (const [, href] of page.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^(https?:\/\/|#|\/api\/runs\/|[^:/]+\.html$)/);
}

describe("hostile text in the report pages", () => {
  it("run report: every free-text field is escaped wherever it appears, in text and in attributes", () => {
    const page = renderRunReportHtml(hostileRunReport());
    expectNoInjectedMarkup(page);
    for (const field of RUN_FIELDS) {
      expect(page, field).toContain(escaped(hostile(field)));
      expect(page, field).not.toContain(hostile(field));
    }
    // The step's detail (a guest's Run Command output) sits in the steps table; its target in the table and the timeline.
    expect(count(page, escaped(hostile("step.detail")))).toBe(1);
    expect(count(page, `<td class="detail">${escaped(hostile("step.detail"))}</td>`)).toBe(1);
    expect(count(page, `<title>failover · ${escaped(hostile("step.target"))}</title>`)).toBe(1);
    expect(count(page, `<td>${escaped(hostile("step.target"))}</td>`)).toBe(1);
    // Attribute values: the step id in the timeline row, the earlier run in its row and its link (a path, encoded).
    expect(page).toContain(`data-step-id="${escaped(hostile("step.id"))}"`);
    expect(page).toContain(`data-run-id="${escaped(hostile("history.runId"))}"`);
    expect(page).toContain(`href="/api/runs/${escaped(encodeURIComponent(hostile("history.runId")))}/report"`);
    // The estate and run id in the page title and the heading.
    expect(page).toContain(`<title>${escaped(`${hostile("estate")} test failover ${hostile("runId")}: failed`)}</title>`);
    expect(page).toContain(`<h1>${escaped(hostile("estate"))} — Test failover`);
  });

  it("health report: every free-text field is escaped wherever it appears, and only http(s) links become anchors", () => {
    const page = renderHealthReportHtml(hostileHealthReport());
    expectNoInjectedMarkup(page);
    for (const field of HEALTH_FIELDS) {
      expect(page, field).toContain(escaped(hostile(field)));
      expect(page, field).not.toContain(hostile(field));
    }
    const vm = escaped(hostile("vm")), reason = escaped(hostile("check.reason")), title = escaped(hostile("check.title"));
    // The VM name: its row header and the finding's heading.
    expect(page).toContain(`<th scope="row">${vm}</th>`);
    expect(page).toContain(`${vm}: ${title}</h3>`);
    // The check's reason: the dot's tooltip (an attribute) and the finding's paragraph.
    expect(page).toContain(`title="Red: ${reason}"`);
    expect(page).toContain(`aria-label="${title}: Red"`);
    expect(page).toContain(`<p>${reason}</p>`);
    // The estate check's reason: its row and its (green) finding.
    expect(count(page, escaped(hostile("estateCheck.reason")))).toBe(2);
    // The check id only ever reaches the page as an anchor of safe characters.
    for (const [, id] of page.matchAll(/id="([^"]*)"/g)) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    // A javascript: reference is text; an https one is a link whose query cannot leave the attribute.
    expect(page).toContain(`Reference: ${escaped(SCRIPT_LINK)}</div>`);
    expect(page).toContain(`<a href="${escaped(HOSTILE_HTTPS_LINK)}" rel="noreferrer">${escaped(HOSTILE_HTTPS_LINK)}</a>`);
  });

  it("round-trip report: every free-text field is escaped wherever it appears; a run's link is its encoded id", () => {
    const page = renderRoundTripReportHtml(hostileRoundTripReport());
    expectNoInjectedMarkup(page);
    for (const field of ROUND_TRIP_FIELDS) {
      expect(page, field).toContain(escaped(hostile(field)));
      expect(page, field).not.toContain(hostile(field));
    }
    expect(page).toContain(`href="${escaped(encodeURIComponent(hostile("phase.runId")))}.html"`);
    expect(page).toContain(`<title>${escaped(`${hostile("estate")} round trip ${hostile("roundTripId")}: stopped`)}</title>`);
  });
});
