import { describe, expect, it } from "vitest";
import { buildEmailMessage } from "../../shared/notifications/emailMessage.js";
import { buildNotificationContent } from "../../shared/notifications/notificationContent.js";
import { toNotificationEvent } from "../../shared/notifications/notificationMessage.js";
import { ADAPTIVE_CARD_CONTENT_TYPE, buildTeamsMessage, escapeCardText } from "../../shared/notifications/teamsCard.js";
import { buildWebhookPayload } from "../../shared/notifications/webhookPayload.js";
import { RUN_EVENT_KINDS } from "../../shared/ports/notifier.js";
import { notificationEvent, runEvent } from "./fixtures.js";

type Element = Record<string, unknown> & { type: string };

/** Every element of a card body, containers flattened. */
function elements(body: readonly Record<string, unknown>[]): Element[] {
  return body.flatMap((e) => [e as Element, ...(Array.isArray(e["items"]) ? elements(e["items"] as Record<string, unknown>[]) : [])]);
}
const texts = (body: readonly Record<string, unknown>[]): string[] =>
  elements(body)
    .filter((e) => e.type === "TextBlock")
    .map((e) => String(e["text"]));
const facts = (body: readonly Record<string, unknown>[]): Record<string, string> =>
  Object.fromEntries(
    elements(body)
      .filter((e) => e.type === "FactSet")
      .flatMap((e) => (e["facts"] as { title: string; value: string }[]).map((f) => [f.title, f.value])),
  );

describe("run events on the queue", () => {
  it("get a stable dedupe id, an ISO time and the run page link", () => {
    expect(toNotificationEvent(runEvent(), "https://func-dr.azurewebsites.net/api/runs/")).toMatchObject({
      id: "run-20261125T020000Z-abc123:runStarted",
      at: "2026-11-25T02:00:00.000Z",
      link: "https://func-dr.azurewebsites.net/api/runs/run-20261125T020000Z-abc123",
    });
    expect(toNotificationEvent(runEvent({ kind: "tierCompleted", tier: "api" }), undefined)).not.toHaveProperty("link");
    expect(toNotificationEvent(runEvent({ kind: "tierCompleted", tier: "api" }), undefined).id).toBe("run-20261125T020000Z-abc123:tierCompleted:api");
    expect(toNotificationEvent(runEvent({ id: "own-id", link: "https://x.test/report" }), "https://ignored.test").link).toBe("https://x.test/report");
    expect(JSON.parse(JSON.stringify(toNotificationEvent(runEvent(), undefined)))).toEqual(toNotificationEvent(runEvent(), undefined));
  });
});

