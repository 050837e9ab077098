import { z } from "zod";
import { issueText } from "../config/zodIssues.js";

/** A name usable in step ids and Table Storage row keys. */
const Name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, '.', '_' or '-'");
const ArmId = z.string().regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/.+/i, "an ARM resource id");
const Ipv4 = z.ipv4();

/**
 * In-guest checks after a VM's failover. `domainSecureChannel` is for domain members only: on a
 * domain controller Test-ComputerSecureChannel "returns false positive errors" (its Microsoft docs);
 * DCs get `domainController` (directory services running, advertising, DC locator record).
 */
export const GuestCheck = z.enum(["domainSecureChannel", "domainController", "databaseReachable"]);
export type GuestCheck = z.infer<typeof GuestCheck>;

/** See domain/recoveryPoint.ts: `latest` is ASR's lowest-RPO choice, `latestProcessed` its lowest-RTO one. */
export const RecoveryPointChoice = z.union([
  z.literal("latest"),
  z.literal("latestProcessed"),
  z.literal("latestAppConsistent"),
  z.strictObject({ at: z.iso.datetime({ offset: true }) }),
]);
export type RecoveryPointChoice = z.infer<typeof RecoveryPointChoice>;

/**
 * The classic VMware-to-Azure architecture (Configuration Server, provider InMageAzureV2) was retired
 * on 30 March 2026 (learn.microsoft.com/azure/site-recovery/vmware-physical-azure-classic-deprecation):
 * only the modernized appliance (InMageRcm) is supported, and an estate naming the classic one is told so.
 */
const Provider = z.literal("InMageRcm", {
  error: (issue) =>
    issue.input === "InMageAzureV2"
      ? "the classic architecture (Configuration Server, InMageAzureV2) was retired on 30 March 2026: move the VMs to the modernized replication appliance (InMageRcm) and set provider to 'InMageRcm'"
      : "must be 'InMageRcm' (VMware-to-Azure with the modernized replication appliance)",
});

const Vault = z.strictObject({
  resourceGroup: z.string().min(1),
  name: z.string().min(1),
  region: z.string().min(1),
  /** ASR replication provider of the VMware-to-Azure items in this vault. */
  provider: Provider,
  fabric: z.string().min(1),
  protectionContainer: z.string().min(1),
  /** Isolated VNet used by test failovers, so a drill never touches production. */
  testNetworkId: ArmId,
  /**
   * What ASR needs to reprotect a failed-over VM back to vSphere (InMageRcm reprotect input, as
   * Azure PowerShell's Update-AzRecoveryServicesAsrProtectionDirection sends it): the appliance's
   * reprotect agent, the vSphere datastore, the log storage account and optionally the policy.
   * Absent: no failback preparation.
   */
  reprotect: z
    .strictObject({
      reprotectAgentId: z.string().min(1),
      datastoreName: z.string().min(1),
      logStorageAccountId: ArmId,
      /** Replication policy of the reverse direction (ARM id). */
      policyId: z.string().min(1).optional(),
    })
    .optional(),
});
export type Vault = z.infer<typeof Vault>;

const HealthProbe = z.strictObject({
  port: z.number().int().min(1).max(65535),
  path: z.string().startsWith("/"),
  scheme: z.enum(["http", "https"]).default("http"),
});

const Tier = z.strictObject({
  name: Name,
  /** Tiers that must be failed over and healthy before this one starts. */
  dependsOn: z.array(Name).default([]),
  /** In-guest checks run with Run Command on each VM after its failover. */
  guestChecks: z.array(GuestCheck).default([]),
  /** HTTP health probe of each VM after its failover. */
  healthProbe: HealthProbe.optional(),
});
export type Tier = z.infer<typeof Tier>;

const Vm = z.strictObject({
  name: Name,
  tier: Name,
  vault: Name,
  /** Name of the replication protected item in the vault. */
  protectedItem: z.string().min(1),
  os: z.enum(["windows", "linux"]),
  /** A domain controller (gets DC checks, never the member secure-channel check). */
  role: z.enum(["domainController", "member"]).default("member"),
  /** The Azure VM that ASR creates on failover (target of Run Command and probes). */
  recoveryVmId: ArmId,
  recoveryIp: Ipv4,
});
export type Vm = z.infer<typeof Vm>;

