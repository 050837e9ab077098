import type { Advice } from "./healthReport.js";
import type { AsrHealthError } from "./healthSnapshot.js";

/**
 * Plain instructions for the problems ASR reports and the ones this customer met in the field.
 * Error codes are the ones Microsoft documents for VMware/physical-to-Azure replication (see each
 * entry's reference); an entry without a documented code is matched on its symptom instead. A health
 * error this catalogue does not know is shown verbatim with a link to the error reference.
 */

type Os = "windows" | "linux";

interface Entry {
  readonly id: string;
  readonly title: string;
  /** Documented ASR error ids this entry answers. */
  readonly codes: readonly string[];
  /** Matched against the error's message when no code matched (problems with no documented code). */
  readonly symptoms: readonly RegExp[];
  readonly reference: string;
  steps(os: Os | undefined): readonly string[];
}

const LEARN = "https://learn.microsoft.com/azure/site-recovery";
/** Where an unknown ASR error is looked up. */
export const ASR_ERROR_REFERENCE = `${LEARN}/vmware-azure-troubleshoot-replication`;

const WINDOWS_AGENT_DIR = "C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\";
const LINUX_AGENT_DIR = "/usr/local/ASR";

/** Source-VM folder exclusions (replication appliance support matrix, "If antivirus software is active on the source machine"). */
function antivirusSteps(os: Os | undefined): string[] {
  const windows = `Windows: exclude ${WINDOWS_AGENT_DIR} (the Mobility agent's installation folder) from real-time and scheduled antivirus scans. This estate's Symantec policy has blocked the agent before.`;
  const linux = `Linux: exclude ${LINUX_AGENT_DIR} (the Mobility agent's default installation folder; use the folder it was installed to if different) from antivirus scans.`;
  return os === "windows" ? [windows] : os === "linux" ? [linux] : [windows, linux];
}

function agentLogSteps(os: Os | undefined): string[] {
  const windows = `Windows: check that the 'InMage Scout VX Agent - Sentinel/Outpost' (svagents) and 'InMage Scout Application Service' services run, restart them if not, and read ${WINDOWS_AGENT_DIR}agent\\svagents*.log for the cause.`;
  const linux =
    "Linux: check that the Mobility agent's services run and read /var/log/svagents*.log (and /var/log/ua_install.log after an install or upgrade) for the cause.";
  return os === "windows" ? [windows] : os === "linux" ? [linux] : [windows, linux];
}

const APPLIANCE_PORTS =
  "From the VM, check that the replication appliance (process server) answers on TCP 443 (control) and 9443 (data), e.g. `Test-NetConnection <appliance> -Port 9443` on Windows or `nc -vz <appliance> 9443` on Linux.";

