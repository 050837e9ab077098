/**
 * Which actions a person may take on a run, and why not: the same rules the API applies
 * (shared/host/http/runActions.ts roles, shared/runs/runControl.ts decisions), so a button is never
 * offered that would only be refused. Pure: no DOM, tested on its own.
 */
export type RunActionName = "approve" | "commit" | "cleanup" | "cancel" | "resume" | "extend-cleanup";
export type Allowed = { readonly enabled: true } | { readonly enabled: false; readonly reason: string };

/** The least role of each action; an admin may do everything. */
export const ACTION_ROLE: Readonly<Record<RunActionName | "start" | "killSwitch" | "approveIncident", string>> = {
  approve: "approver",
  commit: "approver",
  cleanup: "operator",
  cancel: "operator",
  resume: "operator",
  "extend-cleanup": "operator",
  start: "operator",
  killSwitch: "admin",
  approveIncident: "approver",
};

export interface RunFacts {
  readonly mode: string;
  readonly outcome: string;
  readonly requestedBy: string | null;
  readonly awaiting: readonly { readonly decision: string }[];
  readonly steps: readonly { readonly kind: string; readonly target: string; readonly status: string }[];
  /** A failed or cancelled drill's automatic cleanup (GET /api/runs/{id}): when due, and what it did once it ran. */
  readonly automaticCleanup?: { readonly dueAt: string | null; readonly done: { readonly outcome: string; readonly at: string } | null } | null;
}

export interface Person {
  readonly id: string;
  readonly roles: readonly string[];
}

export function hasRole(person: Person, role: string): boolean {
  return person.roles.includes(role) || person.roles.includes("admin");
}

export function roleAllows(person: Person, action: keyof typeof ACTION_ROLE): Allowed {
  const role = ACTION_ROLE[action];
  if (hasRole(person, role)) return { enabled: true };
  const yours = person.roles.length > 0 ? person.roles.join(", ") : "no role";
  return { enabled: false, reason: `needs the ${role} role (you have ${yours})` };
}

/** "has succeeded", "was cancelled": how a finished run is spoken of. */
const ended = (outcome: string): string => (outcome === "cancelled" ? "was cancelled" : `has ${outcome}`);

const samePerson = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function runAction(action: RunActionName, run: RunFacts, person: Person, separateApprover: boolean): Allowed {
  const role = roleAllows(person, action);
  if (!role.enabled) return role;
  const running = run.outcome === "running";
  const awaits = (d: string): boolean => run.awaiting.some((a) => a.decision === d);
  switch (action) {
    case "approve":
      if (!running || !awaits("approve")) return { enabled: false, reason: "the run does not wait for approval" };
      if (separateApprover && run.requestedBy !== null && samePerson(run.requestedBy, person.id))
        return { enabled: false, reason: "you requested this run: another approver must approve it" };
      return { enabled: true };
    case "commit":
      if (run.mode !== "unplanned") return { enabled: false, reason: "only an unplanned failover is committed" };
      if (!running || !awaits("commit")) return { enabled: false, reason: "commit waits until every tier is failed over and checked" };
      return { enabled: true };
    case "cleanup":
      if (run.mode !== "test") return { enabled: false, reason: "only a test failover is cleaned up" };
      // A failed or cancelled drill's test VMs are swept up on request (POST .../cleanup starts a cleanup run).
      if (!running)
        return run.outcome === "succeeded"
          ? { enabled: false, reason: "the drill cleaned up after itself" }
          : run.automaticCleanup?.done && run.automaticCleanup.done.outcome !== "gaveUp"
            ? { enabled: false, reason: `the automatic cleanup already ran (${run.automaticCleanup.done.outcome} at ${run.automaticCleanup.done.at})` }
            : { enabled: true };
      if (!run.steps.some((s) => s.kind === "awaitDecision" && s.target === "cleanup")) return { enabled: false, reason: "this drill cleans up on its own" };
      return { enabled: true };
    case "cancel":
      return running ? { enabled: true } : { enabled: false, reason: `the run ${ended(run.outcome)}` };
    case "resume":
      if (run.outcome !== "failed")
        return { enabled: false, reason: run.outcome === "cancelled" ? "a cancelled run is not resumed: start a new one" : "only a failed run is resumed" };
      if (!run.steps.some((s) => s.status === "failed")) return { enabled: false, reason: "no failed step to retry" };
      return { enabled: true };
    case "extend-cleanup": {
      if (run.mode !== "test") return { enabled: false, reason: "only a drill's automatic cleanup is put off" };
      if (running) return { enabled: false, reason: "the drill is running: its cleanup follows its plan" };
      const cleanup = run.automaticCleanup;
      if (!cleanup) return { enabled: false, reason: run.outcome === "succeeded" ? "the drill cleaned up after itself" : "this run has no automatic cleanup" };
      if (cleanup.done) return { enabled: false, reason: `the automatic cleanup already ran (${cleanup.done.outcome} at ${cleanup.done.at})` };
      return { enabled: true };
    }
  }
}
