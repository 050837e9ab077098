import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awaiting, finished, startTestApi, type TestApi } from "../host/http/httpHelpers.js";
import { formatDuration } from "../../shared/reports/formatDuration.js";
import { axeViolations, launchChromium } from "../browser.js";
import { freshAlertJson } from "../incidents/freshAlert.js";

// The console as people use it: each role signed in through the sandbox's stand-in for App Service
// authentication, in headless Chromium, against the sandbox (real handlers, simulated Azure).
let api: TestApi;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  // The DCs lack the conditional forwarder to the Private DNS zone: the nightly check says so, and the preview repeats it.
  const faults = { unhealthyApp: ["WEB01"], windowsDns: { missingForwarders: ["corp.contoso.internal"] } };
  [api, browser] = await Promise.all([startTestApi({ browserSignIn: true, faults }), launchChromium()]);
  // A health check, so the estate view has readiness to show.
  const fired = await fetch(`${api.sandbox.url}/admin/functions/healthCheck`, {
    method: "POST",
    headers: { "x-functions-key": api.sandbox.masterKey, "content-type": "application/json" },
    body: "{}",
  });
  expect(fired.status).toBeLessThan(300);
}, 90_000);
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await browser?.close();
  await api?.stop();
});

/** A browser signed in with these roles (the URL the sandbox prints), opened on a console page. */
async function signIn(roles: readonly string[], hash = "#/estate"): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  (page as Page & { errors?: string[] }).errors = errors;
  await page.goto(api.sandbox.signInUrl(roles, `/api/console${hash}`));
  await page.waitForSelector("main .view");
  return page;
}

/** Until the estate's run lock is free (a cancelled run lets go once its steps in flight are done). */
async function noActiveRun(): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await api.call("GET", "/api/console/state", { as: "reader" })).json.activeRunId === null) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the estate's run lock stayed held");
}

const enabledButtons = (page: Page): Promise<string[]> =>
  page.locator("main fluent-button:not([disabled-focusable]):not([disabled])").evaluateAll((els) => els.map((e) => e.textContent?.trim() ?? ""));

