import { z } from "zod";
import { issueText } from "../config/zodIssues.js";
import { DnsRecordName, DnsZoneName, recordFqdnProblem } from "./dnsName.js";
import { DraftSection, draftProblems } from "./estateDraft.js";

/** A name usable in step ids and Table Storage row keys. */
const Name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, '.', '_' or '-'");
const ArmId = z.string().regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/.+/i, "an ARM resource id");
const VirtualNetworkId = z
  .string()
  .regex(
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i,
    "the ARM id of a virtual network (.../providers/Microsoft.Network/virtualNetworks/<name>)",
  );
const Ipv4 = z.ipv4();
const ResourceGroup = z.string().min(1).describe("Azure resource group name.");

/**
 * In-guest checks after a VM's failover. `domainSecureChannel` is for domain members only: on a
 * domain controller Test-ComputerSecureChannel "returns false positive errors" (its Microsoft docs);
 * DCs get `domainController` (directory services running, advertising, DC locator record).
 */
export const GuestCheck = z
  .enum(["domainSecureChannel", "domainController", "databaseReachable"])
  .describe(
    "An in-guest check run with Run Command after failover: 'domainSecureChannel' (a domain member's trust, Test-ComputerSecureChannel; never on DCs), 'domainController' (directory services running, dcdiag Advertising, DC locator record), 'databaseReachable' (TCP to the estate's database).",
  );
export type GuestCheck = z.infer<typeof GuestCheck>;

/** See domain/recoveryPoint.ts: `latest` is ASR's lowest-RPO choice, `latestProcessed` its lowest-RTO one. */
export const RecoveryPointChoice = z
  .union([
    z.literal("latest"),
    z.literal("latestProcessed"),
    z.literal("latestAppConsistent"),
    z.strictObject({ at: z.iso.datetime({ offset: true }).describe("The newest recovery point at or before this time (ISO 8601 with offset).") }),
  ])
  .describe(
    "Recovery point a failover uses: 'latest' (ASR's Latest, lowest RPO: ASR first processes all data received), 'latestProcessed' (the newest processed point, lowest RTO), 'latestAppConsistent', or { at: time }.",
  );
export type RecoveryPointChoice = z.infer<typeof RecoveryPointChoice>;

/**
 * The classic VMware-to-Azure architecture (Configuration Server, provider InMageAzureV2) was retired
 * on 30 March 2026 (learn.microsoft.com/azure/site-recovery/vmware-physical-azure-classic-deprecation):
 * only the modernized appliance (InMageRcm) is supported, and an estate naming the classic one is told so.
 */
const Provider = z
  .literal("InMageRcm", {
    error: (issue) =>
      issue.input === "InMageAzureV2"
        ? "the classic architecture (Configuration Server, InMageAzureV2) was retired on 30 March 2026: move the VMs to the modernized replication appliance (InMageRcm) and set provider to 'InMageRcm'"
        : "must be 'InMageRcm' (VMware-to-Azure with the modernized replication appliance)",
  })
  .describe(
    "ASR replication provider of the VMware-to-Azure items in this vault: 'InMageRcm' (modernized replication appliance). The classic InMageAzureV2 was retired on 30 March 2026.",
  );

