export type Playbook = "siteFailover" | "edgeFailover";

/** Everything the policy remembers about the estate's current incident; stored with an ETag. */
export interface IncidentState {
  readonly incidentId: string | null;
  readonly openedAt: string | null;
  readonly lastSignalAt: string | null;
  /** ExpressRoute circuits (lower-cased ids) whose availability alert is firing, since when. */
  readonly circuitsDown: readonly { readonly id: string; readonly since: string }[];
  /** When the NAT/firewall VM's unavailability alert fired; null while it is fine. */
  readonly natLostSince: string | null;
  readonly rpoBreached: boolean;
  /** Distinct alert rules that reported a failover signal in this incident (second-signal rule). */
  readonly failoverRules: readonly string[];
  /** Dedupe keys (alert id + condition) already handled, newest last. */
  readonly seen: readonly string[];
  /** A failover signal waiting for its debounce check. */
  readonly pending: { readonly playbook: Playbook; readonly checkId: string; readonly dueAt: string } | null;
  readonly awaitingApproval: { readonly playbook: Playbook; readonly reason: string } | null;
  /** The run this incident started, if any. */
  readonly runId: string | null;
  readonly runPlaybook: Playbook | null;
  /** A site failover has run: the link coming back is news, never a reason to fail back. */
  readonly failedOver: boolean;
  readonly killSwitch: { readonly on: boolean; readonly by: string; readonly at: string; readonly reason: string } | null;
}

export const NO_INCIDENT: IncidentState = {
  incidentId: null,
  openedAt: null,
  lastSignalAt: null,
  circuitsDown: [],
  natLostSince: null,
  rpoBreached: false,
  failoverRules: [],
  seen: [],
  pending: null,
  awaitingApproval: null,
  runId: null,
  runPlaybook: null,
  failedOver: false,
  killSwitch: null,
};

/** How many dedupe keys are kept: far more than one incident's alerts, bounded so the row stays small. */
export const SEEN_LIMIT = 200;