describe("Teams Adaptive Card", () => {
  it("is a message envelope with one Adaptive Card 1.4 attachment", () => {
    const message = buildTeamsMessage(notificationEvent());
    expect(message.type).toBe("message");
    expect(message.attachments).toHaveLength(1);
    const attachment = message.attachments[0];
    expect(attachment.contentType).toBe(ADAPTIVE_CARD_CONTENT_TYPE);
    expect(attachment.contentUrl).toBeNull();
    const card = attachment.content;
    expect(card).toMatchObject({
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
      type: "AdaptiveCard",
      version: "1.4",
      msteams: { width: "Full" },
    });
    expect(Number(card.version)).toBeGreaterThanOrEqual(1.4);
    for (const element of elements(card.body)) expect(["Container", "TextBlock", "FactSet"]).toContain(element.type);
    for (const block of elements(card.body).filter((e) => e.type === "TextBlock")) expect(block["wrap"]).toBe(true);
  });

  it("says what happened, why, which VMs, what the product does, what to do, and links the run", () => {
    const card = buildTeamsMessage(notificationEvent()).attachments[0].content;
    expect(texts(card.body)[0]).toBe("Failover started: contoso");
    expect(facts(card.body)).toMatchObject({ Estate: "contoso", Why: "alert er-down-1", "VMs (3)": "DC01, DC02, NAT01", When: "2026-11-25 02:00:00 UTC" });
    expect(texts(card.body).some((t) => t.startsWith("**What the product does:**"))).toBe(true);
    expect(texts(card.body).some((t) => t.startsWith("**What you need to do:**"))).toBe(true);
    expect(card.actions).toEqual([
      { type: "Action.OpenUrl", title: "Open the run", url: "https://func-dr.azurewebsites.net/api/runs/run-20261125T020000Z-abc123" },
    ]);
  });

  it("escapes Markdown and template braces in text from Azure, and never links anything but http(s)", () => {
    const card = buildTeamsMessage(
      notificationEvent({
        kind: "runFailed",
        summary: "stopped: [click me](https://evil.test) **now** {{DATE(2026-01-01T00:00:00Z)}}",
        failedStep: { id: "failover:WEB_01", kind: "failover", target: "WEB_01", reason: "`rm -rf` ~oops~" },
        link: "javascript:alert(1)",
      }),
    ).attachments[0].content;
    const summary = texts(card.body)[1] ?? "";
    expect(summary).toBe("stopped: \\[click me\\](https\\[:\\]//evil.test) \\*\\*now\\*\\* {\u200b{DATE(2026-01-01T00:00:00Z)}}");
    expect(facts(card.body)["Error"]).toBe("\\`rm -rf\\` \\~oops\\~");
    expect(facts(card.body)["Failed step"]).toContain("failover:WEB\\_01");
    expect(card.actions).toEqual([]);
    expect(escapeCardText("a\\b")).toBe("a\\\\b");
  });

  it("lists at most 20 VMs and counts the rest, and clips long errors", () => {
    const vms = Array.from({ length: 25 }, (_, i) => `VM${i}`);
    const card = buildTeamsMessage(
      notificationEvent({ vms, kind: "runFailed", failedStep: { id: "s", kind: "failover", target: "VM1", reason: "x".repeat(5_000) } }),
    ).attachments[0].content;
    expect(facts(card.body)["VMs (25)"]).toMatch(/VM19 and 5 more$/);
    expect((facts(card.body)["Error"] ?? "").length).toBeLessThanOrEqual(600);
    expect(JSON.stringify(card).length).toBeLessThan(28_000); // Teams webhook message limit
  });

  it("shows RTO and data-loss window against the targets on completion", () => {
    const met = buildTeamsMessage(
      notificationEvent({
        kind: "runCompleted",
        objectives: { rtoSeconds: 2_472, rtoTargetSeconds: 3_600, dataLossWindowSeconds: 600, rpoTargetSeconds: 1_800 },
      }),
    ).attachments[0].content;
    expect(facts(met.body)).toMatchObject({ RTO: "41 min 12 s (target 60 min) met", "Data-loss window": "10 min (RPO 30 min) met" });
    expect(met.body[0]).toMatchObject({ type: "Container", style: "good" });
    const missed = buildTeamsMessage(
      notificationEvent({
        kind: "runCompleted",
        objectives: { rtoSeconds: 4_000, rtoTargetSeconds: 3_600, dataLossWindowSeconds: null, rpoTargetSeconds: 1_800 },
      }),
    ).attachments[0].content;
    expect(facts(missed.body)).toMatchObject({ RTO: "66 min 40 s (target 60 min) MISSED", "Data-loss window": "not measured" });
    expect(missed.body[0]).toMatchObject({ style: "warning" });
  });

  it("asks for approval with what and how, and links the approval", () => {
    const card = buildTeamsMessage(
      notificationEvent({
        kind: "approvalNeeded",
        approval: {
          what: "Full site failover of contoso (16 VMs)",
          how: "POST /api/runs/run-1/approve with the approver role",
          approveUrl: "https://func-dr.test/api/runs/run-1",
        },
      }),
    ).attachments[0].content;
    expect(texts(card.body).join("\n")).toMatch(/Approve or reject: POST \/api\/runs\/run-1\/approve with the approver role/);
    expect(card.actions.map((a) => a["title"])).toEqual(["Open the run", "Approve or reject"]);
  });

  it("summarises a health check with its findings, capped", () => {
    const findings = Array.from({ length: 12 }, (_, i) => `API0${i}: RPO 45 min over the 30 min threshold; check the replication network.`);
    const card = buildTeamsMessage(notificationEvent({ kind: "healthCheck", health: { healthy: 10, warnings: 4, critical: 2, findings } })).attachments[0]
      .content;
    expect(texts(card.body)[0]).toBe("Health check: contoso needs attention");
    expect(texts(card.body).filter((t) => t.startsWith("• "))).toHaveLength(11);
    expect(texts(card.body)).toContain("• and 2 more in the report");
  });

  it("has words for every kind of event", () => {
    for (const kind of RUN_EVENT_KINDS) {
      const content = buildNotificationContent(notificationEvent({ kind, tier: "api" }));
      expect(content.title, kind).not.toBe("");
      expect(content.summary, kind).not.toBe("");
    }
  });
});