const Vault = z
  .strictObject({
    resourceGroup: ResourceGroup.describe("Resource group of the Recovery Services vault."),
    name: z.string().min(1).describe("Name of the Recovery Services vault."),
    region: z.string().min(1).describe("Azure region of the vault, where its VMs fail over to (e.g. 'eastus')."),
    provider: Provider,
    fabric: z.string().min(1).describe("Name of the vault's replication fabric of the VMware site (ARM name, not the friendly name)."),
    protectionContainer: z.string().min(1).describe("Name of the fabric's protection container holding the protected items."),
    /** Isolated VNet used by test failovers, so a drill never touches production. */
    testNetworkId: ArmId.describe("ARM id of the isolated VNet test failovers (drills) use, so a drill never touches production."),
    /**
     * The production VNets this vault's VMs fail over into (the items' target network). The nightly check
     * and the preview read their DNS servers, and infra grants the app Reader on each (its parameter
     * recoveryVirtualNetworks): a VNet the items target that is not named here is reported, not read.
     */
    recoveryNetworkIds: z
      .array(VirtualNetworkId)
      .default([])
      .describe(
        "ARM ids of the VNets this vault's VMs fail over into (the protected items' target network). The health check reads their DNS servers; list each in infra's recoveryVirtualNetworks parameter too, which grants the app Reader on it.",
      ),
    /**
     * What ASR needs to reprotect a failed-over VM back to vSphere (InMageRcm reprotect input, as
     * Azure PowerShell's Update-AzRecoveryServicesAsrProtectionDirection sends it): the appliance's
     * reprotect agent, the vSphere datastore, the log storage account and optionally the policy.
     * Absent: no failback preparation.
     */
    reprotect: z
      .strictObject({
        reprotectAgentId: z.string().min(1).describe("Id of the replication appliance's reprotect agent (the fabric's reprotectAgents[].id)."),
        datastoreName: z.string().min(1).describe("vSphere datastore the VMs fail back to."),
        logStorageAccountId: ArmId.describe("ARM id of the storage account ASR keeps the reprotect logs in."),
        /** Replication policy of the reverse direction (ARM id). */
        policyId: z.string().min(1).optional().describe("ARM id of the replication policy of the reverse direction (Azure to vSphere)."),
      })
      .optional()
      .describe("What ASR needs to reprotect failed-over VMs back to vSphere; absent: no failback preparation."),
    /** What ASR needs to protect failed-back VMs towards Azure again (InMageRcmFailbackReprotectInput). Absent: no failback. */
    failbackReprotect: z
      .strictObject({
        processServerId: z.string().min(1).describe("Id of the appliance's process server (the fabric's processServers[].id)."),
        policyId: z.string().min(1).describe("ARM id of the replication policy towards Azure."),
        runAsAccountId: z.string().min(1).optional().describe("ARM id of the VMware site's run-as account ASR uses to reach the VMs."),
      })
      .optional()
      .describe("What ASR needs to protect failed-back VMs towards Azure again (InMageRcmFailbackReprotectInput); absent: no failback."),
  })
  .superRefine((vault, ctx) => {
    const seen = new Set<string>();
    vault.recoveryNetworkIds.forEach((id, i) => {
      const key = id.toLowerCase();
      if (key === vault.testNetworkId.toLowerCase())
        ctx.addIssue({
          code: "custom",
          path: ["recoveryNetworkIds", i],
          message: "is the vault's testNetworkId: drills must run in an isolated VNet, not in a recovery VNet",
        });
      else if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["recoveryNetworkIds", i], message: `'${id}' is listed twice` });
      seen.add(key);
    });
  })
  .describe("A Recovery Services vault protecting VMware VMs with the modernized appliance.");
export type Vault = z.infer<typeof Vault>;

const HealthProbe = z
  .strictObject({
    port: z.number().int().min(1).max(65535).describe("TCP port of the probe."),
    path: z.string().startsWith("/").describe("URL path of the probe, starting with '/'."),
    scheme: z.enum(["http", "https"]).default("http").describe("'http' (default) or 'https'."),
  })
  .describe(
    "HTTP health probe of each VM of the tier after its failover (http(s)://<recoveryIp>:<port><path>) and after its failback (at its onPremisesIp): must answer 2xx.",
  );

const Tier = z
  .strictObject({
    name: Name.describe("Tier name (letters, digits, '.', '_' or '-'), used in step ids."),
    /** Tiers that must be failed over and healthy before this one starts. */
    dependsOn: z.array(Name).default([]).describe("Tiers that must be failed over and healthy before this one starts; no cycles."),
    /** In-guest checks run with Run Command on each VM after its failover. */
    guestChecks: z.array(GuestCheck).default([]).describe("In-guest checks run with Run Command on each VM of the tier after its failover."),
    /** HTTP health probe of each VM after its failover. */
    healthProbe: HealthProbe.optional(),
  })
  .describe("A group of VMs failed over together, after the tiers it depends on.");
export type Tier = z.infer<typeof Tier>;