describe("operator console in headless Chromium", () => {
  it("opens on the estate with the signed-in person, readiness in words, and no console for a browser without a session", async () => {
    const anonymous = await browser.newPage();
    const answer = await anonymous.goto(`${api.sandbox.url}/api/console`);
    expect(new URL(anonymous.url()).pathname).toBe("/.auth/login/aad");
    expect(answer?.status()).toBe(200);
    expect(await anonymous.locator("body").innerText()).toContain("Sandbox");
    await anonymous.close();

    const page = await signIn(["reader"]);
    expect(await page.locator("#who").innerText()).toMatch(/Signed in as sandbox-reader@sandbox\.local \(reader\)/);
    const estate = await page.locator("#view-estate").innerText();
    for (const vm of ["DC01", "NAT01", "API06", "WEB03", "REC04"]) expect(estate).toContain(vm);
    // Status is written, not only coloured: every badge carries a symbol and a word.
    const badges = await page.locator("#view-estate fluent-badge").allInnerTexts();
    expect(badges.length).toBeGreaterThan(16);
    for (const badge of badges) expect(badge).toMatch(/^[✓▲✕?▶◷○…⊘] \S/);
    expect(estate).toMatch(/Latest health check/);
  });

  it("shows a reader no enabled action, each with its reason", async () => {
    const page = await signIn(["reader"], "#/incident");
    expect(await enabledButtons(page)).toEqual([]);
    expect(await page.locator("#view-incident").innerText()).toMatch(/Not available: needs the admin role \(you have reader\)/);
    await page.evaluate(() => (window.location.hash = "#/start"));
    await page.waitForSelector("#view-start");
    expect(await enabledButtons(page)).toEqual([]);
    expect(await page.locator("#view-start").innerText()).toMatch(/Not available: needs the operator role \(you have reader\)/);
  });

  it("starts a drill from its preview and follows it live, without reloading, to its end", async () => {
    const page = await signIn(["operator"], "#/start");
    await page.locator('fluent-checkbox[data-tier="recommendation"]').click();
    await page.locator("#start-reason input").fill("quarterly drill of the recommendation tier");
    await page.locator("#preview-button").click();
    await page.waitForSelector("#preview table");
    const preview = await page.locator("#preview").innerText();
    expect(preview).toMatch(/REC01[\s\S]*REC04/);
    expect(preview).not.toMatch(/WEB01/);
    // What the drill would do, before it does it: its steps, each VM's recovery point and its age, the data-loss window, the gates.
    expect(preview).toMatch(/\d+ steps in \d+ stages/);
    expect(preview).toMatch(/REC01\s+recommendation\s+\S+ \(southeastasia\)\s+Latest: .*\s+\d+ (min|s)/);
    expect(preview).toMatch(/Data-loss window up to \d+ (min|s)/);
    expect(preview).toMatch(/cleanup by an operator: any time/);
    expect(preview).toMatch(/No DNS record changes[\s\S]*No route changes/);
    expect(preview).not.toMatch(/changes production/);
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    await page.locator("#start-button").click();
    await page.waitForSelector("#view-run");
    const runId = await page.locator("#view-run").getAttribute("data-run-id");
    expect(runId).toMatch(/^run-/);
    // Live: the timeline changes while the page stays the same document.
    const seen = new Set<string>();
    const deadline = Date.now() + 30_000;
    let cleanedUp = false;
    while (Date.now() < deadline) {
      seen.add(await page.locator(".tl-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status")).join(",")));
      // The drill waits for its cleanup: the operator gives it once the button is offered.
      if (!cleanedUp && (await page.locator("#action-cleanup:not([disabled-focusable])").count()) > 0) {
        cleanedUp = await page
          .locator("#action-cleanup")
          .click({ timeout: 2000 })
          .then(() => true)
          .catch(() => false);
      }
      if ((await page.locator("#view-run").getAttribute("data-outcome")) === "succeeded") break;
      await page.waitForTimeout(100);
    }
    expect(await page.locator("#view-run").getAttribute("data-outcome")).toBe("succeeded");
    // At least the state at the cleanup gate (the run waits there for the click) and the final one,
    // both rendered into the same document: how many states a fast run passes through in between is not fixed.
    seen.add(await page.locator(".tl-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status")).join(",")));
    expect(cleanedUp).toBe(true);
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await page.locator("#view-run").innerText()).toMatch(/RTO from detection[\s\S]*within target/);
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
  });

  it("previews a production failover of chosen VMs with its DNS changes and approvals, asks for the estate's name, and an approver cannot approve their own request", async () => {
    const both = await signIn(["operator", "approver"], "#/start");
    await both.locator("#start-mode-unplanned").click();
    await both.locator('fluent-checkbox[data-vm="REC01"]').click();
    await both.locator('fluent-checkbox[data-vm="REC02"]').click();
    await both.locator("#start-point-latestProcessed").click();
    await both.locator("#start-reason input").fill("site failover of two recommendation VMs");
    await both.locator("#preview-button").click();
    await both.waitForSelector("#confirm-name");
    const preview = await both.locator("#preview").innerText();
    expect(preview).toMatch(/REC01[\s\S]*REC02/);
    expect(preview).not.toMatch(/REC03/);
    expect(preview).toMatch(/REC01\s+recommendation\s+.*CrashConsistent: latest processed \(lowest RTO\)/);
    expect(preview).toMatch(/No DNS record changes/);
    expect(preview).toMatch(/approve by an approver \(not the requester\): before anything is changed/);
    expect(preview).toMatch(/This run changes production/);
    expect(await both.locator("#start-button").getAttribute("disabled-focusable")).not.toBeNull();
    expect(preview).toMatch(/Not available: type contoso-vsphere to confirm a run that changes production/);
    // Changing the request takes the preview away: nobody starts what they did not preview.
    await both.locator('fluent-checkbox[data-vm="REC03"]').click();
    await both.waitForSelector("text=The request changed: preview it again before starting.");
    expect(await both.locator("#start-button").count()).toBe(0);
    // The whole tier chosen VM by VM: its name moves too, old -> new.
    await both.locator('fluent-checkbox[data-vm="REC04"]').click();
    await both.locator("#preview-button").click();
    await both.waitForSelector("#confirm-name");
    expect(await both.locator("#preview").innerText()).toMatch(/rec\.corp\.contoso\.internal\s+private\s+[\d., ]+ → [\d.]+/);
    await both.locator("#confirm-name input").fill(api.sandbox.stack.estate.name);
    await both.locator("#start-button:not([disabled-focusable])").click();
    await both.waitForSelector("#view-run");
    const runId = String(await both.locator("#view-run").getAttribute("data-run-id"));
    await api.waitForRun(runId, awaiting("approve"));
    await both.waitForSelector("text=you requested this run");
    expect(await both.locator("#action-approve").getAttribute("disabled-focusable")).not.toBeNull();
    const own = await both.locator("#view-run").innerText();
    expect(own, own).toMatch(/Not available: you requested this run: another approver must approve it/);

    const approver = await signIn(["approver"], `#/runs/${runId}`);
    await approver.waitForSelector("#action-approve:not([disabled-focusable])");
    expect(await approver.locator("#view-run").innerText()).toMatch(/Cancel\s+Not available: needs the operator role/);

    // Cancelled rather than approved: nothing is failed over.
    await both.locator("#cancel-reason input").fill("rehearsal only");
    await both.locator("#action-cancel").click();
    await both.waitForSelector('#view-run[data-outcome="cancelled"]');
    await api.waitForRun(runId, finished);
  });

  it("previews a failover's AD-integrated DNS names on the DCs, old -> new, and the last nightly check's network findings with their advice", async () => {
    const page = await signIn(["operator"], "#/start");
    await page.locator("#start-mode-unplanned").click();
    await page.locator("#start-reason input").fill("site failover of the whole estate");
    await page.locator("#preview-button").click();
    await page.waitForSelector("#confirm-name");
    const preview = await page.locator("#preview").innerText();
    // Each name the failover moves in the DCs' DNS, with what it becomes and its TTL; the old value is read on the DC when the run starts.
    for (const [name, to] of [
      ["egress", "10.50.0.10"],
      ["api", "10.50.2.10, 10.50.2.11"],
      ["web", "10.50.3.10, 10.50.3.11, 10.50.3.12"],
    ] as const)
      expect(preview).toMatch(
        new RegExp(
          `${name}\\.corp\\.contoso\\.com\\s+corp\\.contoso\\.com\\s+— → ${to.replace(/\./g, "\\.")}.* \\(read on the target DC when the run starts; the nightly check at \\S+ found: .*\\)\\s+60\\ss`,
        ),
      );
    // The missing forwarder, in words and with a badge that is not only a colour, and the command that fixes it.
    const finding = page.locator('section [aria-label="Network findings"] tr', { hasText: "estate/dnsForwarder/corp.contoso.internal" });
    expect(await finding.innerText()).toMatch(
      /^estate\/dnsForwarder\/corp\.contoso\.internal\s+✕ \S+[\s\S]*\(checked \d+ \w+, \d\d:\d\d:\d\d UTC\)\s+[\s\S]*Add-DnsServerConditionalForwarderZone/,
    );
    const violations = await axeViolations(page);
    expect(violations, JSON.stringify(violations)).toEqual([]);
  });

  it("offers the way back: a failback takes its own recovery point and the failover it undoes, and the API's answer is shown as it is", async () => {
    const page = await signIn(["operator"], "#/start");
    expect(await page.locator("#failback-fields").isHidden()).toBe(true);
    await page.locator("#start-mode-failback").click();
    await page.waitForSelector("#failback-fields:not([hidden])");
    expect(await page.locator("#point-fields").isHidden()).toBe(true);
    expect(await page.locator("#round-trip-fields").isVisible()).toBe(true);
    await page.locator("#start-failback-point-CrashConsistent").click();
    await page.locator("#start-reason input").fill("back to vSphere after the outage");
    await page.locator("#preview-button").click();
    // Nothing was failed over on this estate yet, so there is nothing to fail back from: the API says so, naming the field.
    await page.waitForSelector("#preview fluent-message-bar");
    expect(await page.locator("#preview").innerText()).toMatch(/failoverRunId: .*no succeeded unplanned failover run to fail back from/);
  });

  it("shows a failed drill for what it is: not green, where the estate is left, and resume offered", async () => {
    await noActiveRun();
    const started = await api.call("POST", "/api/failover", {
      as: "operator",
      body: { mode: "test", scope: { tiers: ["web"] }, reason: "drill with a broken app", finish: "automatic" },
    });
    const runId = String(started.json.runId);
    await api.waitForRun(runId, finished);
    const page = await signIn(["operator"], `#/runs/${runId}`);
    await page.waitForSelector('#view-run[data-outcome="failed"]');
    const text = await page.locator("#view-run").innerText();
    expect(text).toMatch(/✕ Failed/);
    expect(text).toMatch(/not recovered: the run failed/);
    expect(text).not.toMatch(/within target/);
    expect(text).toMatch(/Where the estate is now[\s\S]*What|Fix the cause/);
    expect(await page.locator('.tl-row[data-status="failed"]').count()).toBeGreaterThan(0);
    expect(await page.locator("#action-resume:not([disabled-focusable])").count()).toBe(1);
    expect(await page.locator("#round-trip-link").count()).toBe(0); // a drill is no part of a round trip
    // RTO is measured from detection as well as from the run's start, and the page says which the target applies to.
    expect(await page.locator("#rto-detection").innerText()).toMatch(
      /^Detected \d+ \w+, \d\d:\d\d:\d\d UTC \(the request\): the RTO target counts from then\.$/,
    );
    expect(text).toMatch(/RTO from detection: [\s\S]*From run start: /);

    // Its automatic cleanup: the simulated clock reaches its due time as soon as nothing else is queued, so it has run by
    // now; the page says what it did, and neither cleaning up again nor putting it off is offered (the permissions
    // tests cover the offer before it runs).
    await api.waitForRun(runId, (r) => (r as unknown as { automaticCleanup: { done: unknown } | null }).automaticCleanup?.done != null);
    await page.waitForSelector("#cleanup-due >> text=/^Automatic cleanup ran \\d+ \\w+, \\d\\d:\\d\\d:\\d\\d UTC: started \\(run run-.*-cleanup\\)\\.$/");
    expect(await page.locator("#view-run").innerText()).toMatch(/Put the cleanup off\s+Not available: the automatic cleanup already ran \(started at /);
    const reader = await signIn(["reader"], `#/runs/${runId}`);
    expect(await reader.locator("#view-run").innerText()).toMatch(/Put the cleanup off\s+Not available: needs the operator role \(you have reader\)/);

    // The history lists the cleanup run as what it is, and charts no RTO for it: it recovered nothing.
    await reader.evaluate(() => (window.location.hash = "#/history"));
    await reader.waitForSelector("#view-history");
    const history = await api.call("GET", "/api/console/history", { as: "reader" });
    const runs = history.json.runs as { runId: string; cleanupOf: string | null }[];
    expect(runs.find((r) => r.runId === `${runId}-cleanup`)?.cleanupOf).toContain(runId);
    expect(await reader.locator("#view-history").innerText()).toMatch(new RegExp(`${runId}-cleanup\\s+Cleanup \\(`));
    expect(await reader.locator("#view-history svg title").count()).toBe(runs.filter((r) => r.cleanupOf === null).length);
  });

  it("lets an admin turn the kill switch on and off, with a reason", async () => {
    const page = await signIn(["admin"], "#/incident");
    await page.locator("#kill-reason input").fill("maintenance on the circuits");
    await page.locator("#kill-switch").click();
    await page.waitForSelector("header >> text=Kill switch ON");
    expect((await api.call("GET", "/api/console/state", { as: "reader" })).json.killSwitch).toMatchObject({ on: true, reason: "maintenance on the circuits" });
    await page.locator("#kill-reason input").fill("maintenance over");
    await page.locator("#kill-switch").click();
    await page.waitForSelector("header >> text=Automatic failover armed");
  });

  it("is usable from the keyboard and passes axe-core's WCAG A/AA rules on each page", async () => {
    const page = await signIn(["operator"], "#/estate");
    await page.locator("#tab-estate").focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#view-incident");
    expect(await page.evaluate(() => window.location.hash)).toBe("#/incident");
    // The pages with the most kinds of content: tables and badges, forms, actions with reasons, the chart.
    for (const hash of ["#/estate", "#/incident", "#/start", "#/history"]) {
      await page.evaluate((h) => (window.location.hash = h), hash);
      await page.waitForSelector(`#view-${hash.slice(2)}`);
      const violations = await axeViolations(page);
      expect(violations, `${hash}: ${JSON.stringify(violations)}`).toEqual([]);
    }
  });

  it("measures a run an alert started from detection, the alert's fired time, not from the run's start", async () => {
    await noActiveRun();
    // The NAT/firewall lost: the policy debounces the signal (simulated minutes), reads the Heartbeat, then fails the edge tier over.
    const alert = freshAlertJson("nat-unavailable-resourcehealth.json", api.sandbox.stack.clock.now());
    const posted = await api.call("POST", "/api/alerts", { body: alert, headers: { "x-functions-key": api.sandbox.identity.alertKey } });
    expect(posted.status).toBeLessThan(300);
    let runId: string | undefined;
    for (let i = 0; i < 600 && runId === undefined; i++) {
      const { runs } = (await api.call("GET", "/api/runs", { as: "reader" })).json as { runs: { runId: string; trigger: string }[] };
      runId = runs.find((r) => r.trigger.startsWith("incident"))?.runId;
      if (runId === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(runId).toBeDefined();
    const run = await api.waitForRun(String(runId), finished, 60_000);
    expect(Date.parse(run.detectedAt)).toBeLessThan(Date.parse(run.startedAt));
    const page = await signIn(["reader"], `#/runs/${runId}`);
    await page.waitForSelector(`#view-run[data-run-id="${runId}"]`);
    const detection = await page.locator("#rto-detection").innerText();
    expect(detection).toMatch(/^Detected \d+ \w+, \d\d:\d\d:\d\d UTC \(the first alert fired\): the RTO target counts from then\.$/);
    expect(detection).toContain(new Date(run.detectedAt).toISOString().slice(11, 19));
    const figures = await page.locator("#view-run .figures").innerText();
    expect(figures).toContain(`RTO from detection: ${formatDuration(run.rtoFromDetectionSeconds)} of 60 min`);
    expect(figures).toContain(`From run start: ${formatDuration(run.rtoSeconds)}`);
    expect(run.rtoFromDetectionSeconds).toBeGreaterThan(run.rtoSeconds);
    // A failover is the first run of a round trip: its page links the round trip's report, which the API serves.
    const roundTrip = String(await page.locator("#round-trip-link").getAttribute("href"));
    expect(roundTrip).toBe(`/api/runs/${runId}/round-trip/report`);
    expect((await api.call("GET", roundTrip, { as: "reader" })).status).toBe(200);
  });
});
