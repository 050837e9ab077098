import { z } from "zod";
import { issuesText } from "../config/zodIssues.js";
import { CHANNEL_NAMES, type ChannelName } from "../ports/notificationChannel.js";
import { RUN_EVENT_KINDS, type RunEventKind } from "../ports/notifier.js";

/** The app settings notifications read (all optional; see docs/notifications.md). */
export interface NotificationConfig {
  readonly RUN_PAGE_BASE_URL: string;
  readonly NOTIFY_TEAMS_WEBHOOK_URL: string;
  readonly NOTIFY_WEBHOOK_URL: string;
  readonly NOTIFY_WEBHOOK_SIGNING_KEY: string;
  readonly NOTIFY_EMAIL_ENDPOINT: string;
  readonly NOTIFY_EMAIL_SENDER: string;
  readonly NOTIFY_EMAIL_TO: string;
  readonly NOTIFY_ROUTES: string;
}

export interface SettingProblem {
  /** The channel the problem turns off; absent for settings that concern no one channel. */
  readonly channel?: ChannelName;
  readonly setting: keyof NotificationConfig;
  /** In words; never contains the setting's value (it may be a secret). */
  readonly problem: string;
}

export interface NotificationSettings {
  readonly runPageBaseUrl?: string;
  readonly teams?: { readonly webhookUrl: string };
  readonly webhook?: { readonly url: string; readonly signingKeys: readonly string[] };
  readonly email?: { readonly endpoint: string; readonly sender: string; readonly to: readonly string[] };
  /** The kinds each configured, valid channel receives. */
  readonly routes: ReadonlyMap<ChannelName, ReadonlySet<RunEventKind>>;
  readonly problems: readonly SettingProblem[];
}

/** Without NOTIFY_ROUTES (or for a channel it leaves out): everything, except tier progress by e-mail. */
export const DEFAULT_ROUTES: Readonly<Record<ChannelName, readonly RunEventKind[]>> = {
  teams: RUN_EVENT_KINDS,
  webhook: RUN_EVENT_KINDS,
  email: RUN_EVENT_KINDS.filter((k) => k !== "tierCompleted"),
};

export const MIN_SIGNING_KEY_LENGTH = 32;

const RoutesSchema = z.partialRecord(z.enum(CHANNEL_NAMES as [ChannelName, ...ChannelName[]]), z.array(z.union([z.enum(RUN_EVENT_KINDS), z.literal("*")])));
const Email = z.email();

/**
 * Reads the notification settings. Unlike the rest of the config, a problem here never throws:
 * a failover must not stop because a Teams URL is mistyped. The channel concerned is turned off
 * and the problem is returned, logged at start and shown in the channels' health.
 */
