import { api, ApiError } from "../api.js";
import { duration, h, when, type Child } from "../dom.js";
import { roleAllows } from "../permissions.js";
import { actionButton, checkbox, message, radioGroup, section, statusBadge, table, textInput, type Choice } from "../ui.js";
import type { ConsoleState } from "../types.js";

/** POST /api/failover's dry-run answer (shared/runs/runPreview.ts), as far as the console shows it. */
interface Preview {
  readonly mode: string;
  readonly steps: readonly { readonly id: string; readonly kind: string; readonly target: string; readonly stage: number }[];
  readonly stages: readonly (readonly string[])[];
  readonly vms: readonly {
    readonly vm: string;
    readonly tier: string;
    readonly vault: string;
    readonly region: string;
    readonly recoveryPoint?: { readonly time: string; readonly type: string; readonly ageSeconds: number; readonly explanation: string };
    readonly problem?: string;
    /** Failback preparation: whether ASR offers reprotect. */
    readonly reprotect?: { readonly possible: boolean; readonly detail: string };
    /** Failback: how far replication back to vSphere is. */
    readonly failback?: {
      readonly ready: boolean;
      readonly protectionState: string;
      readonly replicationHealth: string;
      readonly progressPercentage?: number;
      readonly probeOnPremises: string | null;
      readonly detail: string;
    };
  }[];
  readonly dnsChanges: readonly {
    readonly record: string;
    readonly zoneType: string;
    readonly from: readonly string[] | null;
    readonly to: readonly string[];
    /** Failback: what the restore does with the record, in words. */
    readonly detail?: string;
  }[];
  readonly routeChanges: readonly {
    readonly route: string;
    readonly from: string | null;
    readonly to?: string | null;
    readonly nextHopVm?: string;
    readonly detail?: string;
  }[];
  /** Names in the AD-integrated DNS on the domain controllers (shared/runs/adDnsPreview.ts): `from` null until the run reads it on the DC. */
  readonly adDnsChanges: readonly {
    readonly record: string;
    readonly zone: string;
    readonly from: readonly string[] | null;
    readonly to: readonly string[] | null;
    readonly ttl: number | null;
    readonly detail: string;
  }[];
  /** The last nightly check's findings that are not green on forwarders, recovery VNet DNS servers, routes and AD names. */
  readonly networkFindings: readonly {
    readonly check: string;
    readonly status: string;
    readonly reason: string;
    readonly advice: readonly string[];
    readonly checkedAt: string;
  }[];
  readonly approvalsNeeded: readonly { readonly decision: string; readonly role: string; readonly when: string }[];
  readonly capacity?: readonly { readonly region: string; readonly status: string; readonly reason: string; readonly request: readonly string[] }[];
  readonly notes: readonly string[];
  readonly problems: readonly { readonly message: string; readonly vm?: string }[];
  readonly previewedAt: string;
}

type Body = Record<string, unknown>;

/** The modes a person starts here; every one but the drill changes production, so its start is confirmed by typing the estate's name. */
const MODES = [
  { value: "test", label: "Drill (test failover into the isolated network)", production: false },
  { value: "unplanned", label: "Failover of production", production: true },
  { value: "failback-prep", label: "Failback preparation (reprotect towards vSphere)", production: true },
  { value: "failback", label: "Failback (planned failover back to vSphere)", production: true },
] as const;
const touchesProduction = (mode: string): boolean => MODES.some((m) => m.value === mode && m.production);

const POINTS = [
  { value: "default", label: "The estate's default" },
  { value: "latest", label: "Latest (lowest RPO)" },
  { value: "latestProcessed", label: "Latest processed (lowest RTO)" },
  { value: "latestAppConsistent", label: "Latest app-consistent" },
  { value: "at", label: "At or before a time" },
] as const;

