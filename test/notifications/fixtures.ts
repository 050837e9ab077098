import type { NotificationConfig } from "../../shared/notifications/notificationSettings.js";
import type { NotificationEvent } from "../../shared/ports/notificationChannel.js";
import type { RunEvent } from "../../shared/ports/notifier.js";

/** The notification settings with every channel off. */
export const NO_CHANNELS: NotificationConfig = {
  RUN_PAGE_BASE_URL: "",
  NOTIFY_TEAMS_WEBHOOK_URL: "",
  NOTIFY_WEBHOOK_URL: "",
  NOTIFY_WEBHOOK_SIGNING_KEY: "",
  NOTIFY_EMAIL_ENDPOINT: "",
  NOTIFY_EMAIL_SENDER: "",
  NOTIFY_EMAIL_TO: "",
  NOTIFY_ROUTES: "",
};

export const SIGNING_KEY = "k".repeat(16) + "0123456789abcdef0123";

export function runEvent(overrides: Partial<RunEvent> = {}): RunEvent {
  return {
    kind: "runStarted",
    runId: "run-20261125T020000Z-abc123",
    estate: "contoso",
    mode: "unplanned",
    at: new Date("2026-11-25T02:00:00.000Z"),
    summary: "Failover of contoso started (alert er-down-1).",
    trigger: "alert er-down-1",
    vms: ["DC01", "DC02", "NAT01"],
    ...overrides,
  };
}

export function notificationEvent(overrides: Partial<NotificationEvent> = {}): NotificationEvent {
  return {
    kind: "runStarted",
    id: "run-20261125T020000Z-abc123:runStarted",
    runId: "run-20261125T020000Z-abc123",
    estate: "contoso",
    mode: "unplanned",
    at: "2026-11-25T02:00:00.000Z",
    summary: "Failover of contoso started (alert er-down-1).",
    trigger: "alert er-down-1",
    vms: ["DC01", "DC02", "NAT01"],
    link: "https://func-dr.azurewebsites.net/api/runs/run-20261125T020000Z-abc123",
    ...overrides,
  };
}
