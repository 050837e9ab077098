import { api, ApiError } from "../api.js";
import { duration, h } from "../dom.js";
import { roleAllows } from "../permissions.js";
import { actionButton, message, section, table, textInput } from "../ui.js";
import type { ConsoleState } from "../types.js";

interface Preview {
  readonly steps: readonly { readonly id: string; readonly kind: string; readonly target: string; readonly stage: number }[];
  readonly vms: readonly {
    readonly vm: string;
    readonly tier: string;
    readonly recoveryPoint?: { readonly time: string; readonly type: string; readonly ageSeconds: number; readonly explanation: string };
    readonly problem?: string;
  }[];
  readonly dnsChanges: readonly { readonly record: string; readonly from: readonly string[] | null; readonly to: readonly string[] }[];
  readonly routeChanges: readonly { readonly route: string; readonly from: string | null; readonly nextHopVm: string; readonly detail: string }[];
  readonly approvalsNeeded: readonly { readonly decision: string; readonly role: string; readonly when: string }[];
  readonly notes: readonly string[];
  readonly problems: readonly { readonly message: string; readonly vm?: string }[];
}

type Field = HTMLElement & { value?: string; checked?: boolean };

/** A drill or a failover: the dry-run preview first, then a start that production runs confirm by typing the estate's name. */
export function startView(state: ConsoleState, opened: (runId: string) => void): HTMLElement {
  const allowed = roleAllows(state.me, "start");
  // One choice, drill unless ticked: a drill never touches production, so it is what an untouched form starts.
  const production = h(
    "fluent-checkbox",
    { id: "mode-production" },
    "Unplanned failover of production (unticked: a drill into the isolated test network)",
  ) as Field;
  const tiers = state.estate.tiers.map((t) => h("fluent-checkbox", { value: t.name, "data-tier": t.name }, `${t.name} (${t.vms.length} VM)`) as Field);
  const reason = textInput("start-reason", "Reason", "why, in a few words") as Field;
  const out = h("div", { id: "preview", "aria-live": "polite" });
  const body = (dryRun: boolean): Record<string, unknown> => {
    const chosen = tiers.filter((t) => t.checked === true).map((t) => t.value);
    return {
      mode: production.checked === true ? "unplanned" : "test",
      scope: chosen.length === 0 ? "all" : { tiers: chosen },
      reason: reason.value ?? "",
      dryRun,
    };
  };
  const start = async (): Promise<void> => {
    try {
      const started = await api<{ runId: string }>("POST", "/api/failover", body(false));
      opened(started.runId);
    } catch (error) {
      out.append(message("error", error instanceof ApiError ? error.detail : String(error)));
    }
  };
  const preview = async (): Promise<void> => {
    out.replaceChildren(h("fluent-spinner", { size: "small" }), " Previewing…");
    try {
      const p = await api<Preview>("POST", "/api/failover", body(true));
      out.replaceChildren(previewOf(p, state, production.checked === true, () => void start()));
    } catch (error) {
      out.replaceChildren(message("error", error instanceof ApiError ? error.detail : String(error)));
    }
  };
  return h(
    "div",
    { class: "view", id: "view-start" },
    h("h1", {}, "Start a drill or a failover"),
    !allowed.enabled && message("info", `Starting a run ${allowed.reason}. You can still read the estate and the runs.`),
    section(
      "Request",
      production,
      h("fieldset", { class: "tiers" }, h("legend", {}, "Scope: tiers (none ticked: the whole estate)"), tiers),
      reason,
      h(
        "p",
        {},
        actionButton("Preview (dry run)", allowed, () => void preview(), { id: "preview-button" }),
      ),
    ),
    out,
  );
}

function previewOf(p: Preview, state: ConsoleState, production: boolean, start: () => void): HTMLElement {
  const confirm = textInput("confirm-name", `Type the estate's name (${state.estate.name}) to fail production over`) as Field;
  const blocked = p.problems.length > 0;
  const go = h("div", { class: "go" });
  const draw = (): void => {
    const typed = !production || (confirm.value ?? "").trim() === state.estate.name;
    const allowed = blocked
      ? { enabled: false as const, reason: "the preview found problems (above)" }
      : typed
        ? { enabled: true as const }
        : { enabled: false as const, reason: `type ${state.estate.name} to confirm a production failover` };
    go.replaceChildren(actionButton(production ? "Start the failover" : "Start the drill", allowed, start, { id: "start-button" }));
  };
  confirm.addEventListener("input", draw);
  draw();
  const worst = Math.max(0, ...p.vms.map((v) => v.recoveryPoint?.ageSeconds ?? 0));
  return section(
    "Preview",
    blocked && message("error", `Problems: ${p.problems.map((x) => `${x.vm ? `${x.vm}: ` : ""}${x.message}`).join("; ")}`),
    h(
      "p",
      {},
      `${p.steps.length} steps in ${new Set(p.steps.map((s) => s.stage)).size} stages; data-loss window up to ${duration(worst)} (RPO target ${state.estate.objectives.rpoMinutes} min).`,
    ),
    p.approvalsNeeded.length > 0 &&
      h(
        "ul",
        { class: "approvals" },
        p.approvalsNeeded.map((a) => h("li", {}, `${a.decision} by a ${a.role}: ${a.when}`)),
      ),
    table(
      ["VM", "Tier", "Recovery point", "Age"],
      p.vms.map((v) => [
        v.vm,
        v.tier,
        v.recoveryPoint ? `${v.recoveryPoint.type}: ${v.recoveryPoint.explanation}` : (v.problem ?? "—"),
        duration(v.recoveryPoint?.ageSeconds),
      ]),
      "Recovery points",
    ),
    table(
      ["DNS record", "Old → new"],
      p.dnsChanges.map((d) => [d.record, `${d.from?.join(", ") ?? "—"} → ${d.to.join(", ")}`]),
      "DNS changes",
    ),
    table(
      ["Route", "Old → new"],
      p.routeChanges.map((r) => [r.route, `${r.from ?? "—"} → ${r.nextHopVm}'s NIC (${r.detail})`]),
      "Route changes",
    ),
    p.notes.length > 0 &&
      h(
        "ul",
        {},
        p.notes.map((n) => h("li", {}, n)),
      ),
    h(
      "details",
      {},
      h("summary", {}, "Steps"),
      h(
        "ol",
        {},
        p.steps.map((s) => h("li", {}, `stage ${s.stage}: ${s.kind} · ${s.target}`)),
      ),
    ),
    production && confirm,
    go,
  );
}