const DnsRecord = z.strictObject({
  tier: Name,
  zoneType: z.enum(["public", "private"]),
  resourceGroup: z.string().min(1),
  zone: z.string().min(1),
  /** Relative record set name ('@' for the apex). */
  name: z.string().min(1),
  /** A records only: the failover moves names to the recovered VMs' addresses. */
  failoverAddresses: z.array(Ipv4).min(1),
  ttl: z.number().int().min(1).max(86_400),
});
export type DnsRecord = z.infer<typeof DnsRecord>;

const Route = z.strictObject({
  tier: Name,
  resourceGroup: z.string().min(1),
  routeTable: z.string().min(1),
  route: z.string().min(1),
  addressPrefix: z.string().min(1),
  /**
   * The NAT/firewall VM the route goes through, a VM of the route's tier. After its failover the
   * route's next hop is the private IP its primary NIC really has (read then, never written here),
   * and IP forwarding is enabled on that NIC: Azure drops what a VM forwards otherwise.
   */
  nextHopVm: Name,
});
export type Route = z.infer<typeof Route>;

/** Which alerts mean what, and how automatic the response is (DESIGN.md, item 1). */
const Alerting = z.strictObject({
  /** ExpressRoute circuits carrying the site's link: Active/Passive, so both down is the outage. */
  expressRouteCircuits: z.array(z.strictObject({ id: ArmId, role: z.enum(["active", "passive"]) })).min(1),
  /** The NAT/firewall VM: Azure resource ids its metric/Resource Health alerts target, and its heartbeat computer name. */
  natVm: z.strictObject({ vm: Name, resourceIds: z.array(ArmId).default([]), heartbeatComputer: z.string().min(1) }),
  /** Log search alert rules over the ASR tables that report an RPO breach. */
  rpoAlertRules: z.array(z.string().min(1)).default([]),
  /** A failover signal must still hold after this long (checked with a scheduled message). */
  debounceSeconds: z.number().int().min(0).max(3600).default(120),
  /** A full site failover also needs a second, independent signal to agree (default of `playbooks.site`). */
  requireSecondSignal: z.boolean().default(false),
  /** Automatic failovers wait for a human approval instead of starting (default of both playbooks). */
  approvalRequired: z.boolean().default(false),
  /** Per playbook (site: full site failover, edge: NAT/firewall tier); unset fields fall back to the two above. */
  playbooks: z
    .strictObject({
      site: z.strictObject({ requireSecondSignal: z.boolean().optional(), approvalRequired: z.boolean().optional() }).default({}),
      edge: z.strictObject({ requireSecondSignal: z.boolean().optional(), approvalRequired: z.boolean().optional() }).default({}),
    })
    .default({ site: {}, edge: {} }),
  /** Log search alert rules on the on-premises site's agents' Heartbeat: an independent second signal for a site outage. */
  siteHeartbeatAlertRules: z.array(z.string().min(1)).default([]),
  /** A Fired alert older than this (by its firedDateTime) is refused: it describes the past, not now. */
  maxAlertAgeMinutes: z.number().int().min(1).max(1440).default(30),
  /** After a run ends, new signals join history instead of starting another run. */
  cooldownMinutes: z.number().int().min(0).default(60),
  /** Incidents whose signals all cleared this long ago are closed. */
  incidentWindowMinutes: z.number().int().min(1).default(120),
});
export type Alerting = z.infer<typeof Alerting>;

/** What the nightly health check reads beyond ASR (DESIGN.md, item 3). */
const HealthCheckSettings = z.strictObject({
  /** Log Analytics workspace id (a GUID) that receives the target DC's Heartbeat. */
  logAnalyticsWorkspaceId: z.uuid(),
  /** Azure region of each ExpressRoute circuit resource, by circuit id: Monitor's metrics batch API is regional. */
  circuitRegions: z.record(z.string(), z.string().min(1)).default({}),
  /** Workspace id (a GUID) that receives the vaults' Site Recovery logs and that the RPO alert rule queries (infra output LOG_ANALYTICS_WORKSPACE_ID). */
  asrLogsWorkspaceId: z.uuid().optional(),
});
export type HealthCheckSettings = z.infer<typeof HealthCheckSettings>;