const Vm = z
  .strictObject({
    name: Name.describe("VM name as people know it (the protected item's friendly name)."),
    tier: Name.describe("The one tier this VM belongs to."),
    vault: Name.describe("Key of the vault (in `vaults`) protecting this VM."),
    /** Name of the replication protected item in the vault. */
    protectedItem: z.string().min(1).describe("ARM name of the replication protected item in the vault's protection container."),
    os: z.enum(["windows", "linux"]).describe("Guest OS: 'windows' or 'linux' (decides the in-guest scripts)."),
    /** A domain controller (gets DC checks, never the member secure-channel check). */
    role: z
      .enum(["domainController", "member"])
      .default("member")
      .describe("'domainController' (gets DC checks, never the member secure-channel check) or 'member' (default)."),
    /** The Azure VM that ASR creates on failover (target of Run Command and probes). */
    recoveryVmId: ArmId.describe("ARM id of the Azure VM ASR creates on failover (target resource group + target VM name)."),
    recoveryIp: Ipv4.describe("Private IP of the recovered VM's primary NIC (the item's static target IP)."),
    /** Where the VM answers on vSphere: the failback probes its application there before setting the tier's names back. */
    onPremisesIp: Ipv4.optional().describe(
      "Private IP of the VM on vSphere (the InMageRcm item's primary vmNics[].sourceIPAddress). With its tier's healthProbe, the failback probes http(s)://<onPremisesIp>:<port><path> before setting the tier's DNS records and routes back; absent, the application is not probed on vSphere.",
    ),
  })
  .describe("A protected VMware VM.");
export type Vm = z.infer<typeof Vm>;

const DnsRecord = z
  .strictObject({
    tier: Name.describe("Tier whose failover moves this record."),
    zoneType: z.enum(["public", "private"]).describe("'public' (Azure DNS) or 'private' (Azure Private DNS)."),
    resourceGroup: ResourceGroup.describe("Resource group of the DNS zone."),
    zone: DnsZoneName.describe("DNS zone name (e.g. 'contoso.com'), without the trailing dot."),
    /** Relative record set name ('@' for the apex). */
    name: DnsRecordName.describe("Relative record set name ('@' for the apex): labels of letters, digits, '-' or '_', up to 63 characters each."),
    /** A records only: the failover moves names to the recovered VMs' addresses. */
    failoverAddresses: z.array(Ipv4).min(1).describe("IPv4 addresses the A record set gets after failover (A records only)."),
    ttl: z.number().int().min(1).max(86_400).describe("TTL in seconds written with the record after failover."),
  })
  .describe("An A record set flipped to the recovered addresses when its tier has failed over.");
export type DnsRecord = z.infer<typeof DnsRecord>;

/**
 * An A record in the AD-integrated DNS the domain controllers serve (Windows DNS Server), not in Azure:
 * flipped with Run Command on the target-region DC (Get-/Set-DnsServerResourceRecord); AD replication
 * carries the change to the other DCs of the zone's replication scope. See domain/adDnsSteps.ts.
 */
const ActiveDirectoryDnsRecord = z
  .strictObject({
    tier: Name.describe("Tier whose failover moves this record."),
    zone: DnsZoneName.describe("AD-integrated zone name on the domain controllers (e.g. 'corp.contoso.com'), without the trailing dot."),
    /** Host name relative to the zone ('@' for the zone's own name). */
    name: DnsRecordName.describe(
      "Host name relative to the zone ('@' for the zone's own name): labels of letters, digits, '-' or '_', up to 63 characters each.",
    ),
    failoverAddresses: z.array(Ipv4).min(1).describe("IPv4 addresses the name's A records get after failover."),
    ttl: z.number().int().min(1).max(86_400).describe("TTL in seconds written with the records after failover."),
  })
  .describe("A host's A records in the AD-integrated DNS on the domain controllers, flipped through Run Command on the target-region DC.");
export type ActiveDirectoryDnsRecord = z.infer<typeof ActiveDirectoryDnsRecord>;

