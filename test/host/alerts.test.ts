import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startSandbox, type Sandbox } from "../../local/sandbox/startSandbox.js";
import { freshAlertJson } from "../incidents/freshAlert.js";
import { readSample, sampleEstate } from "../helpers.js";

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ estate: sampleEstate(), port: 0, alertAuth: "entra", log: () => undefined, tableEndpoint: inject("tableEndpoint") });
});
afterAll(() => sandbox.stop());

async function post(body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${sandbox.url}/api/alerts`, { method: "POST", body, headers });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function actionGroupHeaders(overrides: { roles?: string[]; audience?: string; issuer?: string } = {}): Promise<Record<string, string>> {
  const token = await sandbox.identity.issueToken({
    name: "action-group",
    roles: overrides.roles ?? ["ActionGroupsSecureWebhook"],
    ...(overrides.audience ? { audience: overrides.audience } : {}),
    ...(overrides.issuer ? { issuer: overrides.issuer } : {}),
  });
  return { authorization: `Bearer ${token}`, "content-type": "application/json" };
}

describe("POST /api/alerts (Secure Webhook)", () => {
  it("refuses a missing or forged token with 401 and a token without the Action Group role with 403, and audits each", async () => {
    const body = JSON.stringify(readSample("alert-metric-fired.json"));
    expect((await post(body, { "content-type": "application/json" })).status).toBe(401);
    expect((await post(body, { "content-type": "application/json", authorization: "Bearer not.a.token" })).status).toBe(401);
    expect((await post(body, await actionGroupHeaders({ audience: "api://someone-else" }))).status).toBe(401);
    expect((await post(body, await actionGroupHeaders({ issuer: "https://login.microsoftonline.com/another-tenant/v2.0" }))).status).toBe(401);
    const forbidden = await post(body, await actionGroupHeaders({ roles: ["reader"] }));
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.detail).toMatch(/ActionGroupsSecureWebhook/);
    const audit = await sandbox.stack.root.audit.list();
    expect(audit.filter((e) => e.result === "refused 401")).toHaveLength(4);
    expect(audit.filter((e) => e.result === "refused 403")).toHaveLength(1);
  });

  it("names the problem of malformed JSON, a wrong schema, a missing field, a wrong content type and an oversized body", async () => {
    const headers = await actionGroupHeaders();
    const malformed = await post("{ not json", headers);
    expect(malformed).toMatchObject({ status: 400, json: { title: "Malformed JSON" } });
    const wrongSchema = await post(JSON.stringify({ schemaId: "AzureMonitorMetricAlert", data: {} }), headers);
    expect(wrongSchema.status).toBe(400);
    expect(wrongSchema.json.detail).toMatch(/common alert schema/);
    const sample = readSample("alert-metric-fired.json") as { data: { essentials: Record<string, unknown> } };
    delete sample.data.essentials.monitorCondition;
    expect((await post(JSON.stringify(sample), headers)).json.detail).toMatch(/data\.essentials\.monitorCondition/);
    expect((await post(JSON.stringify(readSample("alert-metric-fired.json")), { ...headers, "content-type": "text/plain" })).status).toBe(415);
    expect((await post(JSON.stringify({ pad: "x".repeat(300 * 1024) }), headers)).status).toBe(413);
  });

  it("acknowledges an alert the estate does not care about and records it as ignored", async () => {
    const result = await post(JSON.stringify(readSample("alert-activitylog.json")), await actionGroupHeaders());
    expect(result).toMatchObject({ status: 202, json: { outcome: "ignored" } });
    const audit = await sandbox.stack.root.audit.list();
    expect(audit.some((e) => e.result === "ignored" && e.action.includes("test-activityLogAlertRule"))).toBe(true);
  });

  it("answers a duplicate with 200, never with a status that makes the Action Group retry", async () => {
    const body = JSON.stringify(freshAlertJson("rpo-breach-log.json", sandbox.stack.clock.now()));
    const headers = await actionGroupHeaders();
    expect((await post(body, headers)).json.outcome).toBe("diagnose");
    expect(await post(body, headers)).toMatchObject({ status: 200, json: { outcome: "duplicate" } });
  });
});