export const EstateSchema = z.strictObject({
  name: Name,
  subscriptionId: z.uuid(),
  objectives: z.strictObject({
    rtoMinutes: z.number().positive(),
    rpoMinutes: z.number().positive(),
    appConsistentFrequencyMinutes: z.number().positive(),
    retentionDays: z.number().positive(),
  }),
  vaults: z.record(Name, Vault),
  /**
   * The domain controller that already runs in the target region; no failover starts without it.
   * It is checked over the network at `address` (its DNS, LDAP and Kerberos), without running code on it.
   */
  targetDomainController: z.strictObject({ vmId: ArmId, address: Ipv4, domain: z.string().min(1) }),
  /**
   * Drills follow Microsoft's guidance for AD with Site Recovery: one DC, not all, is failed over into
   * the isolated test network, and the drill's DC check runs on it. Default: the first DC in `vms`.
   */
  drill: z.strictObject({ domainController: Name.optional() }).default({}),
  database: z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }),
  tiers: z.array(Tier).min(1),
  vms: z.array(Vm).min(1),
  dns: z.array(DnsRecord).default([]),
  routes: z.array(Route).default([]),
  recoveryPoint: RecoveryPointChoice.default("latest"),
  alerting: Alerting,
  healthCheck: HealthCheckSettings.optional(),
});
export type Estate = z.infer<typeof EstateSchema>;

