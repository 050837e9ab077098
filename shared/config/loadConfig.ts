import { z } from "zod";
import { DRILL_SCOPE_PATTERN } from "./drillScope.js";
import { issueText } from "./zodIssues.js";

/** App settings the product reads; `local.settings.sample.json` and the Bicep app settings list exactly these. */
export const ConfigSchema = z
  .object({
    /** Path of the estate file (VMs, tiers, vaults, DNS, routes). */
    ESTATE_CONFIG_PATH: z.string().min(1),
    /** Client id of the user-assigned managed identity; empty uses the default credential chain. */
    AZURE_CLIENT_ID: z.string().default(""),
    /** Application Insights: structured log records go here (customDimensions keep their keys); empty: the host's log only. */
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().default(""),
    /** "Authorization=AAD" (with ClientId=): ingestion signs in with the managed identity, as local auth is off. */
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: z.string().default(""),
    /** Service Bus namespace of the step queue (identity-based connection, as the trigger uses it). */
    ServiceBusConnection__fullyQualifiedNamespace: z.string().min(1),
    /** Table service endpoint holding runs, steps and the run lock (identity-based). */
    StateTables__tableServiceUri: z.url(),
    /** Blob container of the write-once audit copy (docs/audit.md), https://<account>.blob.core.windows.net/audit; empty: table only. */
    AUDIT_BLOB_CONTAINER_URL: z.union([z.literal(""), z.url()]).default(""),
    /** NCRONTAB schedule of the nightly health check, six fields ({second} {minute} {hour} {day} {month} {day-of-week}); the timer binds it as %HEALTH_CHECK_SCHEDULE%. */
    HEALTH_CHECK_SCHEDULE: z
      .string()
      .regex(/^\S+( \S+){5}$/, "an NCRONTAB expression with six fields: {second} {minute} {hour} {day} {month} {day-of-week}, e.g. '0 0 2 * * *'")
      .default("0 0 2 * * *"),
    /** Entra ID tenant whose tokens callers present (Action Group Secure Webhook, operators). */
    AUTH_TENANT_ID: z.string().min(1),
    /** Accepted token audiences, comma-separated: the API's application id URI and client id. */
    AUTH_AUDIENCES: z.string().min(1),
    /** How the Action Group proves itself on /api/alerts: an Entra ID token (Secure Webhook) or a key. */
    ALERT_AUTH_MODE: z.enum(["entra", "key"]).default("entra"),
    /** The key for ALERT_AUTH_MODE=key, as a Key Vault reference in Azure; empty otherwise. */
    ALERT_WEBHOOK_KEY: z.string().default(""),
    // Notifications (docs/notifications.md). All optional, and read leniently on purpose: a wrong
    // notification setting turns its channel off and is reported (parseNotificationSettings, channel
    // health); it never stops the app, because a failover must not wait on a Teams URL.
    /** Base of the run-page link in notifications: `<base>/<runId>`; empty: no link. */
    RUN_PAGE_BASE_URL: z.string().default(""),
    /** Teams incoming-webhook or Workflows URL (a secret: a Key Vault reference in Azure). */
    NOTIFY_TEAMS_WEBHOOK_URL: z.string().default(""),
    /** Generic JSON webhook receiving signed CloudEvents. */
    NOTIFY_WEBHOOK_URL: z.string().default(""),
    /** HMAC-SHA256 key(s) of the webhook signature, comma-separated during a rotation (Key Vault reference). */
    NOTIFY_WEBHOOK_SIGNING_KEY: z.string().default(""),
    /** Azure Communication Services endpoint for e-mail (managed identity). */
    NOTIFY_EMAIL_ENDPOINT: z.string().default(""),
    /** Sender address of a verified ACS e-mail domain. */
    NOTIFY_EMAIL_SENDER: z.string().default(""),
    /** Recipients, comma-separated. */
    NOTIFY_EMAIL_TO: z.string().default(""),
    /** JSON: channel -> event kinds ("*" for all), e.g. {"email":["runFailed","approvalNeeded"]}; empty: defaults. */
    NOTIFY_ROUTES: z.string().default(""),
    // Run API (docs/http-api.md).
    /** "true": the approver of a run must be someone other than its requester. */
    APPROVAL_SEPARATE_APPROVER: z.enum(["true", "false"]).default("true"),
    /** "trust" only behind App Service authentication (it strips a client's own x-ms-client-principal header); "ignore": bearer tokens only. */
    AUTH_APP_SERVICE_PRINCIPAL: z.enum(["trust", "ignore"]).default("ignore"),
    /** NCRONTAB schedule of the scheduled drill (six fields, UTC); the timer binds it as %DRILL_SCHEDULE%. Default: Saturdays 03:00. */
    DRILL_SCHEDULE: z
      .string()
      .regex(/^\S+( \S+){5}$/, "an NCRONTAB expression with six fields, e.g. '0 0 3 * * 6'")
      .default("0 0 3 * * 6"),
    /** What the scheduled drill fails over: 'all', 'tiers:web,api', 'vms:WEB01,WEB02', or 'none' (no drill). */
    DRILL_SCOPE: z.string().regex(DRILL_SCOPE_PATTERN, "'all', 'none', 'tiers:<a,b>' or 'vms:<a,b>'").default("all"),
    /** The scheduled drill's test VMs are cleaned up this long after its last tier is ready. */
    DRILL_CLEANUP_AFTER_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  })
  .refine((c) => c.ALERT_AUTH_MODE !== "key" || c.ALERT_WEBHOOK_KEY.length >= 32, {
    path: ["ALERT_WEBHOOK_KEY"],
    message: "ALERT_AUTH_MODE=key needs ALERT_WEBHOOK_KEY of at least 32 characters",
  });

export type AppConfig = Readonly<z.infer<typeof ConfigSchema>>;
export const CONFIG_KEYS = Object.keys(ConfigSchema.shape) as readonly (keyof AppConfig)[];

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Validates the settings once and names every missing or invalid key in one error. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const parsed = ConfigSchema.safeParse(Object.fromEntries(CONFIG_KEYS.map((k) => [k, env[k]])));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => issueText(i, ""));
    throw new ConfigError(`Invalid app settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return Object.freeze(parsed.data);
}
