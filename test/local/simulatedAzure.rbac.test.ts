import type { UnplannedFailoverInput } from "@azure/arm-recoveryservices-siterecovery";
import { describe, expect, it } from "vitest";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import { actionMatches, createRbac, roleGrants, SIMULATED_APP_IDENTITY } from "../../local/simulated-azure/rbac.js";
import { armAuthorizationCheck } from "../../local/simulated-azure/rbacActions.js";
import { deployedRoleAssignments } from "../../local/simulated-azure/rbacAssignments.js";
import { BUILT_IN_ROLES, CUSTOM_ROLES } from "../../local/simulated-azure/rbacRoles.js";
import { createSimulatedAzure } from "../../local/simulated-azure/simulatedAzure.js";
import type { Vm } from "../../shared/domain/estate.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();
const SUB = `/subscriptions/${estate.subscriptionId}`;
const ITEMS = "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems";

function vm(name: string): Vm {
  const found = estate.vms.find((v) => v.name === name);
  if (!found) throw new Error(`no VM ${name}`);
  return found;
}

function itemPath(name: string): string {
  const v = estate.vaults[vm(name).vault]!;
  return `${SUB}/resourceGroups/${v.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${v.name}/replicationFabrics/${v.fabric}/replicationProtectionContainers/${v.protectionContainer}/replicationProtectedItems/${vm(name).protectedItem}`;
}

describe("simulated RBAC: the action ARM checks, from method and path", () => {
  const vault = `${SUB}/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v`;
  it.each([
    [
      "GET",
      `${vault}/replicationOperationStatus/j1`,
      "Microsoft.RecoveryServices/vaults/replicationOperationStatus/read",
      `${vault}/replicationOperationStatus/j1`,
    ],
    ["GET", `${vault}/replicationJobs/j1`, "Microsoft.RecoveryServices/vaults/replicationJobs/read", `${vault}/replicationJobs/j1`],
    [
      "POST",
      `${vault}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/i/unplannedFailover`,
      `${ITEMS}/unplannedFailover/action`,
      `${vault}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/i`,
    ],
    [
      "GET",
      `${vault}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/i/recoveryPoints`,
      `${ITEMS}/recoveryPoints/read`,
      `${vault}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/i`,
    ],
    ["GET", `${vault}/replicationPolicies`, "Microsoft.RecoveryServices/vaults/replicationPolicies/read", vault],
    // The vault-level list is a view of the containers' items (rbacActions.ts).
    ["GET", `${vault}/replicationProtectedItems`, `${ITEMS}/read`, vault],
    [
      "PUT",
      `${SUB}/resourceGroups/rg/providers/Microsoft.Network/dnsZones/contoso.com/A/www`,
      "Microsoft.Network/dnsZones/A/write",
      `${SUB}/resourceGroups/rg/providers/Microsoft.Network/dnsZones/contoso.com/A/www`,
    ],
    [
      "DELETE",
      `${SUB}/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt/routes/r`,
      "Microsoft.Network/routeTables/routes/delete",
      `${SUB}/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt/routes/r`,
    ],
    [
      "PATCH",
      `${SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1`,
      "Microsoft.Network/networkInterfaces/write",
      `${SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1`,
    ],
    [
      "POST",
      `${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1/runCommand`,
      "Microsoft.Compute/virtualMachines/runCommand/action",
      `${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`,
    ],
    [
      "GET",
      `${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1/instanceView`,
      "Microsoft.Compute/virtualMachines/instanceView/read",
      `${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`,
    ],
    // An extension resource is named after the last provider namespace of its path.
    [
      "GET",
      `${vault}/providers/Microsoft.Insights/diagnosticSettings/d1`,
      "Microsoft.Insights/diagnosticSettings/read",
      `${vault}/providers/Microsoft.Insights/diagnosticSettings/d1`,
    ],
  ])("%s %s -> %s", (method, path, action, scope) => {
    expect(armAuthorizationCheck(method, path)).toEqual({ action, scope });
  });

  it("reads ASR's capitalised 'Subscriptions' and encoded segments like any other path", () => {
    const check = armAuthorizationCheck("GET", `/Subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/replicationJobs/a%20b`);
    expect(check?.action).toBe("Microsoft.RecoveryServices/vaults/replicationJobs/read");
  });

  it("does not check regional long-running-operation polls, nor paths without a provider", () => {
    expect(armAuthorizationCheck("GET", `${SUB}/providers/Microsoft.Compute/locations/eastus/operations/op1`)).toBeUndefined();
    expect(armAuthorizationCheck("GET", `${SUB}/providers/Microsoft.Network/locations/eastus/operations/op1`)).toBeUndefined();
    expect(armAuthorizationCheck("GET", `${SUB}/resourceGroups/rg`)).toBeUndefined();
  });
});