export class EstateConfigError extends Error {
  override readonly name = "EstateConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`Estate config is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Parses and cross-checks an estate; throws one error listing every problem by its path. */
export function parseEstate(input: unknown): Estate {
  const parsed = EstateSchema.safeParse(input);
  if (!parsed.success) {
    throw new EstateConfigError(parsed.error.issues.map((i) => issueText(i, "(root)", "bracketed")));
  }
  const estate = parsed.data;
  const problems = crossCheck(estate);
  if (problems.length > 0) throw new EstateConfigError(problems);
  return deepFreeze(estate);
}

function crossCheck(estate: Estate): string[] {
  const problems: string[] = [];
  const tierNames = new Set<string>();
  estate.tiers.forEach((tier, i) => {
    if (tierNames.has(tier.name)) problems.push(`tiers[${i}].name: duplicate tier '${tier.name}'`);
    tierNames.add(tier.name);
  });
  estate.tiers.forEach((tier, i) =>
    tier.dependsOn.forEach((dep, j) => {
      if (!tierNames.has(dep)) problems.push(`tiers[${i}].dependsOn[${j}]: unknown tier '${dep}'`);
    }),
  );
  const cycle = findCycle(estate.tiers);
  if (cycle) problems.push(`tiers: dependency cycle ${cycle.join(" -> ")}`);

  const vmNames = new Set<string>();
  const protectedItems = new Set<string>();
  estate.vms.forEach((vm, i) => {
    if (vmNames.has(vm.name)) problems.push(`vms[${i}].name: duplicate VM '${vm.name}'`);
    vmNames.add(vm.name);
    const itemKey = `${vm.vault}/${vm.protectedItem}`;
    if (protectedItems.has(itemKey)) problems.push(`vms[${i}].protectedItem: '${vm.protectedItem}' is used twice in vault '${vm.vault}'`);
    protectedItems.add(itemKey);
    if (!tierNames.has(vm.tier)) problems.push(`vms[${i}].tier: unknown tier '${vm.tier}'`);
    if (!(vm.vault in estate.vaults)) problems.push(`vms[${i}].vault: unknown vault '${vm.vault}'`);
  });
  estate.tiers.forEach((tier, i) => {
    if (!estate.vms.some((vm) => vm.tier === tier.name)) problems.push(`tiers[${i}]: tier '${tier.name}' has no VMs`);
    const tierVms = estate.vms.filter((vm) => vm.tier === tier.name);
    if (tier.guestChecks.includes("domainSecureChannel") && tierVms.some((vm) => vm.os !== "windows")) {
      problems.push(`tiers[${i}].guestChecks: domainSecureChannel needs Windows VMs, but tier '${tier.name}' has Linux VMs`);
    }
    const dcs = tierVms.filter((vm) => vm.role === "domainController").map((vm) => vm.name);
    if (tier.guestChecks.includes("domainSecureChannel") && dcs.length > 0) {
      problems.push(
        `tiers[${i}].guestChecks: domainSecureChannel gives false failures on domain controllers (${dcs.join(", ")}): Test-ComputerSecureChannel works on domain members only; use 'domainController' for DCs and keep DCs and members in separate tiers`,
      );
    }
    const members = tierVms.filter((vm) => vm.role !== "domainController").map((vm) => vm.name);
    if (tier.guestChecks.includes("domainController") && members.length > 0) {
      problems.push(
        `tiers[${i}].guestChecks: domainController checks domain controllers, but tier '${tier.name}' also has ${members.join(", ")} (not role 'domainController')`,
      );
    }
  });
  estate.dns.forEach((record, i) => {
    if (!tierNames.has(record.tier)) problems.push(`dns[${i}].tier: unknown tier '${record.tier}'`);
  });
  const dnsKeys = new Set<string>();
  estate.dns.forEach((record, i) => {
    const key = `${record.zoneType}/${record.zone}/${record.name}`;
    if (dnsKeys.has(key)) problems.push(`dns[${i}]: record '${record.name}' in zone '${record.zone}' is listed twice`);
    dnsKeys.add(key);
  });
  estate.routes.forEach((route, i) => {
    if (!tierNames.has(route.tier)) problems.push(`routes[${i}].tier: unknown tier '${route.tier}'`);
    const hop = estate.vms.find((vm) => vm.name === route.nextHopVm);
    if (!hop) problems.push(`routes[${i}].nextHopVm: unknown VM '${route.nextHopVm}'`);
    // The route follows its tier's failover, so only a VM recovered with that tier can be its next hop.
    else if (hop.tier !== route.tier)
      problems.push(
        `routes[${i}].nextHopVm: '${hop.name}' is in tier '${hop.tier}', not in the route's tier '${route.tier}': the route would point at a VM not yet recovered`,
      );
  });
  estate.vms.forEach((vm, i) => {
    if (vm.role === "domainController" && vm.os !== "windows") problems.push(`vms[${i}].role: a domain controller runs Windows, but ${vm.name} is '${vm.os}'`);
  });
  const drillDc = estate.drill.domainController;
  if (drillDc !== undefined && estate.vms.find((vm) => vm.name === drillDc)?.role !== "domainController") {
    problems.push(`drill.domainController: '${drillDc}' is not a VM with role 'domainController'`);
  }
  const natVm = estate.vms.find((vm) => vm.name === estate.alerting.natVm.vm);
  if (!natVm) problems.push(`alerting.natVm.vm: unknown VM '${estate.alerting.natVm.vm}'`);
  if (estate.healthCheck) {
    const circuits = new Set(estate.alerting.expressRouteCircuits.map((c) => c.id.toLowerCase()));
    const regions = new Set(Object.keys(estate.healthCheck.circuitRegions).map((id) => id.toLowerCase()));
    for (const id of regions) if (!circuits.has(id)) problems.push(`healthCheck.circuitRegions: '${id}' is not one of alerting.expressRouteCircuits`);
    for (const id of circuits) if (!regions.has(id)) problems.push(`healthCheck.circuitRegions: no region for circuit '${id}'`);
  }
  return problems;
}

function findCycle(tiers: readonly Tier[]): string[] | undefined {
  const byName = new Map(tiers.map((t) => [t.name, t]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      const cycle = byName.has(dep) ? visit(dep) : undefined;
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const tier of tiers) {
    const cycle = visit(tier.name);
    if (cycle) return cycle;
  }
  return undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