export function parseNotificationSettings(config: NotificationConfig): NotificationSettings {
  const problems: SettingProblem[] = [];
  const report = (setting: keyof NotificationConfig, problem: string, channel?: ChannelName): void =>
    void problems.push({ setting, problem, ...(channel ? { channel } : {}) });
  const url = (setting: keyof NotificationConfig, channel?: ChannelName): string | undefined => {
    const value = config[setting].trim();
    if (value === "") return undefined;
    const problem = urlProblem(value);
    if (problem) return void report(setting, problem, channel);
    return value;
  };

  const runPageBaseUrl = url("RUN_PAGE_BASE_URL");

  const teamsUrl = url("NOTIFY_TEAMS_WEBHOOK_URL", "teams");
  const teams = teamsUrl ? { webhookUrl: teamsUrl } : undefined;

  let webhook: NotificationSettings["webhook"];
  const webhookUrl = url("NOTIFY_WEBHOOK_URL", "webhook");
  const keyText = config.NOTIFY_WEBHOOK_SIGNING_KEY.trim();
  if (isUnresolvedReference(keyText)) report("NOTIFY_WEBHOOK_SIGNING_KEY", UNRESOLVED, "webhook");
  else if (config.NOTIFY_WEBHOOK_URL.trim() !== "") {
    const keys = keyText.split(/[\s,]+/).filter(Boolean);
    if (keys.length === 0) report("NOTIFY_WEBHOOK_SIGNING_KEY", "is required with NOTIFY_WEBHOOK_URL: receivers verify every request with it", "webhook");
    else if (keys.some((k) => k.length < MIN_SIGNING_KEY_LENGTH))
      report("NOTIFY_WEBHOOK_SIGNING_KEY", `each key needs at least ${MIN_SIGNING_KEY_LENGTH} characters`, "webhook");
    else if (webhookUrl) webhook = { url: webhookUrl, signingKeys: keys };
  }

  let email: NotificationSettings["email"];
  const emailKeys = ["NOTIFY_EMAIL_ENDPOINT", "NOTIFY_EMAIL_SENDER", "NOTIFY_EMAIL_TO"] as const;
  if (emailKeys.some((k) => config[k].trim() !== "")) {
    const endpoint = url("NOTIFY_EMAIL_ENDPOINT", "email");
    if (config.NOTIFY_EMAIL_ENDPOINT.trim() === "")
      report("NOTIFY_EMAIL_ENDPOINT", "is required for e-mail (https://<resource>.communication.azure.com)", "email");
    const sender = config.NOTIFY_EMAIL_SENDER.trim();
    if (!Email.safeParse(sender).success) report("NOTIFY_EMAIL_SENDER", "must be the sender address of a verified ACS domain (DoNotReply@...)", "email");
    const to = config.NOTIFY_EMAIL_TO.split(/[\s,;]+/).filter(Boolean);
    const invalid = to.filter((a) => !Email.safeParse(a).success).length;
    if (to.length === 0) report("NOTIFY_EMAIL_TO", "lists no recipient", "email");
    else if (invalid > 0) report("NOTIFY_EMAIL_TO", `${invalid} of ${to.length} recipients are not e-mail addresses`, "email");
    if (endpoint && !problems.some((p) => p.channel === "email")) email = { endpoint, sender, to };
  }

  const configured = new Set<ChannelName>([
    ...(teams ? ["teams" as const] : []),
    ...(webhook ? ["webhook" as const] : []),
    ...(email ? ["email" as const] : []),
  ]);
  const routes = new Map<ChannelName, ReadonlySet<RunEventKind>>();
  const chosen = parseRoutes(config.NOTIFY_ROUTES, report);
  for (const channel of CHANNEL_NAMES) {
    const kinds = chosen?.[channel];
    if (kinds && !configured.has(channel) && !problems.some((p) => p.channel === channel)) {
      report("NOTIFY_ROUTES", `routes events to '${channel}', whose settings are not set`);
    }
    if (!configured.has(channel)) continue;
    routes.set(channel, new Set(kinds?.includes("*") ? RUN_EVENT_KINDS : ((kinds as RunEventKind[] | undefined) ?? DEFAULT_ROUTES[channel])));
  }

  return {
    ...(runPageBaseUrl ? { runPageBaseUrl } : {}),
    ...(teams ? { teams } : {}),
    ...(webhook ? { webhook } : {}),
    ...(email ? { email } : {}),
    routes,
    problems,
  };
}

const UNRESOLVED = "is an unresolved Key Vault reference: give the app's identity 'Key Vault Secrets User' on the secret and check keyVaultReferenceIdentity";

function isUnresolvedReference(value: string): boolean {
  return value.startsWith("@Microsoft.KeyVault(");
}

function urlProblem(value: string): string | undefined {
  if (isUnresolvedReference(value)) return UNRESOLVED;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return "is not a URL";
  }
  if (parsed.protocol === "https:") return undefined;
  // Plain http only to this machine: the local receivers of tests and the sandbox.
  if (parsed.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname)) return undefined;
  return "must be an https URL";
}

function parseRoutes(text: string, report: (setting: "NOTIFY_ROUTES", problem: string) => void): z.infer<typeof RoutesSchema> | undefined {
  if (text.trim() === "") return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    report("NOTIFY_ROUTES", 'is not JSON; expected e.g. {"teams":["*"],"email":["runFailed","approvalNeeded"]}');
    return undefined;
  }
  const parsed = RoutesSchema.safeParse(json);
  if (!parsed.success) {
    report("NOTIFY_ROUTES", issuesText(parsed.error, "(root)"));
    return undefined;
  }
  return parsed.data;
}