const ENTRIES: readonly Entry[] = [
  {
    id: "mobility-agent-blocked",
    title: "The Mobility agent stopped reporting (antivirus blocking it, services stopped, or no path to the appliance)",
    codes: ["78174"],
    symptoms: [/no heartbeat/i, /heartbeat .*(stale|not received)/i],
    reference: `${LEARN}/replication-appliance-support-matrix#folder-exclusions-from-antivirus-programs`,
    steps: (os) => [
      ...antivirusSteps(os),
      ...agentLogSteps(os),
      APPLIANCE_PORTS,
      "Once the agent reports again, the heartbeat and RPO recover within minutes; no resynchronisation is needed unless ASR asks for one.",
    ],
  },
  {
    id: "asr-78144-app-consistency",
    title: "No app-consistent recovery points (VSS writer or provider failing)",
    codes: ["78144"],
    symptoms: [/app-consistent recovery point/i, /\bVSS\b/],
    reference: `${LEARN}/vmware-azure-troubleshoot-replication#error-id-78144---no-app-consistent-recovery-point-available-for-the-vm-in-the-last-xxx-minutes`,
    steps: (os) =>
      os === "linux"
        ? [
            "Linux VMs get app-consistent points only through custom pre/post scripts that the Mobility agent runs: set them up for the applications on this VM (see the reference, 'App-Consistency not enabled on Linux servers').",
            "Until then failovers use crash-consistent points: check the applications recover cleanly from one in a test failover.",
          ]
        : [
            `On the VM, open ${WINDOWS_AGENT_DIR}agent\\Application Data\\ApplicationPolicyLogs\\vacp.log and search for 'vacpError': the number after it is the VSS error (2147221164: provider not installed; 2147943458: provider service disabled; 2147754756: provider not registered).`,
            "Run `vssadmin list writers` and fix any writer that is not 'Stable' / 'No error' (restart the service that owns it).",
            "Check that the 'Azure Site Recovery VSS Provider' service exists with startup type Automatic, then restart the 'Volume Shadow Copy', 'Azure Site Recovery VSS Provider' and 'Virtual Disk' services.",
            `If the provider is missing or not registered, reinstall it: ${WINDOWS_AGENT_DIR}agent\\InMageVSSProvider_Uninstall.cmd, then InMageVSSProvider_Install.cmd.`,
            "SQL Server 2008/2008 R2, 2016/2017 and databases with AUTO_CLOSE have known VSS issues with non-component backups: apply the KB fixes linked from the reference.",
          ],
  },
  {
    id: "asr-78169-replication-network",
    title: "Replication is not getting data to Azure (network between VM, appliance and Azure)",
    codes: ["78169"],
    symptoms: [/no crash-consistent recovery point/i, /connectivity/i, /network/i],
    reference: `${LEARN}/vmware-physical-azure-troubleshoot-process-server#check-connectivity-and-replication`,
    steps: (os) => [
      APPLIANCE_PORTS,
      "From the appliance, check outbound HTTPS to the Site Recovery endpoints (*.hypervrecoverymanager.windowsazure.com, *.backup.windowsazure.com, *.blob.core.windows.net, *.servicebus.windows.net) through the firewall or proxy.",
      "Check the link the appliance uploads over (ExpressRoute or Internet) for saturation or bandwidth throttling on the appliance, and that VM and appliance clocks are in sync.",
      ...antivirusSteps(os),
    ],
  },
  {
    id: "asr-78188-high-churn",
    title: "The VM writes faster than replication can upload (high churn)",
    codes: ["78188"],
    symptoms: [/churn/i],
    reference: `${LEARN}/vmware-azure-troubleshoot-replication#source-machines-with-high-churn-error-78188`,
    steps: () => [
      "Compare the VM's write rate with the Site Recovery limits for its target disk type; replicate to Premium managed disks (or a larger seed disk) if it is above them.",
      "If the spike is temporary (a batch job, a backup), wait for the pending data to upload; RPO recovers by itself.",
      "Exclude disks that hold only temporary data (scratch, temp logs) from replication.",
    ],
  },
  {
    id: "asr-806-process-server",
    title: "The process server (replication appliance) stopped reporting",
    codes: ["806"],
    symptoms: [/process server/i],
    reference: `${LEARN}/vmware-azure-troubleshoot-replication#process-server-with-no-heartbeat-error-806`,
    steps: () => [
      "Check the replication appliance VM is running and healthy in the vault (Site Recovery infrastructure > replication appliances).",
      "Read the process server logs on the appliance for the cause (see the reference for their paths) and restart its services.",
    ],
  },
  {
    id: "asr-78253-policy",
    title: "The replication policy is not associated correctly",
    codes: ["78253"],
    symptoms: [],
    reference: `${LEARN}/vmware-azure-troubleshoot-replication#protection-couldnt-be-successfully-enabled-for-the-virtual-machine-error-78253`,
    steps: () => [
      "In the vault, open Site Recovery infrastructure > replication policies and check the policy's association; re-associate it, or create a new policy and associate that one.",
    ],
  },
  {
    id: "vcenter-permissions",
    title: "The vCenter account Site Recovery uses lacks permissions",
    codes: [],
    symptoms: [/vcenter.*(permission|privilege|not authori[sz]ed|access denied)/i, /(permission|privilege).*vcenter/i],
    reference: `${LEARN}/vmware-azure-tutorial-prepare-on-premises#prepare-an-account-for-automatic-discovery`,
    steps: () => [
      "Assign the account a role on the vCenter Datacenter object with 'Propagate to child objects'. Read-only is enough for discovery; replication, failover and failback need a role (e.g. Azure_Site_Recovery) with:",
      "Datastore: allocate space, browse datastore, low-level file operations, remove file, update virtual machine files. Network: assign network. Resource: assign virtual machine to resource pool, migrate powered-off and powered-on virtual machines. Tasks: create task, update task.",
      "Virtual machine: configuration; interaction (answer question, device connection, configure CD media, configure floppy media, power off, power on, VMware Tools install); inventory (create, register, unregister); provisioning (allow virtual machine download, allow virtual machine files upload); snapshot management (remove snapshots).",
      "If the account or its password changed, update it on the replication appliance and refresh the vCenter server in the vault, then wait for the next discovery (about 15 minutes).",
    ],
  },
];

