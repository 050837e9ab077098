import type { NotificationEvent } from "../ports/notificationChannel.js";
import { formatDuration } from "../reports/formatDuration.js";
import { modeName } from "../domain/plan.js";
import { neutraliseUserText } from "../text/safeText.js";

/** How an event reads: one tone for the colour, facts for a glance, the words a person acts on. */
export type Tone = "good" | "warning" | "attention" | "accent";

export interface NotificationContent {
  readonly title: string;
  readonly tone: Tone;
  /** What happened, in one or two sentences. */
  readonly summary: string;
  readonly facts: readonly (readonly [label: string, value: string])[];
  /** What the product did or is doing, if anything beyond the summary. */
  readonly productDid?: string;
  /** What a person must do now; absent when nothing. */
  readonly action?: string;
  /** Findings or other lines worth listing (health check). */
  readonly details: readonly string[];
  /** Validated http(s) links: the run page first. */
  readonly links: readonly { readonly title: string; readonly url: string }[];
}

/** Longest list of VMs written out; the rest is counted. */
const MAX_VMS = 20;
const MAX_DETAILS = 10;
const MAX_TEXT = 600;

/**
 * Turns an event into the content every channel renders: concise and actionable (what happened,
 * which VMs, what the product did, what a person must do, a link). Pure; channels escape it.
 */
export function buildNotificationContent(received: NotificationEvent): NotificationContent {
  const event = neutraliseEvent(received);
  const test = event.mode === "test";
  const operation = modeName(event.mode);
  const facts: [string, string][] = [
    ["Estate", event.estate],
    ["Run", event.runId],
  ];
  if (event.mode && event.kind !== "healthCheck") facts.push(["Mode", event.mode]);
  if (event.tier !== undefined) facts.push(["Tier", event.tier]);
  if (event.trigger !== undefined) facts.push(["Why", event.trigger]);
  if (event.vms && event.vms.length > 0) facts.push([`VMs (${event.vms.length})`, listVms(event.vms)]);
  facts.push(["When", `${event.at.replace("T", " ").replace(/\.\d+Z$|Z$/, "")} UTC`]);

  const links = [
    ...(safeUrl(event.link) ? [{ title: event.kind === "healthCheck" ? "Open the report" : "Open the run", url: event.link as string }] : []),
    ...(safeUrl(event.approval?.approveUrl) ? [{ title: "Approve or reject", url: event.approval?.approveUrl as string }] : []),
  ];
  const base = { summary: clip(event.summary), details: [] as string[], links };
  const action = (fallback: string | undefined): { action?: string } => {
    const chosen = event.action ?? fallback;
    return chosen ? { action: clip(chosen) } : {};
  };

  switch (event.kind) {
    case "runStarted":
      return {
        ...base,
        title: `${operation} started: ${event.estate}`,
        tone: test ? "accent" : "warning",
        facts,
        productDid: test
          ? "Fails the VMs over into the isolated test network, checks them and cleans them up; production routes and DNS stay as they are."
          : "Fails the tiers over in dependency order, checks each VM, moves routes and DNS, then commits. You hear when each tier is ready.",
        ...action("Nothing yet. Follow the run on its page, and do not start failovers by hand in the portal meanwhile."),
      };
    case "tierCompleted":
      return {
        ...base,
        title: `Tier ${event.tier ?? "?"} ready: ${event.estate}`,
        tone: "good",
        facts,
        productDid: test
          ? "Its VMs are up in the test network and passed their checks."
          : "Its VMs are up and passed their checks; its routes and DNS names point at them.",
        ...action(undefined),
      };
    case "runFailed": {
      const step = event.failedStep;
      if (step) facts.push(["Failed step", `${step.id} (${step.kind} of ${step.target})`], ["Error", clip(step.reason)]);
      return {
        ...base,
        title: `${operation} FAILED: ${event.estate}`,
        tone: "attention",
        facts,
        productDid: "Stopped the run: steps already in flight finish, nothing new starts, and what is done stays done.",
        ...action("Open the run page and read the failed step's error. Fix the cause, then start a new run for what is left, or decide to fail back."),
      };
    }
    case "runCompleted": {
      const o = event.objectives;
      let tone: Tone = "good";
      if (o) {
        const rtoMet = o.rtoSeconds <= o.rtoTargetSeconds;
        const rpoMet = o.dataLossWindowSeconds === null || o.dataLossWindowSeconds <= o.rpoTargetSeconds;
        facts.push(["RTO", `${formatDuration(o.rtoSeconds)} (target ${formatDuration(o.rtoTargetSeconds)}) ${rtoMet ? "met" : "MISSED"}`]);
        facts.push([
          "Data-loss window",
          o.dataLossWindowSeconds === null
            ? "not measured"
            : `${formatDuration(o.dataLossWindowSeconds)} (RPO ${formatDuration(o.rpoTargetSeconds)}) ${rpoMet ? "met" : "MISSED"}`,
        ]);
        if (!rtoMet || !rpoMet) tone = "warning";
      }
      return {
        ...base,
        title: `${operation} completed: ${event.estate}`,
        tone,
        facts,
        productDid: test
          ? "Every VM was failed over into the test network, checked, and cleaned up."
          : "Every VM is failed over, checked and committed; routes and DNS point at Azure.",
        ...action(
          test
            ? "Record the drill's result; look at any target missed."
            : "Check the application end to end, tell its users, and plan reprotection and failback once the site is back.",
        ),
      };
    }
    case "approvalNeeded": {
      const approval = event.approval;
      if (approval?.expiresAt !== undefined) facts.push(["Expires", approval.expiresAt]);
      return {
        ...base,
        title: `Approval needed: ${event.estate}`,
        tone: "warning",
        facts,
        ...(approval ? { productDid: `Waiting for approval of: ${clip(approval.what)}` } : {}),
        ...action(approval ? `Approve or reject: ${approval.how}` : "Approve or reject the pending run on its page."),
      };
    }
    case "healthCheck": {
      const h = event.health;
      if (h) facts.push(["Result", `${h.critical} critical, ${h.warnings} warnings, ${h.healthy} healthy`]);
      const findings = h?.findings ?? [];
      return {
        ...base,
        title: `Health check: ${event.estate}${h ? (h.critical > 0 ? " needs attention" : h.warnings > 0 ? " has warnings" : " healthy") : ""}`,
        tone: !h ? "accent" : h.critical > 0 ? "attention" : h.warnings > 0 ? "warning" : "good",
        facts,
        details: [
          ...findings.slice(0, MAX_DETAILS).map(clip),
          ...(findings.length > MAX_DETAILS ? [`and ${findings.length - MAX_DETAILS} more in the report`] : []),
        ],
        ...action(h && h.critical > 0 ? "Fix the critical findings before a failover is needed: each comes with its advice." : undefined),
      };
    }
    case "stepDeadLettered": {
      const step = event.failedStep;
      if (step) facts.push(["Step", `${step.id} (${step.kind} of ${step.target})`], ["Reason", clip(step.reason)]);
      return {
        ...base,
        title: `Step dead-lettered: ${event.estate}`,
        tone: "attention",
        facts,
        productDid: "The step's message ran out of deliveries; the step and its run were failed.",
        ...action("Open the run page, read the step's error, and decide whether to start a new run for what is left."),
      };
    }
    case "incidentDecision":
      return {
        ...base,
        title: `Incident update: ${event.estate}`,
        tone: "warning",
        facts,
        ...action(undefined),
      };
  }
}