describe("simulated RBAC: wildcards and notActions as Azure RBAC evaluates them", () => {
  it.each([
    ["*", "Microsoft.Compute/virtualMachines/read", true],
    ["*/read", "Microsoft.Network/networkInterfaces/read", true],
    ["*/read", "Microsoft.Network/networkInterfaces/write", false],
    ["Microsoft.Network/dnsZones/*", "Microsoft.Network/dnsZones/A/write", true],
    ["Microsoft.Network/dnsZones/*", "Microsoft.Network/privateDnsZones/A/write", false],
    ["Microsoft.Authorization/*/read", "Microsoft.Authorization/roleAssignments/read", true],
    ["Microsoft.Authorization/*/read", "Microsoft.Authorization/roleAssignments/write", false],
    ["Microsoft.RecoveryServices/vaults/replicationJobs/*", "Microsoft.RecoveryServices/vaults/replicationJobs/read", true],
    ["Microsoft.RecoveryServices/Vaults/read", "microsoft.recoveryservices/vaults/read", true],
    ["Microsoft.Network/routeTables/routes/read", "Microsoft.Network/routeTables/routes/readx", false],
  ])("%s matches %s: %s", (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  it("subtracts a role's notActions from its own actions only", () => {
    expect(roleGrants(BUILT_IN_ROLES.logAnalyticsReader, "Microsoft.OperationalInsights/workspaces/read")).toBe(true);
    expect(roleGrants(BUILT_IN_ROLES.logAnalyticsReader, "Microsoft.OperationalInsights/workspaces/sharedKeys/read")).toBe(false);
    expect(roleGrants(BUILT_IN_ROLES.monitoringReader, "Microsoft.OperationalInsights/workspaces/sharedKeys/read")).toBe(true);
  });

  it("does not let Site Recovery Operator read replicationOperationStatus, but does let it follow replicationJobs", () => {
    expect(roleGrants(BUILT_IN_ROLES.siteRecoveryOperator, "Microsoft.RecoveryServices/vaults/replicationOperationStatus/read")).toBe(false);
    expect(roleGrants(BUILT_IN_ROLES.siteRecoveryOperator, "Microsoft.RecoveryServices/vaults/replicationJobs/read")).toBe(true);
    expect(roleGrants(BUILT_IN_ROLES.siteRecoveryOperator, `${ITEMS}/unplannedFailover/action`)).toBe(true);
  });
});

describe("simulated RBAC: the roles infra deploys, at the scopes infra assigns them", () => {
  const rbac = createRbac(deployedRoleAssignments(estate), estate.subscriptionId);
  const nat = vm(estate.alerting.natVm.vm);
  const natGroup = nat.recoveryVmId.split("/")[4]!;

  it("grants the failover's ASR calls on the estate's vaults and nothing on another vault", () => {
    expect(rbac.authorize("POST", `${itemPath("DC01")}/unplannedFailover`)).toBeUndefined();
    expect(rbac.authorize("GET", `${itemPath("REC01")}/recoveryPoints`)).toBeUndefined();
    const other = `${SUB}/resourceGroups/rg-elsewhere/providers/Microsoft.RecoveryServices/vaults/rsv-other/replicationJobs/j`;
    expect(rbac.authorize("GET", other)?.action).toBe("Microsoft.RecoveryServices/vaults/replicationJobs/read");
  });

  it("grants the NIC actions in the NAT VM's resource group only", () => {
    const nic = (group: string): string => `${SUB}/resourceGroups/${group}/providers/Microsoft.Network/networkInterfaces/nat01-nic`;
    expect(rbac.authorize("GET", nic(natGroup))).toBeUndefined();
    expect(rbac.authorize("PUT", nic(natGroup))).toBeUndefined();
    expect(rbac.authorize("GET", nat.recoveryVmId)).toBeUndefined();
    const otherGroup = estate.vms.map((v) => v.recoveryVmId.split("/")[4]!).find((g) => g.toLowerCase() !== natGroup.toLowerCase());
    expect(otherGroup).toBeDefined();
    expect(rbac.authorize("PUT", nic(otherGroup!))?.action).toBe("Microsoft.Network/networkInterfaces/write");
  });

  it("reads the custom roles' permissions from infra's JSON, the file the Bicep loads", () => {
    expect(CUSTOM_ROLES.natNicEditor.actions).toEqual([
      "Microsoft.Compute/virtualMachines/read",
      "Microsoft.Network/networkInterfaces/read",
      "Microsoft.Network/networkInterfaces/write",
    ]);
    expect(CUSTOM_ROLES.routeEditor.actions).toContain("Microsoft.Network/routeTables/routes/write");
  });
});

describe("simulated Azure enforces RBAC on the real SDK clients", () => {
  const setup = () => {
    const clock = { now: () => new Date("2025-03-01T10:02:30Z") };
    const sim = createSimulatedAzure({ estate, clock });
    return { sim, ...createSimulatedClients(sim, estate.subscriptionId, { maxRetries: 0 }) };
  };
  const v = (name: string) => estate.vaults[vm(name).vault]!;
  const input: UnplannedFailoverInput = {
    properties: {
      failoverDirection: "PrimaryToRecovery",
      sourceSiteOperations: "NotRequired",
      providerSpecificDetails: { instanceType: "InMageRcm", performShutdown: "false" },
    },
  };

  it("refuses beginUnplannedFailover()'s poll of replicationOperationStatus under Site Recovery Operator, with ARM's 403", async () => {
    // The vault in a resource group of its own, so Site Recovery Operator is the only role that reaches
    // it (in the sample estate the vault shares rg-contoso-dr-eastus with the VMs, whose Monitoring
    // Reader grants every read in that group, the poll included).
    const dc01Vault = vm("DC01").vault;
    const alone = { ...estate, vaults: { ...estate.vaults, [dc01Vault]: { ...estate.vaults[dc01Vault]!, resourceGroup: "rg-contoso-asr" } } };
    const clock = { now: () => new Date("2025-03-01T10:02:30Z") };
    const sim = createSimulatedAzure({ estate: alone, clock });
    const { siteRecovery } = createSimulatedClients(sim, estate.subscriptionId, { maxRetries: 0 });
    const statusPath = `/Subscriptions/${estate.subscriptionId}/resourceGroups/rg-contoso-asr/providers/Microsoft.RecoveryServices/vaults/${v("DC01").name}/replicationOperationStatus/`;
    // The POST is granted and starts the job; the SDK's poll of its Azure-AsyncOperation is not.
    const error: unknown = await siteRecovery.replicationProtectedItems
      .beginUnplannedFailover(v("DC01").name, "rg-contoso-asr", v("DC01").fabric, v("DC01").protectionContainer, vm("DC01").protectedItem, input)
      .then((poller) => poller.poll().then(() => poller.getOperationState().error))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "RestError", statusCode: 403, code: "AuthorizationFailed" });
    const message = (error as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^The client '${SIMULATED_APP_IDENTITY.clientId}' with object id '${SIMULATED_APP_IDENTITY.objectId}' does not have authorization to perform action 'Microsoft\\.RecoveryServices/vaults/replicationOperationStatus/read' over scope '${statusPath.replace(/[.]/g, "\\.")}[^']+' or the scope is invalid\\. If access was recently granted, please refresh your credentials\\.$`,
      ),
    );
    expect(sim.stats().failoverCalls).toMatchObject({ DC01: 1 });
    expect(sim.protectedItem("DC01").allowedOperations).not.toContain("UnplannedFailover");
    expect(sim.misuse.some((m) => m.includes("403 AuthorizationFailed") && m.includes("replicationOperationStatus/read"))).toBe(true);
  });

  it("grants that poll in the sample estate only through Monitoring Reader on the resource group the vault shares with the VMs", () => {
    const rbac = createRbac(deployedRoleAssignments(estate), estate.subscriptionId);
    const vaultPath = `${SUB}/resourceGroups/${v("DC01").resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${v("DC01").name}`;
    expect(rbac.authorize("GET", `${vaultPath}/replicationOperationStatus/j`)).toBeUndefined();
    const withoutMonitoringReader = deployedRoleAssignments(estate).filter((a) => a.role !== BUILT_IN_ROLES.monitoringReader);
    expect(createRbac(withoutMonitoringReader, estate.subscriptionId).authorize("GET", `${vaultPath}/replicationOperationStatus/j`)?.action).toBe(
      "Microsoft.RecoveryServices/vaults/replicationOperationStatus/read",
    );
  });

  it("lets replicationJobs through, which Site Recovery Operator grants: an unknown job is ASR's 404, not ARM's 403", async () => {
    const { sim, siteRecovery } = setup();
    await expect(siteRecovery.replicationJobs.get(v("DC01").name, v("DC01").resourceGroup, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({
      statusCode: 404,
    });
    expect(sim.misuse.filter((m) => m.includes("AuthorizationFailed"))).toEqual([]);
  });

  it("refuses a route write on a route table infra assigns no role on", async () => {
    const { network } = setup();
    await expect(network.routes.get("rg-not-in-estate", "rt-other", "default")).rejects.toMatchObject({ statusCode: 403, code: "AuthorizationFailed" });
  });
});