describe("e-mail", () => {
  it("is the ACS send request: sender, recipients, subject, plain text and HTML", () => {
    const email = buildEmailMessage(
      notificationEvent({ kind: "runCompleted", objectives: { rtoSeconds: 60, rtoTargetSeconds: 3_600, dataLossWindowSeconds: 0, rpoTargetSeconds: 1_800 } }),
      {
        sender: "DoNotReply@dr.contoso.com",
        to: ["oncall@contoso.com", "it@contoso.com"],
      },
    );
    expect(email.senderAddress).toBe("DoNotReply@dr.contoso.com");
    expect(email.recipients.to).toEqual([{ address: "oncall@contoso.com" }, { address: "it@contoso.com" }]);
    expect(email.content.subject).toBe("[DR] Failover completed: contoso");
    expect(email.content.plainText).toMatch(/RTO: 1 min \(target 60 min\) met/);
    expect(email.content.plainText).toMatch(/Open the run: https:\/\/func-dr\.azurewebsites\.net\/api\/runs\/run-20261125T020000Z-abc123/);
    expect(email.content.html).toMatch(/<a href="https:\/\/func-dr\.azurewebsites\.net\/api\/runs\/run-20261125T020000Z-abc123">Open the run<\/a>/);
  });

  it("escapes HTML and keeps the subject on one line", () => {
    const email = buildEmailMessage(notificationEvent({ estate: "contoso\r\nBcc: x@evil.test", summary: `<script>alert("x")</script> & more` }), {
      sender: "a@b.test",
      to: ["c@d.test"],
    });
    expect(email.content.subject).not.toMatch(/[\r\n]/);
    expect(email.content.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more");
    expect(email.content.html).not.toContain("<script>");
  });
});

describe("webhook payload", () => {
  it("is a CloudEvent whose id is the event's dedupe id", () => {
    const payload = buildWebhookPayload(
      notificationEvent({
        kind: "runFailed",
        tier: "api",
        failedStep: { id: "failover:API01", kind: "failover", target: "API01", tier: "api", reason: "ASR job failed" },
      }),
    );
    expect(payload).toMatchObject({
      specversion: "1.0",
      id: "run-20261125T020000Z-abc123:runStarted",
      type: "com.dr-automation.runFailed",
      source: "/dr-automation/estates/contoso",
      subject: "run-20261125T020000Z-abc123",
      time: "2026-11-25T02:00:00.000Z",
      datacontenttype: "application/json",
      data: { kind: "runFailed", tier: "api", severity: "attention", title: "Failover FAILED: contoso", failedStep: { reason: "ASR job failed" } },
    });
    expect(payload.data.actionRequired).toMatch(/failed step's error/);
  });
});

describe("the operation a notification names", () => {
  it("is the run's mode in words: a failback is not announced as a failover", () => {
    const titles = (["unplanned", "test", "failback-prep", "failback"] as const).map((mode) => buildNotificationContent(notificationEvent({ mode })).title);
    expect(titles).toEqual([
      "Failover started: contoso",
      "Test failover started: contoso",
      "Failback preparation started: contoso",
      "Failback started: contoso",
    ]);
  });
});