/** A drill or a failover: mode, scope and recovery point, the dry-run preview first, then a start that production runs confirm by typing the estate's name. */
export function startView(state: ConsoleState, opened: (runId: string) => void): HTMLElement {
  const allowed = roleAllows(state.me, "start");
  const mode = radioGroup("start-mode", "What", MODES, "test");
  const scope = radioGroup(
    "start-scope",
    "Scope",
    [
      { value: "all", label: "The whole estate" },
      { value: "tiers", label: "Tiers" },
      { value: "vms", label: "VMs" },
    ],
    "all",
  );
  const tiers = state.estate.tiers.map((t) => checkbox(`tier-${t.name}`, `${t.name} (${t.vms.length} VM)`, { value: t.name, "data-tier": t.name }));
  const vms = state.estate.tiers.flatMap((t) => t.vms.map((vm) => checkbox(`vm-${vm.name}`, vm.name, { value: vm.name, "data-vm": vm.name })));
  // Ticking a tier or a VM is choosing that scope: nobody has to set the radio first.
  const scopeBy = (kind: string, boxes: readonly { input: Choice }[]): void =>
    boxes.forEach((b) =>
      b.input.addEventListener("change", () => {
        if (b.input.checked === true) scope.group.value = kind;
      }),
    );
  scopeBy("tiers", tiers);
  scopeBy("vms", vms);
  const defaultPoint =
    state.estate.recoveryPoint === undefined
      ? ""
      : typeof state.estate.recoveryPoint === "string"
        ? state.estate.recoveryPoint
        : `at ${state.estate.recoveryPoint.at}`;
  const point = radioGroup(
    "start-point",
    "Recovery point",
    POINTS.map((p) => (p.value === "default" && defaultPoint ? { ...p, label: `${p.label} (${defaultPoint})` } : p)),
    "default",
  );
  const pointAt = textInput("start-point-time", "Time (ISO 8601 with offset, within the retention)", "2026-03-07T02:45:00Z");
  const failbackPoint = radioGroup(
    "start-failback-point",
    "Failback recovery point",
    [
      { value: "default", label: "The product's default" },
      { value: "ApplicationConsistent", label: "Application-consistent" },
      { value: "CrashConsistent", label: "Crash-consistent" },
    ],
    "default",
  );
  const failoverRunId = textInput("start-failover-run", "Failover run being undone (blank: the latest succeeded failover)", "run-…");
  const reason = textInput("start-reason", "Reason", "why, in a few words");
  const out = h("div", { id: "preview", "aria-live": "polite" });

  const pointFields = h("div", { class: "mode-fields", id: "point-fields" }, point.field, pointAt);
  const failbackFields = h("div", { class: "mode-fields", id: "failback-fields" }, failbackPoint.field);
  const roundTripFields = h("div", { class: "mode-fields", id: "round-trip-fields" }, failoverRunId);
  /** Only the fields the chosen mode takes are shown: a failback uses no failover recovery point, and the way back names the failover it undoes. */
  const fitMode = (): void => {
    const m = mode.group.value ?? "test";
    pointFields.hidden = m !== "test" && m !== "unplanned";
    failbackFields.hidden = m !== "failback";
    roundTripFields.hidden = m !== "failback" && m !== "failback-prep";
    pointAt.hidden = point.group.value !== "at";
  };
  fitMode();

  const body = (dryRun: boolean): Body => {
    const m = mode.group.value ?? "test";
    const chosen = (boxes: readonly { input: Choice }[]): string[] =>
      boxes.filter((b) => b.input.checked === true).map((b) => b.input.getAttribute("value") ?? "");
    const by = scope.group.value ?? "all";
    const names = by === "tiers" ? chosen(tiers) : by === "vms" ? chosen(vms) : [];
    const p = point.group.value ?? "default";
    const at = (pointAt.value ?? "").trim();
    const fb = failbackPoint.group.value ?? "default";
    const undoes = (failoverRunId.value ?? "").trim();
    return {
      mode: m,
      // An empty choice is sent as it is, so the API's refusal names the field.
      scope: by === "all" ? "all" : { [by]: names },
      ...((m === "test" || m === "unplanned") && p !== "default" ? { recoveryPoint: p === "at" ? { at } : p } : {}),
      ...(m === "failback" && fb !== "default" ? { failbackPoint: fb } : {}),
      ...((m === "failback" || m === "failback-prep") && undoes ? { failoverRunId: undoes } : {}),
      reason: reason.value ?? "",
      dryRun,
    };
  };
  // A preview is of one request: changing the form takes it away, so nobody starts what they did not preview.
  const form = section(
    "Request",
    mode.field,
    roundTripFields,
    scope.field,
    h(
      "fieldset",
      { class: "names" },
      h("legend", {}, "Tiers"),
      tiers.map((t) => t.field),
    ),
    h(
      "fieldset",
      { class: "names" },
      h("legend", {}, "VMs"),
      vms.map((v) => v.field),
    ),
    pointFields,
    failbackFields,
    reason,
    h(
      "p",
      {},
      actionButton("Preview (dry run)", allowed, () => void preview(), { id: "preview-button" }),
    ),
  );
  const changed = (): void => {
    fitMode();
    if (out.childElementCount > 0 && !out.querySelector("fluent-spinner"))
      out.replaceChildren(message("info", "The request changed: preview it again before starting."));
  };
  form.addEventListener("change", changed);
  form.addEventListener("input", (event) => {
    if ((event.target as HTMLElement).closest("#start-reason, #start-point-time, #start-failover-run")) changed();
  });

  const start = async (previewed: Body): Promise<void> => {
    try {
      const started = await api<{ runId: string }>("POST", "/api/failover", { ...previewed, dryRun: false });
      opened(started.runId);
    } catch (error) {
      out.append(message("error", error instanceof ApiError ? error.detail : String(error)));
    }
  };
  const preview = async (): Promise<void> => {
    const previewed = body(true);
    out.replaceChildren(h("fluent-spinner", { size: "small" }), " Previewing…");
    try {
      const p = await api<Preview>("POST", "/api/failover", previewed);
      out.replaceChildren(previewOf(p, state, String(previewed["mode"]), () => void start(previewed)));
    } catch (error) {
      out.replaceChildren(message("error", error instanceof ApiError ? error.detail : String(error)));
    }
  };
  return h(
    "div",
    { class: "view", id: "view-start" },
    h("h1", {}, "Start a drill or a failover"),
    !allowed.enabled && message("info", `Starting a run ${allowed.reason}. You can still read the estate and the runs.`),
    form,
    out,
  );
}

