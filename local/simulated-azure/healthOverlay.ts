import type { HttpClient, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import type { Clock } from "../../shared/ports/clock.js";
import type { Vault, Vm } from "../../shared/domain/estate.js";
import { protectedItemJson } from "./asrPayloads.js";
import type { HealthReadKind } from "./healthFaults.js";
import { containerPath, LATEST_AGENT_VERSION, vaultKeyOf, type HealthWorld } from "./healthWorld.js";
import { iso } from "./http.js";
import { vaultId } from "./ids.js";
import { answerFault, respond } from "./simResponses.js";
import { settle } from "./settle.js";
import type { Stats } from "./stats.js";
import { findItemByVmName, type World } from "./world.js";

const VAULT = String.raw`^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.RecoveryServices/vaults/([^/]+)`;
const CONTAINER = String.raw`${VAULT}/replicationFabrics/([^/]+)/replicationProtectionContainers/([^/]+)`;
const PATHS = {
  vaultItems: new RegExp(`${VAULT}/replicationProtectedItems$`, "i"),
  containerItems: new RegExp(`${CONTAINER}/replicationProtectedItems$`, "i"),
  item: new RegExp(`${CONTAINER}/replicationProtectedItems/([^/]+)$`, "i"),
  points: new RegExp(`${CONTAINER}/replicationProtectedItems/([^/]+)/recoveryPoints(?:/([^/]+))?$`, "i"),
  plans: new RegExp(`${VAULT}/replicationRecoveryPlans$`, "i"),
  policies: new RegExp(`${VAULT}/replicationPolicies$`, "i"),
  instanceView: /\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)\/instanceView$/i,
  dns: /\/providers\/Microsoft\.Network\/(dnsZones|privateDnsZones)\//i,
};

/** Which read a GET is, with what a 403 would name (operation id, RBAC action). */
function readKindOf(path: string): { kind: HealthReadKind; operation: string; action: string } | undefined {
  if (PATHS.vaultItems.test(path) || PATHS.containerItems.test(path))
    return {
      kind: "asr-items",
      operation: "ReplicationProtectedItems_List",
      action: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/read",
    };
  if (PATHS.points.test(path))
    return {
      kind: "recovery-points",
      operation: "RecoveryPoints_ListByReplicationProtectedItems",
      action: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/recoveryPoints/read",
    };
  if (PATHS.plans.test(path))
    return { kind: "recovery-plans", operation: "ReplicationRecoveryPlans_List", action: "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/read" };
  if (PATHS.policies.test(path))
    return { kind: "policies", operation: "ReplicationPolicies_List", action: "Microsoft.RecoveryServices/vaults/replicationPolicies/read" };
  if (PATHS.instanceView.test(path))
    return { kind: "instance-view", operation: "VirtualMachines_InstanceView", action: "Microsoft.Compute/virtualMachines/instanceView/read" };
  if (PATHS.dns.test(path)) return { kind: "dns", operation: "RecordSets_Get", action: "Microsoft.Network/dnsZones/A/read" };
  return undefined;
}

export interface HealthOverlayDeps {
  readonly world: World;
  readonly health: HealthWorld;
  readonly clock: Clock;
  readonly stats: Stats;
}

type Json = Record<string, unknown>;

/**
 * Sits in front of the simulated ARM endpoint and shows ASR's view of the on-premises conditions the
 * ASR simulator does not model (HealthWorld): Mobility agent heartbeat and version, stalled replication,
 * missing app-consistent points, health errors, target settings, items gone or moved to another vault,
 * and read faults. Only GET answers change; everything else passes through untouched.
 */
