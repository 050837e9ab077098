import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, loadConfig } from "../../shared/config/loadConfig.js";
import { DEFAULT_ROUTES, parseNotificationSettings, type NotificationConfig } from "../../shared/notifications/notificationSettings.js";
import { RUN_EVENT_KINDS } from "../../shared/ports/notifier.js";
import { NO_CHANNELS, SIGNING_KEY } from "./fixtures.js";

const none = NO_CHANNELS;
const teamsUrl = "https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi";
const all: NotificationConfig = {
  RUN_PAGE_BASE_URL: "https://func-dr.azurewebsites.net/api/runs",
  NOTIFY_TEAMS_WEBHOOK_URL: teamsUrl,
  NOTIFY_WEBHOOK_URL: "https://hooks.contoso.com/dr",
  NOTIFY_WEBHOOK_SIGNING_KEY: SIGNING_KEY,
  NOTIFY_EMAIL_ENDPOINT: "https://acs-dr.communication.azure.com",
  NOTIFY_EMAIL_SENDER: "DoNotReply@dr.contoso.com",
  NOTIFY_EMAIL_TO: "oncall@contoso.com, it@contoso.com",
  NOTIFY_ROUTES: "",
};

describe("notification settings", () => {
  it("are app settings: every one is a CONFIG_KEY, optional, so an app without channels still starts", () => {
    for (const key of Object.keys(none)) expect(CONFIG_KEYS).toContain(key);
    const config = loadConfig({
      ESTATE_CONFIG_PATH: "estate/sample-estate.json",
      ServiceBusConnection__fullyQualifiedNamespace: "sb-dr.servicebus.windows.net",
      StateTables__tableServiceUri: "https://stdr.table.core.windows.net",
      AUTH_TENANT_ID: "00000000-0000-0000-0000-000000000000",
      AUTH_AUDIENCES: "api://dr",
    });
    const settings = parseNotificationSettings(config);
    expect(settings.routes.size).toBe(0);
    expect(settings.problems).toEqual([]);
  });

  it("configure each channel, with default routes (no tier progress by e-mail)", () => {
    const settings = parseNotificationSettings(all);
    expect(settings.problems).toEqual([]);
    expect(settings.teams).toEqual({ webhookUrl: teamsUrl });
    expect(settings.webhook).toEqual({ url: "https://hooks.contoso.com/dr", signingKeys: [SIGNING_KEY] });
    expect(settings.email).toEqual({
      endpoint: "https://acs-dr.communication.azure.com",
      sender: "DoNotReply@dr.contoso.com",
      to: ["oncall@contoso.com", "it@contoso.com"],
    });
    expect([...(settings.routes.get("teams") ?? [])]).toEqual([...RUN_EVENT_KINDS]);
    expect([...(settings.routes.get("email") ?? [])]).toEqual(DEFAULT_ROUTES.email);
    expect(settings.routes.get("email")?.has("tierCompleted")).toBe(false);
    expect(settings.runPageBaseUrl).toBe("https://func-dr.azurewebsites.net/api/runs");
  });

  it("route event kinds to channels from NOTIFY_ROUTES; a channel it leaves out keeps its defaults", () => {
    const settings = parseNotificationSettings({ ...all, NOTIFY_ROUTES: JSON.stringify({ email: ["runFailed", "approvalNeeded"], webhook: ["*"] }) });
    expect(settings.problems).toEqual([]);
    expect([...(settings.routes.get("email") ?? [])]).toEqual(["runFailed", "approvalNeeded"]);
    expect(settings.routes.get("webhook")?.size).toBe(RUN_EVENT_KINDS.length);
    expect(settings.routes.get("teams")?.size).toBe(RUN_EVENT_KINDS.length);
  });

  it("report every problem without the value, and turn only the channels concerned off", () => {
    const settings = parseNotificationSettings({
      RUN_PAGE_BASE_URL: "not a url",
      NOTIFY_TEAMS_WEBHOOK_URL: "@Microsoft.KeyVault(SecretUri=https://kv-dr.vault.azure.net/secrets/teams-webhook)",
      NOTIFY_WEBHOOK_URL: "http://hooks.contoso.com/dr",
      NOTIFY_WEBHOOK_SIGNING_KEY: "short-secret-value",
      NOTIFY_EMAIL_ENDPOINT: "https://acs-dr.communication.azure.com",
      NOTIFY_EMAIL_SENDER: "DoNotReply@dr.contoso.com",
      NOTIFY_EMAIL_TO: "oncall@contoso.com",
      NOTIFY_ROUTES: JSON.stringify({ pager: ["runFailed"], email: ["runExploded"] }),
    });
    expect(settings.problems.map((p) => `${p.setting}${p.channel ? ` (${p.channel})` : ""}`)).toEqual([
      "RUN_PAGE_BASE_URL",
      "NOTIFY_TEAMS_WEBHOOK_URL (teams)",
      "NOTIFY_WEBHOOK_URL (webhook)",
      "NOTIFY_WEBHOOK_SIGNING_KEY (webhook)",
      "NOTIFY_ROUTES",
    ]);
    expect(settings.problems[1]?.problem).toMatch(/unresolved Key Vault reference/);
    expect(settings.problems[2]?.problem).toBe("must be an https URL");
    expect(JSON.stringify(settings.problems)).not.toContain("short-secret-value");
    expect(JSON.stringify(settings.problems)).not.toContain("kv-dr");
    expect(settings.teams).toBeUndefined();
    expect(settings.webhook).toBeUndefined();
    // Bad routes fall back to the defaults rather than silencing a channel.
    expect([...settings.routes.keys()]).toEqual(["email"]);
    expect([...(settings.routes.get("email") ?? [])]).toEqual(DEFAULT_ROUTES.email);
  });

  it("need the whole e-mail trio, and the signing key with the webhook", () => {
    const partial = parseNotificationSettings({
      ...none,
      NOTIFY_EMAIL_TO: "oncall@contoso.com,not-an-address",
      NOTIFY_WEBHOOK_URL: "https://hooks.contoso.com/dr",
    });
    expect(partial.problems.map((p) => p.setting)).toEqual(["NOTIFY_WEBHOOK_SIGNING_KEY", "NOTIFY_EMAIL_ENDPOINT", "NOTIFY_EMAIL_SENDER", "NOTIFY_EMAIL_TO"]);
    expect(partial.routes.size).toBe(0);
    expect(parseNotificationSettings({ ...none, NOTIFY_ROUTES: '{"teams":["*"]}' }).problems).toEqual([
      { setting: "NOTIFY_ROUTES", problem: "routes events to 'teams', whose settings are not set" },
    ]);
    expect(parseNotificationSettings({ ...none, NOTIFY_ROUTES: "{oops" }).problems[0]?.problem).toMatch(/not JSON/);
  });

  it("allow plain http only to this machine (local receivers)", () => {
    expect(parseNotificationSettings({ ...none, NOTIFY_TEAMS_WEBHOOK_URL: "http://127.0.0.1:7072/teams" }).teams).toBeDefined();
    expect(parseNotificationSettings({ ...none, NOTIFY_TEAMS_WEBHOOK_URL: "http://teams.example.com/x" }).teams).toBeUndefined();
  });
});