const DOMAIN_TRUST: Entry = {
  id: "domain-trust-after-failover",
  title: "Recovered VMs can lose their domain trust",
  codes: [],
  symptoms: [/trust relationship/i, /secure channel/i],
  reference: `${LEARN}/site-recovery-active-directory`,
  steps: () => [
    "Keep the domain controller in the target region running and replicating with the on-premises DCs: recovered VMs authenticate against it, and a DC that has fallen behind does not know their current machine passwords.",
    "If a recovered VM reports 'The trust relationship between this workstation and the primary domain failed', repair it on the VM with `Test-ComputerSecureChannel -Repair -Credential <domain admin>` and restart; rejoin the domain if the repair fails.",
    "Prefer recent recovery points for domain members: a machine password changed after the point is unknown to the recovered VM.",
    "Check that recovered VMs use the DCs in Azure as their DNS servers.",
  ],
};

function toAdvice(entry: Entry, os: Os | undefined, errorCode?: string): Advice {
  return { id: entry.id, title: entry.title, steps: entry.steps(os), reference: entry.reference, ...(errorCode ? { errorCode } : {}) };
}

function findEntry(error: AsrHealthError): Entry | undefined {
  const code = error.code?.trim();
  if (code) {
    const byCode = ENTRIES.find((e) => e.codes.includes(code));
    if (byCode) return byCode;
  }
  const text = [error.message, error.possibleCauses].filter(Boolean).join(" ");
  return [...ENTRIES, DOMAIN_TRUST].find((e) => e.symptoms.some((s) => s.test(text)));
}

/** Advice for one ASR health error: a catalogue entry, else the error verbatim with the error reference. */
export function adviceForHealthError(error: AsrHealthError, os?: Os): Advice {
  const entry = findEntry(error);
  if (entry) return toAdvice(entry, os, error.code);
  const verbatim = [
    error.code ? `Error ${error.code}: ${error.message}` : error.message,
    error.possibleCauses ? `Possible causes: ${error.possibleCauses}` : undefined,
    error.recommendedAction ? `Recommended action: ${error.recommendedAction}` : undefined,
  ]
    .filter(Boolean)
    .join("\n");
  return {
    id: "unknown-asr-error",
    title: error.code ? `ASR error ${error.code} (not in this catalogue)` : "ASR health error (not in this catalogue)",
    steps: [
      `Look the error up in the Site Recovery troubleshooting reference${error.code ? ` (search for ${error.code})` : ""} and follow ASR's recommended action shown here.`,
    ],
    reference: ASR_ERROR_REFERENCE,
    ...(error.code ? { errorCode: error.code } : {}),
    verbatim,
  };
}

/** Problems the rules infer from figures rather than from an ASR error. */
export type Symptom = "agent-silent" | "app-consistency-stale" | "replication-behind" | "domain-trust-risk";

const BY_SYMPTOM: Readonly<Record<Symptom, Entry>> = {
  "agent-silent": ENTRIES.find((e) => e.id === "mobility-agent-blocked") as Entry,
  "app-consistency-stale": ENTRIES.find((e) => e.id === "asr-78144-app-consistency") as Entry,
  "replication-behind": ENTRIES.find((e) => e.id === "asr-78169-replication-network") as Entry,
  "domain-trust-risk": DOMAIN_TRUST,
};

export function adviceForSymptom(symptom: Symptom, os?: Os): Advice {
  return toAdvice(BY_SYMPTOM[symptom], os);
}

/** Every entry's id, for tests and the documentation. */
export const CATALOGUE_IDS: readonly string[] = [...ENTRIES, DOMAIN_TRUST].map((e) => e.id);