/** What a VM's line says of its readiness: the recovery point a failover would use, or how far replication back is. */
function readiness(v: Preview["vms"][number]): { readonly what: Child; readonly age: string } {
  if (v.recoveryPoint) return { what: `${v.recoveryPoint.type}: ${v.recoveryPoint.explanation}`, age: duration(v.recoveryPoint.ageSeconds) };
  if (v.failback) {
    const f = v.failback;
    const progress = f.progressPercentage !== undefined ? `, ${f.progressPercentage}% replicated` : "";
    return {
      what: [
        statusBadge(f.ready ? "green" : "amber", f.ready ? "Ready" : "Not ready yet"),
        ` ${f.protectionState}, ${f.replicationHealth}${progress}: ${f.detail}`,
        f.probeOnPremises ? `; then probed on vSphere at ${f.probeOnPremises}` : "; not probed on vSphere (no onPremisesIp)",
      ],
      age: "—",
    };
  }
  if (v.reprotect)
    return { what: [statusBadge(v.reprotect.possible ? "green" : "red", v.reprotect.possible ? "Ready" : "Blocked"), ` ${v.reprotect.detail}`], age: "—" };
  return { what: v.problem !== undefined ? `Problem: ${v.problem}` : "—", age: "—" };
}

/** What the last nightly check found wrong with name resolution and routes the run relies on: it does not stop the run, so it is said beside the plan. */
function networkFindingsOf(p: Preview, state: ConsoleState): Child[] {
  const findings = p.networkFindings;
  const health = state.estate.health;
  return [
    h("h3", {}, "Network findings of the last nightly check"),
    findings.length > 0
      ? table(
          ["Check", "Status", "What was found", "Advice"],
          findings.map((f) => [
            f.check,
            statusBadge(f.status),
            `${f.reason} (checked ${when(f.checkedAt)})`,
            f.advice.length === 0
              ? "—"
              : h(
                  "ul",
                  {},
                  f.advice.map((a) => h("li", {}, a)),
                ),
          ]),
          "Network findings",
        )
      : h(
          "p",
          {},
          health === null
            ? "No nightly check has run yet: nothing is known of the DCs' forwarders, the recovery VNets' DNS servers and the routes."
            : `None: the nightly check of ${when(health.startedAt)} found the forwarders, the recovery VNets' DNS servers, the routes and the AD names in order.`,
        ),
  ];
}

const article = (role: string): string => (/^[aeiou]/i.test(role) ? "an" : "a");