const Route = z
  .strictObject({
    tier: Name.describe("Tier whose failover moves this route: the tier of its next hop VM."),
    resourceGroup: ResourceGroup.describe("Resource group of the route table."),
    routeTable: z.string().min(1).describe("Route table name."),
    route: z.string().min(1).describe("Route name in the table."),
    addressPrefix: z.string().min(1).describe("Destination prefix of the route (e.g. '0.0.0.0/0')."),
    /**
     * The NAT/firewall VM the route goes through, a VM of the route's tier. After its failover the
     * route's next hop is the private IP its primary NIC really has (read then, never written here),
     * and IP forwarding is enabled on that NIC: Azure drops what a VM forwards otherwise.
     */
    nextHopVm: Name.describe(
      "The NAT/firewall VM (a VM of the route's tier) the route goes through: after its failover the route points at the private IP its NIC really has, and IP forwarding is enabled on that NIC.",
    ),
  })
  .describe("A user-defined route repointed at the recovered NAT/firewall VM.");
export type Route = z.infer<typeof Route>;

const PlaybookSettings = z
  .strictObject({
    requireSecondSignal: z.boolean().optional().describe("Overrides alerting.requireSecondSignal for this playbook."),
    approvalRequired: z.boolean().optional().describe("Overrides alerting.approvalRequired for this playbook."),
  })
  .default({});

/** Which alerts mean what, and how automatic the response is (DESIGN.md, item 1). */
const Alerting = z
  .strictObject({
    /** ExpressRoute circuits carrying the site's link: Active/Passive, so both down is the outage. */
    expressRouteCircuits: z
      .array(
        z.strictObject({
          id: ArmId.describe("ARM id of the ExpressRoute circuit."),
          role: z.enum(["active", "passive"]).describe("'active' or 'passive' (the link is Active/Passive)."),
        }),
      )
      .min(1)
      .describe("ExpressRoute circuits carrying the site's link: all of them down is a site outage."),
    /** The NAT/firewall VM: Azure resource ids its metric/Resource Health alerts target, and its heartbeat computer name. */
    natVm: z
      .strictObject({
        vm: Name.describe("Name (in `vms`) of the NAT/firewall VM."),
        resourceIds: z.array(ArmId).default([]).describe("Azure resource ids its metric / Resource Health alerts target (an Arc machine or an Azure VM)."),
        heartbeatComputer: z.string().min(1).describe("Computer name of its Heartbeat records in Log Analytics."),
      })
      .describe("The NAT/firewall VM whose loss fails the edge tier over."),
    /** Log search alert rules over the ASR tables that report an RPO breach. */
    rpoAlertRules: z.array(z.string().min(1)).default([]).describe("Names of log search alert rules over the ASR tables that report an RPO breach."),
    /** A failover signal must still hold after this long (checked with a scheduled message). */
    debounceSeconds: z.number().int().min(0).max(3600).default(120).describe("A failover signal must still hold after this many seconds."),
    /** A full site failover also needs a second, independent signal to agree (default of `playbooks.site`). */
    requireSecondSignal: z.boolean().default(false).describe("A full site failover also needs a second, independent signal (default of both playbooks)."),
    /** Automatic failovers wait for a human approval instead of starting (default of both playbooks). */
    approvalRequired: z.boolean().default(false).describe("Automatic failovers wait for a human approval instead of starting (default of both playbooks)."),
    /** Per playbook (site: full site failover, edge: NAT/firewall tier); unset fields fall back to the two above. */
    playbooks: z
      .strictObject({
        site: PlaybookSettings.describe("Full site failover (every ExpressRoute circuit down)."),
        edge: PlaybookSettings.describe("Edge tier failover (the NAT/firewall VM lost)."),
      })
      .default({ site: {}, edge: {} })
      .describe("Per playbook settings; unset fields fall back to requireSecondSignal and approvalRequired."),
    /** Log search alert rules on the on-premises site's agents' Heartbeat: an independent second signal for a site outage. */
    siteHeartbeatAlertRules: z
      .array(z.string().min(1))
      .default([])
      .describe("Log search alert rules on the on-premises agents' Heartbeat: a second signal of a site outage."),
    /** A Fired alert older than this (by its firedDateTime) is refused: it describes the past, not now. */
    maxAlertAgeMinutes: z.number().int().min(1).max(1440).default(30).describe("A Fired alert older than this (by its firedDateTime) is refused."),
    /** After a run ends, new signals join history instead of starting another run. */
    cooldownMinutes: z.number().int().min(0).default(60).describe("After a run ends, new signals join history instead of starting another run."),
    /** Incidents whose signals all cleared this long ago are closed. */
    incidentWindowMinutes: z.number().int().min(1).default(120).describe("Incidents whose signals all cleared this long ago are closed."),
  })
  .describe("Which Azure Monitor alerts mean what, and how automatic the response is.");
