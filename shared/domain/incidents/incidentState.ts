export type Playbook = "siteFailover" | "edgeFailover";

/**
 * Where a failover signal comes from. Signals of one source are one witness, however many rules or
 * circuits report them: both circuits' alerts and BGP/ARP of one circuit are all "expressRoute".
 */
export type SignalSource = "expressRoute" | "siteHeartbeat" | "natPlatform" | "natHeartbeat" | "human";

/** The last state seen of one alert id, ordered by the alert's own time, not by arrival. */
export interface AlertRecord {
  /** A bounded key of the alert id (the service hashes it), never the raw id. */
  readonly key: string;
  readonly condition: "Fired" | "Resolved";
  /** firedDateTime for Fired, resolvedDateTime for Resolved. */
  readonly at: string;
}

/** Everything the policy remembers about the estate's current incident; stored with an ETag. */
export interface IncidentState {
  readonly incidentId: string | null;
  readonly openedAt: string | null;
  readonly lastSignalAt: string | null;
  /** ExpressRoute circuits (lower-cased ids) whose availability alert is firing, since when. */
  readonly circuitsDown: readonly { readonly id: string; readonly since: string }[];
  /** When the NAT/firewall VM's unavailability alert fired; null while it is fine. */
  readonly natLostSince: string | null;
  /** When the on-premises site's agents' Heartbeat alert fired; null while they report. */
  readonly siteHeartbeatLostSince: string | null;
  readonly rpoBreached: boolean;
  /** Independent sources that reported a failover signal in this incident (second-signal rule). */
  readonly failoverSources: readonly SignalSource[];
  /** Alerts already handled, newest last, bounded in count and bytes (ALERT_RECORDS_*). */
  readonly alerts: readonly AlertRecord[];
  /** A failover signal waiting for its debounce check. */
  readonly pending: { readonly playbook: Playbook; readonly checkId: string; readonly dueAt: string } | null;
  readonly awaitingApproval: { readonly playbook: Playbook; readonly reason: string } | null;
  /**
   * A start decided but not yet made: only the decision that made it (its check or approval) may
   * carry it out, after checking the kill switch again; no other transaction starts a run.
   */
  readonly startOwed: { readonly playbook: Playbook; readonly runId: string; readonly decidedBy: string; readonly reason: string } | null;
  /** The run this incident started, if any (set once the engine accepted it). */
  readonly runId: string | null;
  readonly runPlaybook: Playbook | null;
  /** A site failover has run: the link coming back is news, never a reason to fail back. */
  readonly failedOver: boolean;
  readonly killSwitch: { readonly on: boolean; readonly by: string; readonly at: string; readonly reason: string } | null;
  /**
   * The last decisions people were told about or that started a run, keyed by the delivery that
   * made them: a redelivery after a crash (which the policy sees as a duplicate) tells them again
   * under the same notification id, so a crash between saving and telling loses nothing.
   */
  readonly recentDecisions: readonly RecentDecision[];
}

/** A decision as remembered for its redelivery: its outcome and reason, bounded. */
export interface RecentDecision {
  /** The delivery's id (alert key and condition, check id, start). */
  readonly key: string;
  readonly outcome: string;
  readonly reason: string;
  readonly incidentId: string | null;
  readonly playbook?: Playbook;
  readonly runId?: string;
  readonly activeRunId?: string;
}

export const NO_INCIDENT: IncidentState = {
  incidentId: null,
  openedAt: null,
  lastSignalAt: null,
  circuitsDown: [],
  natLostSince: null,
  siteHeartbeatLostSince: null,
  rpoBreached: false,
  failoverSources: [],
  alerts: [],
  pending: null,
  awaitingApproval: null,
  startOwed: null,
  runId: null,
  runPlaybook: null,
  failedOver: false,
  killSwitch: null,
  recentDecisions: [],
};

/** How many decisions are remembered for redeliveries, and how long a reason may be (bounded row). */
export const RECENT_DECISIONS_LIMIT = 10;
export const RECENT_DECISION_REASON_CHARS = 600;

/** Adds a decision under its delivery's key, keeping the newest RECENT_DECISIONS_LIMIT. */
export function rememberDecision(recent: readonly RecentDecision[], decision: RecentDecision): RecentDecision[] {
  const bounded = { ...decision, reason: decision.reason.slice(0, RECENT_DECISION_REASON_CHARS) };
  return [...recent.filter((d) => d.key !== decision.key), bounded].slice(-RECENT_DECISIONS_LIMIT);
}

/** How many alert records are kept: far more than one incident's alerts. */
export const ALERT_RECORDS_LIMIT = 150;
/** Budget of the alert records in UTF-16 code units, a fraction of the row's limit below. */
export const ALERT_RECORDS_MAX_CHARS = 16_000;
/**
 * Table Storage: a string property holds at most 64 KiB as UTF-16, 32K characters
 * (learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model);
 * the state's JSON must fit one, with room to spare.
 */
export const INCIDENT_STATE_MAX_CHARS = 30_000;

/** Keeps the newest records within ALERT_RECORDS_LIMIT and ALERT_RECORDS_MAX_CHARS. */
export function boundAlertRecords(records: readonly AlertRecord[]): AlertRecord[] {
  const kept: AlertRecord[] = [];
  let chars = 0;
  for (let i = records.length - 1; i >= 0 && kept.length < ALERT_RECORDS_LIMIT; i--) {
    const record = records[i] as AlertRecord;
    chars += record.key.length + record.at.length + 40; // JSON punctuation and field names
    if (chars > ALERT_RECORDS_MAX_CHARS) break;
    kept.push(record);
  }
  return kept.reverse();
}