function previewOf(p: Preview, state: ConsoleState, mode: string, start: () => void): HTMLElement {
  const production = touchesProduction(mode);
  const name = state.estate.name;
  const confirm = textInput("confirm-name", `Type ${name} to confirm`);
  const blocked = p.problems.length > 0;
  const go = h("div", { class: "go" });
  const label =
    mode === "test"
      ? "Start the drill"
      : mode === "unplanned"
        ? "Start the failover"
        : mode === "failback"
          ? "Start the failback"
          : "Start the failback preparation";
  const draw = (): void => {
    const typed = !production || (confirm.value ?? "").trim() === name;
    const allowed = blocked
      ? { enabled: false as const, reason: "the preview found problems (above)" }
      : typed
        ? { enabled: true as const }
        : { enabled: false as const, reason: `type ${name} to confirm a run that changes production` };
    go.replaceChildren(actionButton(label, allowed, start, { id: "start-button" }));
  };
  confirm.addEventListener("input", draw);
  draw();
  const adDns = p.adDnsChanges;
  const points = p.vms.flatMap((v) => (v.recoveryPoint ? [v.recoveryPoint.ageSeconds] : []));
  const worst = points.length > 0 ? Math.max(...points) : null;
  return section(
    "Preview (dry run: nothing was changed)",
    h("p", { class: "meta" }, `Previewed ${when(p.previewedAt)}.`),
    blocked
      ? message("error", `Problems, so the run would not start: ${p.problems.map((x) => `${x.vm ? `${x.vm}: ` : ""}${x.message}`).join("; ")}`)
      : h("p", {}, statusBadge("green", "No problem found")),
    h(
      "p",
      { class: "figures" },
      h("span", {}, h("strong", {}, `${p.steps.length} steps`), ` in ${p.stages.length} stages`),
      worst !== null &&
        h("span", { id: "data-loss" }, "Data-loss window up to ", h("strong", {}, duration(worst)), ` (RPO target ${state.estate.objectives.rpoMinutes} min)`),
    ),
    h("h3", {}, "Approvals needed"),
    p.approvalsNeeded.length === 0
      ? h("p", {}, "None: the run goes on its own once started.")
      : h(
          "ul",
          { class: "approvals" },
          p.approvalsNeeded.map((a) => h("li", {}, `${a.decision} by ${article(a.role)} ${a.role}: ${a.when}`)),
        ),
    h("h3", {}, mode === "test" || mode === "unplanned" ? "Recovery points and their age" : "VMs and their replication"),
    table(
      ["VM", "Tier", "Vault (region)", mode === "test" || mode === "unplanned" ? "Recovery point" : "State", "Age"],
      p.vms.map((v) => {
        const r = readiness(v);
        return [v.vm, v.tier, `${v.vault} (${v.region})`, r.what, r.age];
      }),
      "VMs in the run",
    ),
    h("h3", {}, "DNS changes"),
    p.dnsChanges.length === 0
      ? h("p", {}, "No DNS record changes.")
      : table(
          ["Record", "Zone", "Old → new"],
          p.dnsChanges.map((d) => [d.record, d.zoneType, `${d.from?.join(", ") || "—"} → ${d.to.join(", ")}${d.detail ? ` (${d.detail})` : ""}`]),
          "DNS changes",
        ),
    h("h3", {}, "AD-integrated DNS on the domain controllers"),
    adDns.length === 0
      ? h("p", {}, "No AD-integrated DNS name changes.")
      : table(
          ["Name", "Zone", "Old → new", "TTL"],
          adDns.map((d) => [
            d.record,
            d.zone,
            `${d.from?.join(", ") || "—"} → ${d.to?.join(", ") || "—"} (${d.detail})`,
            d.ttl === null ? "—" : `${d.ttl}\u00a0s`,
          ]),
          "AD-integrated DNS changes",
        ),
    networkFindingsOf(p, state),
    h("h3", {}, "Route changes"),
    p.routeChanges.length === 0
      ? h("p", {}, "No route changes.")
      : table(
          ["Route", "Next hop old → new"],
          p.routeChanges.map((r) => [r.route, `${r.from ?? "—"} → ${r.to ?? (r.nextHopVm ? `${r.nextHopVm}'s NIC` : "—")}${r.detail ? ` (${r.detail})` : ""}`]),
          "Route changes",
        ),
    p.capacity &&
      p.capacity.length > 0 && [
        h("h3", {}, "Target capacity"),
        table(
          ["Region", "Quota", "Reason"],
          p.capacity.map((c) => [c.region, statusBadge(c.status), [c.reason, ...c.request].join(" ")]),
          "Target capacity",
        ),
      ],
    p.notes.length > 0 && [
      h("h3", {}, "Notes"),
      h(
        "ul",
        {},
        p.notes.map((n) => h("li", {}, n)),
      ),
    ],
    h(
      "details",
      {},
      h("summary", {}, `Steps, stage by stage (${p.steps.length})`),
      h(
        "ol",
        { class: "stages" },
        p.stages.map((ids, i) =>
          h(
            "li",
            {},
            `Stage ${i + 1}: `,
            ids
              .map((id) => p.steps.find((s) => s.id === id))
              .map((s) => (s ? `${s.kind} · ${s.target}` : ""))
              .join("; "),
          ),
        ),
      ),
    ),
    production && [message("warning", "This run changes production: fail over, move DNS records and routes, or fail back."), confirm],
    go,
  );
}