export type Alerting = z.infer<typeof Alerting>;

/** What the nightly health check reads beyond ASR (DESIGN.md, item 3). */
const HealthCheckSettings = z
  .strictObject({
    /** Log Analytics workspace id (a GUID) that receives the target DC's Heartbeat. */
    logAnalyticsWorkspaceId: z.uuid().describe("Log Analytics workspace id (a GUID) receiving the target DC's Heartbeat."),
    /** Azure region of each ExpressRoute circuit resource, by circuit id: Monitor's metrics batch API is regional. */
    circuitRegions: z
      .record(z.string(), z.string().min(1))
      .default({})
      .describe("Azure region of each ExpressRoute circuit, by circuit id (Monitor's metrics batch API is regional)."),
    /** Workspace id (a GUID) that receives the vaults' Site Recovery logs and that the RPO alert rule queries (infra output LOG_ANALYTICS_WORKSPACE_ID). */
    asrLogsWorkspaceId: z.uuid().optional().describe("Workspace id (a GUID) receiving the vaults' Site Recovery logs, queried by the RPO alert rule."),
  })
  .describe("What the nightly health check reads beyond ASR; absent: those checks are skipped.");
export type HealthCheckSettings = z.infer<typeof HealthCheckSettings>;

export const EstateSchema = z
  .strictObject({
    name: Name.describe("Estate name (letters, digits, '.', '_' or '-'): part of run ids and the run lock."),
    subscriptionId: z.uuid().describe("Azure subscription holding the vaults, recovered VMs, DNS zones and route tables."),
    objectives: z
      .strictObject({
        rtoMinutes: z.number().positive().describe("Recovery time objective in minutes: a run still going after it stops for a person."),
        rpoMinutes: z.number().positive().describe("Recovery point objective in minutes: older recovery points need a human approval."),
        appConsistentFrequencyMinutes: z.number().positive().describe("Expected app-consistent snapshot frequency (the replication policy's)."),
        retentionDays: z.number().positive().describe("Expected recovery point retention in days (the replication policy's)."),
      })
      .describe("Recovery objectives and the replication policy's expected settings."),
    vaults: z.record(Name, Vault).describe("Recovery Services vaults by a short key of your choice (VMs name it in `vault`)."),
    /**
     * The domain controller that already runs in the target region; no failover starts without it.
     * It is checked over the network at `address` (its DNS, LDAP and Kerberos), without running code on it.
     */
    targetDomainController: z
      .strictObject({
        vmId: ArmId.describe("ARM id of the DC VM already running in the target region."),
        address: Ipv4.describe("Its private IP: its DNS, LDAP (389) and Kerberos (88) are checked there."),
        domain: z.string().min(1).describe("AD domain name (e.g. 'corp.contoso.com')."),
      })
      .describe("The domain controller already running in the target region; no failover starts without it."),
    /**
     * Drills follow Microsoft's guidance for AD with Site Recovery: one DC, not all, is failed over into
     * the isolated test network, and the drill's DC check runs on it. Default: the first DC in `vms`.
     */
    drill: z
      .strictObject({ domainController: Name.optional().describe("The one DC a drill fails over into the test network (default: the first DC in `vms`).") })
      .default({})
      .describe("Drill settings."),
    database: z
      .strictObject({
        host: z.string().min(1).describe("Host name of the database the apps use (already in Azure, not failed over)."),
        port: z.number().int().min(1).max(65535).describe("Its TCP port."),
      })
      .describe("The database the 'databaseReachable' check reaches from the recovered VMs."),
    tiers: z.array(Tier).min(1).describe("Tiers in any order; dependsOn decides the failover order."),
    vms: z.array(Vm).min(1).describe("Every protected VM, each in exactly one tier."),
    dns: z.array(DnsRecord).default([]).describe("DNS A record sets flipped after their tier's failover."),
    /** Kept apart from `dns` (Azure DNS record sets, ETags, resource groups): these live on the DCs and are changed in-guest. */
    activeDirectoryDns: z
      .array(ActiveDirectoryDnsRecord)
      .default([])
      .describe("A records in the AD-integrated DNS on the domain controllers, flipped after their tier's failover (zone type 'activeDirectory')."),
    routes: z.array(Route).default([]).describe("Routes repointed at the recovered NAT/firewall VM."),
    recoveryPoint: RecoveryPointChoice.default("latest"),
    alerting: Alerting,
    healthCheck: HealthCheckSettings.optional(),
  })
  .describe("The estate a failover acts on: vaults, VMs in tiers, DNS records, routes, checks and objectives.");
