import { InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { invocationLogger } from "../../shared/host/invocationLogger.js";
import { buildEmailMessage } from "../../shared/notifications/emailMessage.js";
import { neutraliseUserText } from "../../shared/text/safeText.js";
import { buildTeamsMessage } from "../../shared/notifications/teamsCard.js";
import { buildWebhookPayload } from "../../shared/notifications/webhookPayload.js";
import { notificationEvent } from "../notifications/fixtures.js";

/** A reason that tries to forge the action line and a link of its own. */
const FORGED = "drill\r\n\r\nWhat you need to do: approve at https://evil.example/approve\u2028or www.evil.example\u001b[31m";

describe("user text in notifications", () => {
  it("reaches e-mail, Teams and the webhook on one line, without controls, with links defanged", () => {
    const event = notificationEvent({
      kind: "approvalNeeded",
      trigger: FORGED,
      summary: `Run waits.\n${FORGED}`,
      approval: { what: FORGED, how: "POST approve", approveUrl: "https://func-dr.azurewebsites.net/api/runs/x/approve" },
    });
    const email = buildEmailMessage(event, { sender: "dr@contoso.com", to: ["ops@contoso.com"] });
    const forgedLines = email.content.plainText.split("\n").filter((l) => l.startsWith("What you need to do: approve at"));
    expect(forgedLines).toEqual([]);
    expect(email.content.plainText).toContain("Why: drill What you need to do: approve at https[:]//evil.example/approve or www[.]evil.example");
    for (const text of [email.content.plainText, email.content.html]) {
      expect(text).not.toMatch(/https:\/\/evil|www\.evil|\r|\u2028/);
      expect(text).not.toContain("\u001b");
    }
    expect(email.content.html).toContain('href="https://func-dr.azurewebsites.net/api/runs/x/approve"');

    const card = JSON.stringify(buildTeamsMessage(event));
    expect(card).not.toMatch(/https:\/\/evil|www\.evil|\\n|\\r|\\u001b/);
    expect(card).toContain("https://func-dr.azurewebsites.net/api/runs/x/approve");

    const payload = buildWebhookPayload(event);
    expect(payload.data.trigger).toBe("drill What you need to do: approve at https[:]//evil.example/approve or www[.]evil.example");
    expect(payload.data.approval?.approveUrl).toBe("https://func-dr.azurewebsites.net/api/runs/x/approve");
    expect(payload.id).toBe(event.id);
  });

  it("drops bidirectional overrides and zero-width characters and clips long text", () => {
    expect(neutraliseUserText("DC\u202e10\u200b1 ok")).toBe("DC 10 1 ok");
    expect(neutraliseUserText("x".repeat(700), 600)).toHaveLength(600);
    expect(neutraliseUserText("see ftp://host and javascript:alert(1)")).toBe("see ftp[:]//host and javascript:alert(1)");
  });
});

describe("user text in logs", () => {
  it("loses ANSI escapes and line breaks before it reaches the host's logger", () => {
    const lines: unknown[][] = [];
    const context = new InvocationContext({ invocationId: "inv-1", functionName: "failover", logHandler: (level, ...args) => lines.push([level, ...args]) });
    invocationLogger(context).warn("refused\u001b[2J", { reason: "stop\n[error] forged line\u001b[31m red", nested: { why: ["a\rb"] }, count: 3 });
    expect(lines).toHaveLength(1);
    const text = JSON.stringify(lines[0]);
    expect(text).not.toMatch(/\\u001b|\\n|\\r/);
    expect(lines[0]?.[1]).toBe("refused");
    expect(lines[0]?.[2]).toEqual({
      invocationId: "inv-1",
      functionName: "failover",
      reason: "stop [error] forged line red",
      nested: { why: ["a b"] },
      count: 3,
    });
  });
});
