/** The API's answers as the console reads them (shared/host/http/*.ts, docs/http-api.md). */
export type Status = "green" | "amber" | "red" | "unknown";

export interface Check {
  readonly kind: string;
  readonly subject: string;
  readonly title: string;
  readonly status: Status;
  readonly reason: string;
  readonly advice: readonly string[];
}

export interface Me {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly string[];
}

export interface ConsoleState {
  readonly me: Me;
  readonly rules: { readonly separateApprover: boolean };
  readonly now: string;
  readonly estate: {
    readonly name: string;
    readonly objectives: { readonly rtoMinutes: number; readonly rpoMinutes: number };
    /** The recovery point a failover uses unless its request names one. */
    readonly recoveryPoint?: string | { readonly at: string };
    readonly tiers: readonly {
      readonly name: string;
      readonly dependsOn: readonly string[];
      readonly vms: readonly { readonly name: string; readonly vault: string; readonly status: Status; readonly checks: readonly Check[] }[];
    }[];
    readonly estateChecks: readonly Check[];
    readonly health: { readonly reportId: string; readonly startedAt: string; readonly overall: Status; readonly summary: string } | null;
  };
  readonly killSwitch: { readonly on: boolean; readonly by?: string; readonly at?: string; readonly reason?: string };
  readonly incident: {
    readonly incidentId: string | null;
    readonly openedAt: string | null;
    readonly circuitsDown: readonly { readonly id: string; readonly since: string }[];
    readonly natLostSince: string | null;
    readonly rpoBreached: boolean;
    readonly failoverSources: readonly string[];
    readonly alerts: readonly { readonly condition: string; readonly at: string }[];
    readonly awaitingApproval: { readonly playbook: string; readonly reason: string } | null;
    readonly runId: string | null;
    readonly waitingFor: readonly string[];
    readonly decisions: readonly { readonly outcome: string; readonly reason: string; readonly runId: string | null }[];
  };
  readonly activeRunId: string | null;
}

export interface StepReport {
  readonly id: string;
  readonly kind: string;
  readonly target: string;
  readonly tier: string | null;
  readonly status: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly attempts: number;
  readonly detail: string | null;
}

export interface RunDetail {
  readonly runId: string;
  readonly mode: string;
  readonly trigger: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly outcome: "running" | "succeeded" | "failed" | "cancelled";
  readonly failureReason: string | null;
  readonly rtoSeconds: number;
  readonly rtoFromDetectionSeconds: number;
  readonly detectedAt: string;
  readonly recovered: boolean;
  readonly rtoTargetSeconds: number;
  readonly dataLossWindowSeconds: number | null;
  readonly rpoTargetSeconds: number;
  readonly dnsChanges: readonly { readonly record: string; readonly zoneType: string; readonly from: readonly string[]; readonly to: readonly string[] }[];
  readonly routeChanges: readonly { readonly route: string; readonly routeTable: string; readonly from: string | null; readonly to: string }[];
  readonly tiers: readonly string[];
  readonly estateAfter: { readonly summary: string; readonly nextSteps: readonly string[] };
  readonly notes: readonly string[];
  readonly steps: readonly StepReport[];
  readonly requestedBy: string | null;
  readonly awaiting: readonly { readonly decision: string }[];
  readonly automaticCleanup: {
    readonly dueAt: string | null;
    readonly done: { readonly outcome: string; readonly at: string; readonly runId?: string } | null;
  } | null;
}

export interface RunSummary {
  readonly runId: string;
  readonly mode: string;
  readonly trigger: string;
  readonly status: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly failureReason?: string;
}