function listVms(vms: readonly string[]): string {
  return vms.length <= MAX_VMS ? vms.join(", ") : `${vms.slice(0, MAX_VMS).join(", ")} and ${vms.length - MAX_VMS} more`;
}

function clip(text: string): string {
  return neutraliseUserText(text, MAX_TEXT);
}

/** Fields that hold links the product built and `safeUrl` checks; every other text is neutralised. */
const LINK_FIELDS = new Set(["link", "approveUrl"]);

/**
 * The event with every text field (reasons, triggers, names, errors from Azure, findings) on one
 * line, without control characters and with links defanged, so no field can forge a line or a link
 * of its own. The one pass every channel's text goes through (card, e-mail, webhook).
 */
export function neutraliseEvent(event: NotificationEvent): NotificationEvent {
  const { id, at, ...text } = event;
  return { ...(neutraliseFields(text, "") as Omit<NotificationEvent, "id" | "at">), id, at };
}

function neutraliseFields(value: unknown, key: string): unknown {
  if (typeof value === "string") return LINK_FIELDS.has(key) ? value : neutraliseUserText(value, MAX_TEXT);
  if (Array.isArray(value)) return value.map((item) => neutraliseFields(item, key));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, neutraliseFields(item, k)]));
}

/** Only absolute http(s) links reach a card or an e-mail: no javascript:, data: or relative URLs. */
export function safeUrl(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:";
  } catch {
    return false;
  }
}