export function withHealthOverlay(inner: HttpClient, deps: HealthOverlayDeps): HttpClient {
  const { world, health, stats } = deps;
  const estate = world.estate;
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      if (request.method.toUpperCase() !== "GET") return inner.sendRequest(request);
      const url = new URL(request.url);
      const path = decodeURIComponent(url.pathname);
      const read = readKindOf(path);
      const fault = read ? health.plan.failReads?.[read.kind] : undefined;
      if (read && fault) {
        return answerFault(request, fault, { operation: read.operation, action: read.action, scope: path }, stats, health.plan.throttleRetryAfterSeconds ?? 1);
      }

      const itemMatch = PATHS.item.exec(path);
      const pointsMatch = PATHS.points.exec(path);
      const target = itemMatch ?? pointsMatch;
      if (target) {
        const vaultKey = vaultKeyOf(estate, target[2] ?? "", target[3] ?? "");
        const itemName = (target[6] ?? "").toLowerCase();
        const vault = vaultKey ? estate.vaults[vaultKey] : undefined;
        const movedHere =
          vault && vaultKey ? estate.vms.find((vm) => vm.protectedItem.toLowerCase() === itemName && health.movedTo(vm.name) === vaultKey) : undefined;
        const ownVm = vaultKey ? estate.vms.find((vm) => vm.vault === vaultKey && vm.protectedItem.toLowerCase() === itemName) : undefined;
        if (movedHere && vault) {
          const home = estate.vaults[movedHere.vault] as Vault;
          if (itemMatch) return answer(request, "ReplicationProtectedItems_Get", 200, movedItemJson(movedHere, home, vault));
          // The item's points live where the ASR simulator keeps the item: ask there and show them under this vault.
          const innerUrl = request.url.replace(new RegExp(escapeRegExp(containerPath(estate, vault)), "i"), containerPath(estate, home));
          // The SDK finds its operation spec through the request object: answer with the caller's own request.
          const response = { ...(await inner.sendRequest({ ...request, url: innerUrl })), request };
          return rewrite(
            response,
            (text) => moveIds(text, home, vault),
            (body) => patchPoints(body, movedHere),
          );
        }
        if (ownVm && (health.isMissing(ownVm.name) || health.movedTo(ownVm.name))) {
          return answer(request, itemMatch ? "ReplicationProtectedItems_Get" : "RecoveryPoints_ListByReplicationProtectedItems", 404, {
            error: {
              code: "ProtectedItemNotFound",
              message: `The replication protected item '${ownVm.protectedItem}' does not exist in protection container '${target[5] ?? ""}'.`,
            },
          });
        }
        const response = await inner.sendRequest(request);
        if (!ownVm) return response;
        return itemMatch ? rewrite(response, undefined, (body) => patchItem(body, ownVm)) : rewrite(response, undefined, (body) => patchPoints(body, ownVm));
      }

      const list = PATHS.vaultItems.exec(path) ?? PATHS.containerItems.exec(path);
      if (list) {
        const vaultKey = vaultKeyOf(estate, list[2] ?? "", list[3] ?? "");
        const response = await inner.sendRequest(request);
        if (!vaultKey) return response;
        const vault = estate.vaults[vaultKey] as Vault;
        return rewrite(response, undefined, (body) => {
          const items = Array.isArray(body.value) ? (body.value as Json[]) : [];
          const kept = items.flatMap((item) => {
            const vm = vmOfItem(item, vaultKey);
            if (!vm) return [item];
            if (health.isMissing(vm.name) || health.movedTo(vm.name)) return [];
            return [patchItem(item, vm)];
          });
          const arrived = estate.vms
            .filter((vm) => health.movedTo(vm.name) === vaultKey && !health.isMissing(vm.name))
            .map((vm) => movedItemJson(vm, estate.vaults[vm.vault] as Vault, vault));
          return { ...body, value: [...kept, ...arrived] };
        });
      }
      return inner.sendRequest(request);
    },
  };

  function answer(request: PipelineRequest, operation: string, status: number, body: unknown): PipelineResponse {
    stats.countRequest("GET");
    stats.countAnswer(operation, status);
    return respond(request, status, body);
  }

  function vmOfItem(item: Json, vaultKey: string): Vm | undefined {
    const name = typeof item.name === "string" ? item.name.toLowerCase() : "";
    return estate.vms.find((vm) => vm.vault === vaultKey && vm.protectedItem.toLowerCase() === name);
  }

  /** The item as it would look protected in `to`: the ASR simulator's item, its ids moved to the other vault. */
  function movedItemJson(vm: Vm, home: Vault, to: Vault): Json {
    const now = deps.clock.now();
    settle(world, now);
    const item = findItemByVmName(world, vm.name);
    if (!item) throw new Error(`simulated item of ${vm.name} not found`);
    const json = JSON.parse(moveIds(JSON.stringify(protectedItemJson(item, estate, now)), home, to)) as Json;
    return patchItem(json, vm, to);
  }

  /** Ids under one vault rewritten to another: container path, vault path, and the vault's policy. */
  function moveIds(text: string, home: Vault, to: Vault): string {
    const moved = replaceAll(text, containerPath(estate, home), containerPath(estate, to));
    const homeVault = vaultId(estate.subscriptionId, home.resourceGroup, home.name);
    return replaceAll(replaceAll(moved, homeVault, vaultId(estate.subscriptionId, to.resourceGroup, to.name)), `${home.name}-policy`, `${to.name}-policy`);
  }

  function patchItem(item: Json, vm: Vm, vaultOverride?: Vault): Json {
    const now = deps.clock.now();
    const vault = vaultOverride ?? estate.vaults[vm.vault];
    if (!vault) return item;
    const c = health.condition(vm.name);
    const p = (item.properties ?? {}) as Json;
    const d = (p.providerSpecificDetails ?? {}) as Json;
    if (!p.lastSuccessfulTestFailoverTime) {
      const tested = health.lastSuccessfulTestFailover(vm.name);
      if (tested) p.lastSuccessfulTestFailoverTime = iso(tested);
    }
    if (d.instanceType === "InMageRcm") {
      if (!c?.targetNetworkUnset) d.targetNetworkId ??= health.targetNetworkId(vault);
      else delete d.targetNetworkId;
      for (const nic of (d.vmNics ?? []) as Json[]) nic.targetSubnetName ??= `snet-${vm.tier}`;
      const agent = (d.mobilityAgentDetails ?? {}) as Json;
      agent.latestVersion = LATEST_AGENT_VERSION;
      if (c?.agentVersion) {
        agent.version = c.agentVersion;
        agent.isUpgradeable = "true";
      }
      agent.agentVersionExpiryDate ??= iso(new Date(health.start.getTime() + 400 * 86_400_000));
      if (c?.agentSilentSince) agent.lastHeartbeatUtc = iso(minDate(new Date(String(agent.lastHeartbeatUtc)), c.agentSilentSince));
      d.mobilityAgentDetails = agent;
      if (c?.replicationStalledSince) {
        const last = floorTo5(c.replicationStalledSince);
        if (Date.parse(String(d.lastRecoveryPointReceived)) > last.getTime()) {
          d.lastRecoveryPointReceived = iso(last);
          d.lastRpoInSeconds = Math.round((now.getTime() - last.getTime()) / 1000);
          delete d.lastRecoveryPointId;
        }
      }
    } else if (d.instanceType === "InMageAzureV2") {
      if (!c?.targetNetworkUnset) d.selectedRecoveryAzureNetworkId ??= health.targetNetworkId(vault);
      if (c?.agentVersion) d.agentVersion = c.agentVersion;
      if (c?.agentSilentSince) d.lastHeartbeat = iso(c.agentSilentSince);
      if (c?.replicationStalledSince) d.rpoInSeconds = Math.round((now.getTime() - floorTo5(c.replicationStalledSince).getTime()) / 1000);
    }
    if (c) {
      p.healthErrors = [...((p.healthErrors ?? []) as unknown[]), ...c.healthErrors];
      if (c.replicationHealth && p.replicationHealth === "Normal") p.replicationHealth = c.replicationHealth;
    }
    p.providerSpecificDetails = d;
    item.properties = p;
    return item;
  }

  /** No points after replication stalled; no app-consistent points after VSS started failing. */
  function patchPoints(body: Json, vm: Vm): Json {
    const c = health.condition(vm.name);
    if (!c || !Array.isArray(body.value)) return body;
    const keep = (point: Json): boolean => {
      const props = (point.properties ?? {}) as Json;
      const time = Date.parse(String(props.recoveryPointTime));
      if (c.replicationStalledSince && time > c.replicationStalledSince.getTime()) return false;
      if (c.appConsistentStoppedSince && props.recoveryPointType === "AppConsistent" && time > c.appConsistentStoppedSince.getTime()) return false;
      return true;
    };
    return { ...body, value: (body.value as Json[]).filter(keep) };
  }
}

/** Rewrites a 2xx JSON answer (text first, then as an object); anything else passes through. */
function rewrite(response: PipelineResponse, text?: (body: string) => string, json?: (body: Json) => Json): PipelineResponse {
  if (response.status < 200 || response.status >= 300 || !response.bodyAsText) return response;
  let body = response.bodyAsText;
  if (text) body = text(body);
  if (json) body = JSON.stringify(json(JSON.parse(body) as Json));
  return { ...response, bodyAsText: body };
}

function replaceAll(text: string, from: string, to: string): string {
  return text.replace(new RegExp(escapeRegExp(from), "gi"), to);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function floorTo5(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 300_000) * 300_000);
}

function minDate(a: Date, b: Date): Date {
  return Number.isFinite(a.getTime()) && a < b ? a : b;
}
