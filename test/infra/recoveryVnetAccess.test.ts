import { describe, expect, it } from "vitest";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import { createRbac } from "../../local/simulated-azure/rbac.js";
import { deployedRoleAssignments, type RoleAssignment } from "../../local/simulated-azure/rbacAssignments.js";
import { BUILT_IN_ROLES } from "../../local/simulated-azure/rbacRoles.js";
import { createSimulatedAzure } from "../../local/simulated-azure/simulatedAzure.js";
import { createVnets } from "../../shared/adapters/vnetAdapter.js";
import { recoveryNetworkIdsOf } from "../../shared/domain/estate.js";
import { sampleEstate } from "../helpers.js";

// The health check's VNet read through the real Network SDK client against simulated Azure's RBAC, with
// the role assignments infra deploys (rbacAssignments.ts, kept equal to infra/ by infra.test.ts).

const estate = sampleEstate();

function vnetsWith(roleAssignments: readonly RoleAssignment[]) {
  const sim = createSimulatedAzure({ estate, clock: { now: () => new Date("2026-03-01T02:00:00Z") }, roleAssignments });
  const clients = createSimulatedClients(sim, estate.subscriptionId, { retryDelayInMs: 1, maxRetryDelayInMs: 5 });
  return { sim, vnets: createVnets({ client: clients.network }) };
}

describe("the recovery VNets the estate names, read with the roles infra grants", () => {
  const named = Object.values(estate.vaults).flatMap((vault) => vault.recoveryNetworkIds);

  it("grant Reader on exactly the VNets the vaults name, and no other role the app holds covers them", () => {
    expect(named).toHaveLength(2);
    expect(recoveryNetworkIdsOf(estate)).toEqual(named.map((id) => id.toLowerCase()));
    const assignments = deployedRoleAssignments(estate);
    expect(assignments.filter((a) => a.role === BUILT_IN_ROLES.reader).map((a) => a.scope)).toEqual(named);
    const others = createRbac(
      assignments.filter((a) => a.role !== BUILT_IN_ROLES.reader),
      estate.subscriptionId,
    );
    for (const id of named) expect(others.authorize("GET", id)?.action).toBe("Microsoft.Network/virtualNetworks/read");
  });

  it("answers each VNet's DNS servers with the deployed roles", async () => {
    const { sim, vnets } = vnetsWith(deployedRoleAssignments(estate));
    for (const id of named) expect(await vnets.getDnsSettings(id)).toEqual({ id, dnsServers: [estate.targetDomainController.address] });
    expect(sim.misuse).toEqual([]);
  });

  it("is refused (403 AuthorizationFailed on virtualNetworks/read) without the Reader on the VNet", async () => {
    const { vnets } = vnetsWith(deployedRoleAssignments(estate).filter((a) => a.role !== BUILT_IN_ROLES.reader));
    await expect(vnets.getDnsSettings(named[0]!)).rejects.toMatchObject({ code: "Unauthorized" });
  });
});
