/**
 * Where green turns amber and amber turns red, beyond the estate's own objectives (RPO 30 min,
 * app-consistent every 60 min, 5 days of retention, RTO 60 min). Each one is named in the report.
 */
export interface HealthThresholds {
  /** RPO turns amber at this share of the RPO objective, before it is breached. */
  readonly rpoAmberRatio: number;
  /** The newest app-consistent point is late past this many app-consistent intervals (amber), and stale past `appConsistentRedIntervals` (red). */
  readonly appConsistentAmberIntervals: number;
  readonly appConsistentRedIntervals: number;
  /** Recovery points must reach back this share of the retention objective. */
  readonly retentionCoverageRatio: number;
  /** Mobility agent heartbeat age (minutes). */
  readonly agentHeartbeatAmberMinutes: number;
  readonly agentHeartbeatRedMinutes: number;
  /** Warn this many days before the agent version's support ends. */
  readonly agentExpiryWarningDays: number;
  /** A VM whose last successful test failover is older than this is amber. */
  readonly testFailoverMaxAgeDays: number;
  /** Target DC Heartbeat age (minutes); the agent sends one a minute. */
  readonly dcHeartbeatAmberMinutes: number;
  readonly dcHeartbeatRedMinutes: number;
  /** ExpressRoute BGP/ARP availability (%) below this is amber; below the red one (or no data) red. */
  readonly availabilityAmberPercent: number;
  readonly availabilityRedPercent: number;
  /** A record's current TTL above this share of the RTO makes the DNS flip too slow (red). */
  readonly dnsTtlRtoShare: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = Object.freeze({
  rpoAmberRatio: 0.5,
  appConsistentAmberIntervals: 1.5,
  appConsistentRedIntervals: 3,
  retentionCoverageRatio: 0.9,
  agentHeartbeatAmberMinutes: 15,
  agentHeartbeatRedMinutes: 60,
  agentExpiryWarningDays: 30,
  testFailoverMaxAgeDays: 90,
  dcHeartbeatAmberMinutes: 5,
  dcHeartbeatRedMinutes: 15,
  availabilityAmberPercent: 100,
  availabilityRedPercent: 50,
  dnsTtlRtoShare: 0.1,
});