export type Estate = z.infer<typeof EstateSchema>;

/** The recovery VNets the vaults name (`recoveryNetworkIds`), lower case, each once. */
export function recoveryNetworkIdsOf(estate: Estate): string[] {
  return [...new Set(Object.values(estate.vaults).flatMap((vault) => vault.recoveryNetworkIds.map((id) => id.toLowerCase())))];
}

export class EstateConfigError extends Error {
  override readonly name = "EstateConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`Estate config is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Parses and cross-checks an estate; throws one error listing every problem by its path. */
export function parseEstate(input: unknown): Estate {
  const { estate, problems } = checkEstate(input);
  if (!estate || problems.length > 0) throw new EstateConfigError(problems);
  return deepFreeze(estate);
}

/**
 * Every problem of an estate file in one pass: its shape, the draft entries still to confirm, and the
 * cross-references among the parts whose shape is right (a bad VM does not hide an unknown tier elsewhere).
 */
export function checkEstate(input: unknown): { readonly estate: Estate | undefined; readonly problems: readonly string[] } {
  const { body, draftProblems: pending } = splitFileKeys(input);
  const parsed = EstateSchema.safeParse(body);
  if (parsed.success) return { estate: parsed.data, problems: [...pending, ...crossCheck(viewOf(parsed.data))] };
  const shape = parsed.error.issues.map((i) => issueText(i, "(root)", "bracketed"));
  return { estate: undefined, problems: [...shape, ...pending, ...crossCheck(salvage(body))] };
}

/** An estate file may carry two keys beside the estate: the editor's `$schema` and the draft section of `estate discover`. */
function splitFileKeys(input: unknown): { body: unknown; draftProblems: string[] } {
  if (!isRecord(input)) return { body: input, draftProblems: [] };
  const { $schema, draft, ...body } = input;
  const problems: string[] = [];
  if ($schema !== undefined && typeof $schema !== "string") problems.push("$schema: a URL or path of the estate's JSON Schema");
  if (draft !== undefined) {
    const parsed = DraftSection.safeParse(draft);
    if (parsed.success) problems.push(...draftProblems(parsed.data));
    else problems.push(...parsed.error.issues.map((i) => issueText({ ...i, path: ["draft", ...i.path] }, "(root)", "bracketed")));
  }
  return { body, draftProblems: problems };
}

/** The parts of an estate the cross-checks read; list entries whose shape is wrong are holes, so paths keep their index. */
interface CrossView {
  readonly tiers: readonly (Tier | undefined)[];
  readonly vms: readonly (Vm | undefined)[];
  readonly dns: readonly (DnsRecord | undefined)[];
  readonly routes: readonly (Route | undefined)[];
  readonly activeDirectoryDns: readonly (ActiveDirectoryDnsRecord | undefined)[];
  /** Names given in the file, valid entries or not: a reference to one of them is not "unknown". */
  readonly tierNames: ReadonlySet<string>;
  readonly vmNames: ReadonlySet<string>;
  readonly vaultKeys: ReadonlySet<string> | undefined;
  readonly drillDc: string | undefined;
  readonly natVm: string | undefined;
  readonly circuits: readonly string[] | undefined;
  readonly circuitRegions: Readonly<Record<string, string>> | undefined;
}

function viewOf(estate: Estate): CrossView {
  return {
    tiers: estate.tiers,
    vms: estate.vms,
    dns: estate.dns,
    routes: estate.routes,
    activeDirectoryDns: estate.activeDirectoryDns,
    tierNames: new Set(estate.tiers.map((t) => t.name)),
    vmNames: new Set(estate.vms.map((vm) => vm.name)),
    vaultKeys: new Set(Object.keys(estate.vaults)),
    drillDc: estate.drill.domainController,
    natVm: estate.alerting.natVm.vm,
    circuits: estate.alerting.expressRouteCircuits.map((c) => c.id),
    circuitRegions: estate.healthCheck?.circuitRegions,
  };
}

/** What can be read of a file whose shape is wrong somewhere. */
function salvage(body: unknown): CrossView {
  const root = isRecord(body) ? body : {};
  const list = <T>(key: string, schema: z.ZodType<T>): (T | undefined)[] => {
    const raw = root[key];
    return Array.isArray(raw) ? raw.map((entry) => (schema.safeParse(entry) as { success: boolean; data?: T }).data) : [];
  };
  const names = (key: string): Set<string> => {
    const raw = root[key];
    return new Set(Array.isArray(raw) ? raw.flatMap((e) => (isRecord(e) && typeof e["name"] === "string" ? [e["name"]] : [])) : []);
  };
  const alerting = isRecord(root["alerting"]) ? root["alerting"] : {};
  const natVm = isRecord(alerting["natVm"]) && typeof alerting["natVm"]["vm"] === "string" ? alerting["natVm"]["vm"] : undefined;
  const drill = isRecord(root["drill"]) && typeof root["drill"]["domainController"] === "string" ? root["drill"]["domainController"] : undefined;
  const circuits = Alerting.shape.expressRouteCircuits.safeParse(alerting["expressRouteCircuits"]);
  const health = HealthCheckSettings.safeParse(root["healthCheck"]);
  return {
    tiers: list("tiers", Tier),
    vms: list("vms", Vm),
    dns: list("dns", DnsRecord),
    routes: list("routes", Route),
    activeDirectoryDns: list("activeDirectoryDns", ActiveDirectoryDnsRecord),
    tierNames: names("tiers"),
    vmNames: names("vms"),
    vaultKeys: isRecord(root["vaults"]) ? new Set(Object.keys(root["vaults"])) : undefined,
    drillDc: drill,
    natVm,
    circuits: circuits.success ? circuits.data.map((c) => c.id) : undefined,
    circuitRegions: health.success ? health.data.circuitRegions : undefined,
  };
}

function crossCheck(view: CrossView): string[] {
  const problems: string[] = [];
  const { tierNames } = view;
  const seenTiers = new Set<string>();
  view.tiers.forEach((tier, i) => {
    if (!tier) return;
    if (seenTiers.has(tier.name)) problems.push(`tiers[${i}].name: duplicate tier '${tier.name}'`);
    seenTiers.add(tier.name);
  });
  view.tiers.forEach((tier, i) =>
    tier?.dependsOn.forEach((dep, j) => {
      if (!tierNames.has(dep)) problems.push(`tiers[${i}].dependsOn[${j}]: unknown tier '${dep}'`);
    }),
  );
  const cycle = findCycle(view.tiers.filter((t): t is Tier => t !== undefined));
  if (cycle) problems.push(`tiers: dependency cycle ${cycle.join(" -> ")}`);

  const vms = view.vms.filter((vm): vm is Vm => vm !== undefined);
  const vmNames = new Set<string>();
  const protectedItems = new Set<string>();
  const onPremises = new Map<string, string>();
  view.vms.forEach((vm, i) => {
    if (!vm) return;
    if (vmNames.has(vm.name)) problems.push(`vms[${i}].name: duplicate VM '${vm.name}'`);
    vmNames.add(vm.name);
    const sameAddress = vm.onPremisesIp === undefined ? undefined : onPremises.get(vm.onPremisesIp);
    if (vm.onPremisesIp !== undefined && sameAddress !== undefined && sameAddress !== vm.name)
      problems.push(`vms[${i}].onPremisesIp: ${vm.onPremisesIp} is ${sameAddress}'s too: the failback would take one VM's answer for the other's`);
    if (vm.onPremisesIp !== undefined && sameAddress === undefined) onPremises.set(vm.onPremisesIp, vm.name);
    const itemKey = `${vm.vault}/${vm.protectedItem}`;
    if (protectedItems.has(itemKey)) problems.push(`vms[${i}].protectedItem: '${vm.protectedItem}' is used twice in vault '${vm.vault}'`);
    protectedItems.add(itemKey);
    if (!tierNames.has(vm.tier)) problems.push(`vms[${i}].tier: unknown tier '${vm.tier}'`);
    if (view.vaultKeys && !view.vaultKeys.has(vm.vault)) problems.push(`vms[${i}].vault: unknown vault '${vm.vault}'`);
  });
  const complete = view.vms.every((vm) => vm !== undefined);
  view.tiers.forEach((tier, i) => {
    if (!tier) return;
    const tierVms = vms.filter((vm) => vm.tier === tier.name);
    if (tierVms.length === 0 && complete) problems.push(`tiers[${i}]: tier '${tier.name}' has no VMs`);
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
  view.dns.forEach((record, i) => {
    if (record && !tierNames.has(record.tier)) problems.push(`dns[${i}].tier: unknown tier '${record.tier}'`);
  });
  const dnsKeys = new Set<string>();
  view.dns.forEach((record, i) => {
    if (!record) return;
    const key = `${record.zoneType}/${record.zone}/${record.name}`;
    if (dnsKeys.has(key)) problems.push(`dns[${i}]: record '${record.name}' in zone '${record.zone}' is listed twice`);
    dnsKeys.add(key);
    const tooLong = recordFqdnProblem(record.zone, record.name);
    if (tooLong) problems.push(`dns[${i}].name: ${tooLong}`);
  });
  problems.push(...activeDirectoryDnsProblems(view));
  view.routes.forEach((route, i) => {
    if (!route) return;
    if (!tierNames.has(route.tier)) problems.push(`routes[${i}].tier: unknown tier '${route.tier}'`);
    const hop = vms.find((vm) => vm.name === route.nextHopVm);
    if (!hop) {
      if (!view.vmNames.has(route.nextHopVm)) problems.push(`routes[${i}].nextHopVm: unknown VM '${route.nextHopVm}'`);
    }
    // The route follows its tier's failover, so only a VM recovered with that tier can be its next hop.
    else if (hop.tier !== route.tier)
      problems.push(
        `routes[${i}].nextHopVm: '${hop.name}' is in tier '${hop.tier}', not in the route's tier '${route.tier}': the route would point at a VM not yet recovered`,
      );
  });
  view.vms.forEach((vm, i) => {
    if (vm?.role === "domainController" && vm.os !== "windows") problems.push(`vms[${i}].role: a domain controller runs Windows, but ${vm.name} is '${vm.os}'`);
  });
  const drillDc = view.drillDc;
  if (drillDc !== undefined && complete && vms.find((vm) => vm.name === drillDc)?.role !== "domainController") {
    problems.push(`drill.domainController: '${drillDc}' is not a VM with role 'domainController'`);
  }
  if (view.natVm !== undefined && !view.vmNames.has(view.natVm)) problems.push(`alerting.natVm.vm: unknown VM '${view.natVm}'`);
  if (view.circuitRegions && view.circuits) {
    const circuits = new Set(view.circuits.map((id) => id.toLowerCase()));
    const regions = new Set(Object.keys(view.circuitRegions).map((id) => id.toLowerCase()));
    for (const id of regions) if (!circuits.has(id)) problems.push(`healthCheck.circuitRegions: '${id}' is not one of alerting.expressRouteCircuits`);
    for (const id of circuits) if (!regions.has(id)) problems.push(`healthCheck.circuitRegions: no region for circuit '${id}'`);
  }
  return problems;
}

function activeDirectoryDnsProblems(view: CrossView): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  view.activeDirectoryDns.forEach((record, i) => {
    if (!record) return;
    if (!view.tierNames.has(record.tier)) problems.push(`activeDirectoryDns[${i}].tier: unknown tier '${record.tier}'`);
    const key = `${record.zone}/${record.name}`.toLowerCase();
    if (seen.has(key)) problems.push(`activeDirectoryDns[${i}]: record '${record.name}' in zone '${record.zone}' is listed twice`);
    seen.add(key);
    const tooLong = recordFqdnProblem(record.zone, record.name);
    if (tooLong) problems.push(`activeDirectoryDns[${i}].name: ${tooLong}`);
  });
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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
