import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHealthReportHtml } from "../../shared/reports/renderHealthReportHtml.js";
import { renderRunReportHtml } from "../../shared/reports/renderRunReportHtml.js";
import { launchChromium } from "../browser.js";
import { HEALTH_FIELDS, hostile, hostileHealthReport, hostileRunReport, RUN_FIELDS, SCRIPT_LINK } from "./hostileReports.js";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

interface Parsed {
  readonly injected: number;
  readonly handlers: readonly string[];
  readonly hrefs: readonly string[];
  readonly text: string;
  readonly dialogs: readonly string[];
}

/** The page as Chromium parses it, scripts enabled: what became an element, a handler or a link, and the text a reader sees. */
async function parse(page: string): Promise<Parsed> {
  const tab = await browser.newPage();
  const dialogs: string[] = [];
  tab.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await tab.setContent(page, { waitUntil: "load" });
  const parsed = await tab.evaluate(() => ({
    injected: document.querySelectorAll("script, img, iframe, object, embed").length,
    handlers: [...document.querySelectorAll("*")].flatMap((e) => e.getAttributeNames().filter((n) => n.startsWith("on"))),
    hrefs: [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href") ?? ""),
    text: document.documentElement.textContent ?? "",
  }));
  await tab.close();
  return { ...parsed, dialogs };
}

function expectInert(parsed: Parsed): void {
  expect(parsed.injected).toBe(0);
  expect(parsed.handlers).toEqual([]);
  expect(parsed.dialogs).toEqual([]);
  for (const href of parsed.hrefs) expect(href).toMatch(/^(https?:\/\/|#|\/api\/runs\/)/);
}

describe("hostile text in the report pages, as Chromium parses them", () => {
  it("run report: no element, handler or link comes from the report, and each field reads as the text it was", async () => {
    const parsed = await parse(renderRunReportHtml(hostileRunReport()));
    expectInert(parsed);
    for (const field of RUN_FIELDS) expect(parsed.text, field).toContain(hostile(field));
  });

  it("health report: the same, and a javascript: reference is shown, not linked", async () => {
    const parsed = await parse(renderHealthReportHtml(hostileHealthReport()));
    expectInert(parsed);
    for (const field of HEALTH_FIELDS) expect(parsed.text, field).toContain(hostile(field));
    expect(parsed.text).toContain(SCRIPT_LINK);
    expect(parsed.hrefs).not.toContain(SCRIPT_LINK);
  });
});
