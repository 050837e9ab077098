import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_KEYS } from "../../shared/config/loadConfig.js";
import { INCIDENT_CHECK_QUEUE_NAME, NOTIFICATION_QUEUE_NAME, STATE_TABLES, STEP_QUEUE_NAME } from "../../shared/config/names.js";
import { classifyAlert } from "../../shared/domain/incidents/classifyAlert.js";
import { parseCommonAlert } from "../../shared/domain/incidents/commonAlert.js";
import { parseEstate } from "../../shared/domain/estate.js";
import { deployedRoleAssignments } from "../../local/simulated-azure/rbacAssignments.js";
import { BUILT_IN_ROLES, CUSTOM_ROLES, type RoleDefinition } from "../../local/simulated-azure/rbacRoles.js";
import { readSample } from "../helpers.js";
import { evaluateArm, type ArmScope } from "./evaluateArm.js";

// Compiles infra/ with scripts/bicep.sh (Bicep CLI from az or NuGet, zero errors and warnings),
// then checks the compiled ARM JSON: least-privilege role assignments, no secrets, the app settings
// against CONFIG_KEYS, and the properties the product relies on. Where the answer depends on the
// parameters (optional role assignments), the templates' expressions are evaluated for given values
// (evaluateArm.ts) rather than read as text.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, "utf8")) as unknown;

// ---- Minimal shapes of compiled ARM templates ----

type Json = unknown;

/** The settings every alert rule has, metric or log: severity, on/off, how often, over what window, auto-resolve. */
function scheduleOf(properties: Record<string, Json>): Record<string, Json> {
  const { severity, enabled, evaluationFrequency, windowSize, autoMitigate } = properties;
  return { severity, enabled, evaluationFrequency, windowSize, autoMitigate };
}
interface ArmParameter {
  readonly type: string;
  readonly defaultValue?: Json;
  readonly metadata?: { readonly description?: string };
}
interface ArmResource {
  readonly type: string;
  readonly name?: string;
  readonly condition?: string;
  readonly copy?: Json;
  readonly scope?: string;
  readonly existing?: boolean;
  readonly kind?: string;
  readonly sku?: Readonly<Record<string, Json>>;
  readonly identity?: { readonly type?: string };
  readonly resourceGroup?: string;
  readonly subscriptionId?: string;
  readonly properties?: Readonly<Record<string, Json>>;
}
interface ArmTemplate {
  readonly $schema: string;
  readonly parameters?: Readonly<Record<string, ArmParameter>>;
  readonly variables?: Readonly<Record<string, Json>>;
  readonly resources: readonly ArmResource[] | Readonly<Record<string, ArmResource>>;
  readonly outputs?: Readonly<Record<string, { readonly value: Json }>>;
}
/** A resource together with the template and the module deployment that hold it. */
interface Located {
  readonly resource: ArmResource;
  readonly template: ArmTemplate;
  /** The module deployment whose inner template is `template`; undefined for main.bicep. */
  readonly deployment: Located | undefined;
}

/** Templates with languageVersion 2.0 key their resources by symbolic name; older ones list them. */
const resourcesOf = (t: ArmTemplate): readonly ArmResource[] =>
  Array.isArray(t.resources) ? (t.resources as readonly ArmResource[]) : Object.values(t.resources as Readonly<Record<string, ArmResource>>);

function walk(template: ArmTemplate, deployment: Located | undefined, into: Located[]): Located[] {
  for (const resource of resourcesOf(template)) {
    if (resource.existing === true) continue;
    const here: Located = { resource, template, deployment };
    into.push(here);
    if (resource.type === "Microsoft.Resources/deployments") {
      walk(resource.properties?.["template"] as ArmTemplate, here, into);
    }
  }
  return into;
}

const record = (v: Json): Readonly<Record<string, Json>> => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`not an object: ${JSON.stringify(v)}`);
  return v as Record<string, Json>;
};
const text = (v: Json): string => {
  if (typeof v !== "string") throw new Error(`not a string: ${JSON.stringify(v)}`);
  return v;
};

/** The subscription main.bicep is deployed to, when expressions are evaluated. */
const DEPLOYMENT_SUBSCRIPTION = "00000000-0000-4000-8000-00000000d0d0";

/**
 * What parameters(), variables(), reference() and the scope functions return for expressions of
 * `template`, the inner template of `deployment` (undefined: main.bicep, whose parameters are `params`).
 */
function scopeAt(deployment: Located | undefined, template: ArmTemplate, params: Readonly<Record<string, Json>>): ArmScope {
  const outer = (): ArmScope => scopeAt(deployment!.deployment, deployment!.template, params);
  const scope: ArmScope = {
    parameter(name) {
      if (deployment === undefined && name in params) return params[name];
      const passed = deployment === undefined ? undefined : record(deployment.resource.properties?.["parameters"])[name];
      if (passed !== undefined) return evaluateArm(record(passed)["value"], outer());
      const declared = template.parameters?.[name];
      if (declared?.defaultValue === undefined) throw new Error(`parameter ${name}: no value`);
      return evaluateArm(declared.defaultValue, scope);
    },
    variable(name) {
      if (!(name in (template.variables ?? {}))) throw new Error(`no variable ${name}`);
      return evaluateArm(template.variables?.[name], scope);
    },
    reference(symbolicName) {
      const module = Array.isArray(template.resources) ? undefined : (template.resources as Readonly<Record<string, ArmResource>>)[symbolicName];
      if (module?.type !== "Microsoft.Resources/deployments") throw new Error(`reference('${symbolicName}'): not a module of this template`);
      const inner = module.properties?.["template"] as ArmTemplate;
      const innerScope = scopeAt({ resource: module, template, deployment }, inner, params);
      const outputs = {};
      for (const [key, output] of Object.entries(inner.outputs ?? {})) {
        Object.defineProperty(outputs, key, { enumerable: true, get: () => ({ value: evaluateArm(output.value, innerScope) }) });
      }
      return { outputs };
    },
    subscriptionId() {
      if (deployment === undefined) return DEPLOYMENT_SUBSCRIPTION;
      const sub = deployment.resource.subscriptionId;
      return sub === undefined ? outer().subscriptionId() : text(evaluateArm(sub, outer()));
    },
    resourceGroupName() {
      if (template.$schema.includes("subscriptionDeploymentTemplate")) return undefined;
      const rg = deployment?.resource.resourceGroup;
      return rg === undefined ? outer().resourceGroupName() : text(evaluateArm(rg, outer()));
    },
  };
  return scope;
}

/** Whether `l` is deployed with these parameters: its own condition and those of every module around it hold. */
function isDeployed(l: Located, params: Readonly<Record<string, Json>>): boolean {
  for (let at: Located | undefined = l; at !== undefined; at = at.deployment) {
    if (at.resource.condition === undefined) continue;
    const holds = evaluateArm(at.resource.condition, scopeAt(at.deployment, at.template, params));
    if (typeof holds !== "boolean") throw new Error(`condition ${at.resource.condition} gave ${JSON.stringify(holds)}`);
    if (!holds) return false;
  }
  return true;
}

/** Inside a copy loop (copyIndex() is not evaluated): the resource or a module around it has `copy`. */
const inCopyLoop = (l: Located): boolean => l.resource.copy !== undefined || (l.deployment !== undefined && inCopyLoop(l.deployment));

describe("infra (Bicep compiled to ARM)", () => {
  let out = "";
  let main: ArmTemplate;
  let located: Located[] = [];
  let mainParameterValues: Readonly<Record<string, { value: Json }>> = {};

  /** Resolves `[parameters('x')]` and `[variables('x')]` up through the module chain; other expressions stay as they are. */
  function resolve(value: Json, at: Located | undefined, template: ArmTemplate): Json {
    if (typeof value !== "string") return value;
    const param = /^\[parameters\('([^']+)'\)\]$/.exec(value)?.[1];
    if (param !== undefined) {
      if (at === undefined) {
        // main.bicep: the azd parameters file, else the parameter's default.
        return mainParameterValues[param]?.value ?? template.parameters?.[param]?.defaultValue;
      }
      const passed = record(at.resource.properties?.["parameters"])[param];
      if (passed === undefined) return template.parameters?.[param]?.defaultValue;
      return resolve(record(passed)["value"], at.deployment, at.template);
    }
    const variable = /^\[variables\('([^']+)'\)\]$/.exec(value)?.[1];
    if (variable !== undefined) return resolve(template.variables?.[variable], at, template);
    return value;
  }
  const resolveIn = (l: Located, value: Json): Json => resolve(value, l.deployment, l.template);
  const ofType = (type: string): Located[] => located.filter((l) => l.resource.type.toLowerCase() === type.toLowerCase());
  const one = (type: string): Located => {
    const found = ofType(type);
    expect(found, type).toHaveLength(1);
    return found[0]!;
  };
  const props = (l: Located): Readonly<Record<string, Json>> => record(l.resource.properties);

  // ---- Parameter values for the evaluated expressions ----

  // The optional resources sit in another subscription (connectivity, shared services), so a
  // scope that silently fell back to the deployment's subscription would show.
  const other = "7a1b2c3d-0000-4000-8000-00000000c0c0";
  const primaryCircuitId = `/subscriptions/${DEPLOYMENT_SUBSCRIPTION}/resourceGroups/rg-contoso-network/providers/Microsoft.Network/expressRouteCircuits/er-contoso-primary`;
  const secondaryCircuitId = `/subscriptions/${other}/resourceGroups/rg-connectivity/providers/Microsoft.Network/expressRouteCircuits/er-contoso-secondary`;
  const keyVaultId = `/subscriptions/${other}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-dr-notify`;
  const communicationServiceId = `/subscriptions/${other}/resourceGroups/rg-shared/providers/Microsoft.Communication/communicationServices/acs-dr`;
  // The customer's workspace with the estate's heartbeats (the target DC's, the on-premises NAT's).
  const estateWorkspaceId = `/subscriptions/${other}/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/law-contoso-estate`;
  const natVmResourceId = `/subscriptions/${DEPLOYMENT_SUBSCRIPTION}/resourceGroups/rg-contoso-edge/providers/Microsoft.Compute/virtualMachines/vm-nat`;
  const monitoringReader = "43d0d8ad-25c7-4714-9337-8ba259a9fe05";
  const keyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
  const logAnalyticsReader = "73c42c96-874c-492b-b04d-ab87d138a893";
  const roleId = (subscription: string, name: string): string => `/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${name}`;

  const none = {
    expressRouteSecondaryCircuitId: "",
    notificationKeyVaultId: "",
    notificationCommunicationServiceId: "",
    estateWorkspaceId: "",
    natHeartbeatComputer: "",
  };
  const all = {
    expressRouteSecondaryCircuitId: secondaryCircuitId,
    notificationKeyVaultId: keyVaultId,
    notificationCommunicationServiceId: communicationServiceId,
    estateWorkspaceId,
    natHeartbeatComputer: "NAT01",
  };
  /** The azd parameters with the environment's values filled in, plus `optional`. */
  const parameters = (optional: Readonly<Record<string, string>>): Readonly<Record<string, Json>> => ({
    ...Object.fromEntries(Object.entries(mainParameterValues).map(([name, p]) => [name, p.value])),
    environmentName: "dr-test",
    location: "centralus",
    expressRouteCircuitId: primaryCircuitId,
    natVmResourceId,
    apiAppClientId: "11111111-1111-4111-8111-111111111111",
    apiAppObjectId: "22222222-2222-4222-8222-222222222222",
    apiAppIdentifierUri: "api://dr-automation",
    ...optional,
  });

  beforeAll(() => {
    out = mkdtempSync(path.join(tmpdir(), "infra-out-"));
    try {
      execFileSync("bash", ["scripts/bicep.sh"], {
        cwd: root,
        env: { ...process.env, BICEP_OUT: out },
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 600_000,
      });
    } catch (error) {
      const e = error as { stderr?: Buffer; stdout?: Buffer };
      throw new Error(`scripts/bicep.sh failed:\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`, { cause: error });
    }
    main = readJson(path.join(out, "main.json")) as ArmTemplate;
    mainParameterValues = (readJson(path.join(root, "infra/main.parameters.json")) as { parameters: Record<string, { value: Json }> }).parameters;
    located = walk(main, undefined, []);
  }, 600_000);

  afterAll(() => {
    if (out !== "") rmSync(out, { recursive: true, force: true });
  });

  it("compiles every .bicep file under infra/ to an ARM template", () => {
    const bicepFiles = (readdirSync(path.join(root, "infra"), { recursive: true }) as string[]).filter((f) => f.endsWith(".bicep"));
    const compiled = (readdirSync(out, { recursive: true }) as string[]).filter((f) => f.endsWith(".json"));
    expect(bicepFiles.length).toBeGreaterThan(5);
    expect(compiled.sort()).toEqual(bicepFiles.map((f) => f.replace(/\.bicep$/, ".json")).sort());
    expect(main.$schema).toContain("subscriptionDeploymentTemplate.json");
  });

  it("describes every parameter of every template", () => {
    const missing: string[] = [];
    for (const file of (readdirSync(out, { recursive: true }) as string[]).filter((f) => f.endsWith(".json"))) {
      const templates = [readJson(path.join(out, file)) as ArmTemplate];
      for (const nested of walk(templates[0]!, undefined, []).filter((l) => l.resource.type === "Microsoft.Resources/deployments")) {
        templates.push(record(nested.resource.properties)["template"] as ArmTemplate);
      }
      for (const t of templates) {
        for (const [name, p] of Object.entries(t.parameters ?? {})) {
          if (!p.metadata?.description) missing.push(`${file}: ${name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it("names resources from a resource token (uniqueString)", () => {
    expect(main.variables?.["resourceToken"]).toMatch(/uniqueString\(subscription\(\)\.id, parameters\('environmentName'\)/);
  });

  describe("role assignments", () => {
    // Built-in role ids, independently of infra/app/roles.bicep (learn.microsoft.com built-in roles).
    const builtIn: Readonly<Record<string, string>> = {
      "494ae006-db33-4328-bf46-533a6560a3ca": "Site Recovery Operator",
      "befefa01-2a29-4197-83a8-272ff33ce314": "DNS Zone Contributor",
      "b12aa53e-6015-4669-85d0-8515ebb3ae7f": "Private DNS Zone Contributor",
      "43d0d8ad-25c7-4714-9337-8ba259a9fe05": "Monitoring Reader",
      "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
      "73c42c96-874c-492b-b04d-ab87d138a893": "Log Analytics Reader",
      "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
      "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
      "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
      "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
      "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39": "Azure Service Bus Data Sender",
      "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0": "Azure Service Bus Data Receiver",
    };

    const assignments = (): Located[] => ofType("Microsoft.Authorization/roleAssignments");

    /** "Role @ scope type": the scope is the resource type of `scope`, or the resource group when absent. */
    function describeAssignment(l: Located): string {
      const ref = /^\[subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', (.+)\)\]$/.exec(String(props(l)["roleDefinitionId"]))?.[1];
      expect(ref, String(props(l)["roleDefinitionId"])).toBeDefined();
      const id = String(resolveIn(l, `[${ref!}]`));
      const custom = /outputs\.(\w+RoleId)\.value/.exec(id)?.[1] ?? (id.includes("'dr-audit-appender'") ? "auditAppenderRoleId" : undefined);
      const role = builtIn[id] ?? (custom !== undefined ? `custom:${custom}` : `unknown:${id}`);
      const atSubscription = /subscriptionDeploymentTemplate\.json#$/.test(String(l.template.$schema));
      const scope =
        l.resource.scope === undefined
          ? atSubscription
            ? "subscription"
            : "resourceGroup"
          : /^\[(?:resourceId|extensionResourceId)\('([^']+)'/.exec(l.resource.scope)?.[1];
      return `${role} @ ${scope ?? `unparsed:${l.resource.scope}`}`;
    }

    /** Compute's usages and SKUs exist only under the subscription (/subscriptions/{s}/providers/Microsoft.Compute/...): the quota reader's one exception. */
    const QUOTA_READER = "custom:quotaReaderRoleId @ subscription";

    it("are all made inside resource-group-level deployments, never at the subscription (but the quota reader's two reads)", () => {
      expect(assignments().length).toBeGreaterThan(0);
      expect(assignments().filter((l) => describeAssignment(l) === QUOTA_READER)).toHaveLength(1);
      for (const l of assignments()) {
        if (describeAssignment(l) === QUOTA_READER) continue;
        expect(l.template.$schema, describeAssignment(l)).toMatch(/\/deploymentTemplate\.json#$/);
        expect(l.deployment?.resource.resourceGroup, describeAssignment(l)).toBeDefined();
        if (l.resource.scope !== undefined) {
          expect(l.resource.scope).toMatch(/^\[(resourceId|extensionResourceId)\('Microsoft\./);
          expect(l.resource.scope).not.toMatch(/subscription\(\)/);
        }
      }
    });

    it("grant each role on the exact resource it is for (resource group only for the VMs)", () => {
      expect(assignments().map(describeAssignment).sort()).toEqual(
        [
          "Storage Blob Data Owner @ Microsoft.Storage/storageAccounts",
          "Storage Table Data Contributor @ Microsoft.Storage/storageAccounts",
          // The immutable audit copy: create and append only, on its container.
          "custom:auditAppenderRoleId @ Microsoft.Storage/storageAccounts/blobServices/containers",
          "Azure Service Bus Data Sender @ Microsoft.ServiceBus/namespaces/queues",
          "Azure Service Bus Data Receiver @ Microsoft.ServiceBus/namespaces/queues",
          "Monitoring Metrics Publisher @ Microsoft.Insights/components",
          // The app's own workspace, and the estate's (only when its id is given).
          "Log Analytics Reader @ Microsoft.OperationalInsights/workspaces",
          "Log Analytics Reader @ Microsoft.OperationalInsights/workspaces",
          "Site Recovery Operator @ Microsoft.RecoveryServices/vaults",
          "DNS Zone Contributor @ Microsoft.Network/dnsZones",
          "Private DNS Zone Contributor @ Microsoft.Network/privateDnsZones",
          "custom:routeEditorRoleId @ Microsoft.Network/routeTables",
          // The recovery VNets' DNS servers: read only, on each VNet.
          "Reader @ Microsoft.Network/virtualNetworks",
          // The primary and the secondary circuit (the secondary only when its id is given).
          "Monitoring Reader @ Microsoft.Network/expressRouteCircuits",
          "Monitoring Reader @ Microsoft.Network/expressRouteCircuits",
          // Notifications (each only when its resource id is given).
          "Key Vault Secrets User @ Microsoft.KeyVault/vaults",
          // Or, with the secret names given, on each secret instead.
          "Key Vault Secrets User @ Microsoft.KeyVault/vaults/secrets",
          "custom:emailSenderRoleId @ Microsoft.Communication/communicationServices",
          // The recovered VMs do not exist before the failover creates them: their resource groups.
          "custom:runCommandOperatorRoleId @ resourceGroup",
          "Monitoring Reader @ resourceGroup",
          // Nor does the recovered NAT VM's NIC: its resource group.
          "custom:natNicEditorRoleId @ resourceGroup",
          // Regional vCPU quotas and VM sizes are subscription-level reads.
          QUOTA_READER,
        ].sort(),
      );
    });

    it("are the ones the simulated Azure enforces (rbacAssignments.ts), role by scope type", () => {
      // The control-plane roles: the simulator checks ARM requests only (data-plane roles authorize other hosts).
      const dataPlane = new Set([
        "Storage Blob Data Owner",
        "Storage Table Data Contributor",
        "Azure Service Bus Data Sender",
        "Azure Service Bus Data Receiver",
        "Monitoring Metrics Publisher",
        "Key Vault Secrets User",
        "Log Analytics Reader",
        "custom:emailSenderRoleId",
        "custom:auditAppenderRoleId",
      ]);
      const compiled = [
        ...new Set(
          assignments()
            .map(describeAssignment)
            .filter((d) => !dataPlane.has(d.split(" @ ")[0]!)),
        ),
      ].sort();
      const customKey = new Map<RoleDefinition, string>(Object.entries(CUSTOM_ROLES).map(([key, role]) => [role, `custom:${key}RoleId`]));
      const builtInName = new Map<RoleDefinition, string>(Object.values(BUILT_IN_ROLES).map((role) => [role, role.roleName]));
      const estate = parseEstate(readJson(path.join(root, "estate/sample-estate.json")));
      const simulated = deployedRoleAssignments(estate).map(({ role, scope }) => {
        const segments = scope.split("/");
        const scopeType = segments.length === 3 ? "subscription" : segments.length === 5 ? "resourceGroup" : `${segments[6]!}/${segments[7]!}`;
        return `${customKey.get(role) ?? builtInName.get(role) ?? "unknown"} @ ${scopeType}`;
      });
      expect([...new Set(simulated)].sort()).toEqual(compiled);
    });

    it("give Reader on each VNet of recoveryVirtualNetworks, at that VNet's resource group, and nothing else there", () => {
      const readers = assignments().filter((l) => describeAssignment(l) === "Reader @ Microsoft.Network/virtualNetworks");
      expect(readers).toHaveLength(1);
      const reader = readers[0]!;
      expect(reader.resource.scope).toBe("[resourceId('Microsoft.Network/virtualNetworks', parameters('virtualNetworkName'))]");
      const module = reader.deployment!.resource;
      expect(module.copy).toMatchObject({ count: "[length(parameters('recoveryVirtualNetworks'))]" });
      expect(module.resourceGroup).toBe("[parameters('recoveryVirtualNetworks')[copyIndex()].resourceGroup]");
      expect(record(module.properties?.["parameters"])["virtualNetworkName"]).toEqual({ value: "[parameters('recoveryVirtualNetworks')[copyIndex()].name]" });
      expect(assignments().filter((l) => l.template === reader.template)).toEqual([reader]);
    });

    it("all go to the app's user-assigned identity as a service principal", () => {
      for (const l of assignments()) {
        expect(resolveIn(l, props(l)["principalId"]), describeAssignment(l)).toBe("[reference('identity').outputs.principalId.value]");
        expect(props(l)["principalType"]).toBe("ServicePrincipal");
      }
    });

    it("define the custom roles with only the actions they need, from the JSON the simulated Azure enforces, assignable at resource groups", () => {
      const params = parameters(all);
      // Control-plane roles only; the audit appender is a data-plane role (its own test below).
      const controlPlane = ofType("Microsoft.Authorization/roleDefinitions").filter((l) => !JSON.stringify(l.resource.name).includes("dr-audit-appender"));
      const definitions = controlPlane.map((l) => {
        const here = scopeAt(l.deployment, l.template, params);
        const permissions = evaluateArm(props(l)["permissions"], here) as { actions: string[]; notActions: string[]; dataActions: string[] }[];
        return {
          actions: permissions.flatMap((p) => p.actions).sort(),
          notActions: permissions.flatMap((p) => p.notActions),
          dataActions: permissions.flatMap((p) => p.dataActions),
          scopes: evaluateArm(props(l)["assignableScopes"], here) as string[],
          subscription: here.subscriptionId(),
        };
      });
      expect(definitions.map((d) => d.actions).sort()).toEqual(
        [
          [
            "Microsoft.Communication/CommunicationServices/Read",
            "Microsoft.Communication/CommunicationServices/Write",
            "Microsoft.Communication/EmailServices/write",
          ],
          ["Microsoft.Compute/virtualMachines/read", "Microsoft.Compute/virtualMachines/runCommand/action"],
          ["Microsoft.Compute/virtualMachines/read", "Microsoft.Network/networkInterfaces/read", "Microsoft.Network/networkInterfaces/write"],
          ["Microsoft.Network/routeTables/routes/delete", "Microsoft.Network/routeTables/routes/read", "Microsoft.Network/routeTables/routes/write"],
          ["Microsoft.Compute/locations/usages/read", "Microsoft.Compute/skus/read"],
        ].sort(),
      );
      // Exactly the lists of infra/app/customRolePermissions.json, which the simulator imports.
      expect(definitions.map((d) => d.actions).sort()).toEqual(
        Object.values(CUSTOM_ROLES)
          .map((r) => [...r.actions].sort())
          .sort(),
      );
      for (const d of definitions) {
        expect(d.dataActions).toEqual([]);
        expect(d.notActions).toEqual([]);
        expect(d.scopes.length).toBeGreaterThan(0);
        // The quota reader's reads exist only at the subscription: assignable there, and nowhere else.
        const quotaReader = d.actions.includes("Microsoft.Compute/locations/usages/read");
        for (const scope of d.scopes)
          expect(scope).toMatch(new RegExp(quotaReader ? `^/subscriptions/${d.subscription}$` : `^/subscriptions/${d.subscription}/resourceGroups/[^/]+$`));
      }
      const natScopes = definitions.find((d) => d.actions.includes("Microsoft.Network/networkInterfaces/write"))!.scopes;
      expect(natScopes).toEqual([`/subscriptions/${DEPLOYMENT_SUBSCRIPTION}/resourceGroups/${String(params["natResourceGroup"])}`]);
    });

    describe("on the customer's optional resources, evaluated for given parameter values", () => {
      interface Grant {
        readonly role: string;
        /** The exact resource id assigned on; undefined inside copy loops (not evaluated here). */
        readonly scope: string | undefined;
      }
      /** Every role assignment deployed with these parameters: role definition id and scope, evaluated. */
      const grants = (params: Readonly<Record<string, Json>>): Grant[] =>
        assignments()
          .filter((l) => {
            try {
              return isDeployed(l, params);
            } catch (error) {
              // A condition inside a copy loop may depend on copyIndex(), which is not evaluated here.
              if (inCopyLoop(l)) return true;
              throw error;
            }
          })
          .map((l) => {
            const here = scopeAt(l.deployment, l.template, params);
            const resourceGroupId = (): string => `/subscriptions/${here.subscriptionId()}/resourceGroups/${here.resourceGroupName()!}`;
            return {
              role: text(evaluateArm(props(l)["roleDefinitionId"], here)),
              scope: inCopyLoop(l) ? undefined : l.resource.scope === undefined ? resourceGroupId() : text(evaluateArm(l.resource.scope, here)),
            };
          });
      const on = (params: Readonly<Record<string, Json>>, resourceType: string): Grant[] =>
        grants(params).filter((g) => g.scope?.includes(`/providers/${resourceType}/`));
      const emailSenderDefinitions = (params: Readonly<Record<string, Json>>): Located[] =>
        ofType("Microsoft.Authorization/roleDefinitions").filter(
          (l) =>
            isDeployed(l, params) &&
            JSON.stringify(evaluateArm(props(l)["permissions"], scopeAt(l.deployment, l.template, params))).includes("Microsoft.Communication/"),
        );

      it("Monitoring Reader on the secondary ExpressRoute circuit, in its own subscription, only when its id is given", () => {
        const circuits = "Microsoft.Network/expressRouteCircuits";
        const primary = { role: roleId(DEPLOYMENT_SUBSCRIPTION, monitoringReader), scope: primaryCircuitId };
        const secondary = { role: roleId(other, monitoringReader), scope: secondaryCircuitId };
        expect(on(parameters(all), circuits)).toEqual(expect.arrayContaining([primary, secondary]));
        expect(on(parameters(all), circuits)).toHaveLength(2);
        expect(on(parameters(none), circuits)).toEqual([primary]);
        expect(on(parameters({ ...all, expressRouteSecondaryCircuitId: "" }), circuits)).toEqual([primary]);
      });

      it("Key Vault Secrets User on the notification secrets' Key Vault only when its id is given", () => {
        const vaults = "Microsoft.KeyVault/vaults";
        expect(on(parameters(all), vaults)).toEqual([{ role: roleId(other, keyVaultSecretsUser), scope: keyVaultId }]);
        for (const params of [parameters(none), parameters({ ...all, notificationKeyVaultId: "" })]) {
          expect(on(params, vaults)).toEqual([]);
          expect(grants(params).filter((g) => g.role.endsWith(keyVaultSecretsUser))).toEqual([]);
        }
      });

      it("Key Vault Secrets User on each named secret instead of the vault when the secret names are given", () => {
        const named = { ...parameters(all), notificationKeyVaultSecretNames: ["teams-webhook-url", "webhook-signing-key"] };
        expect(grants(named).filter((g) => g.scope === keyVaultId)).toEqual([]);
        const perSecret = assignments().filter((l) => String(l.resource.scope).startsWith("[resourceId('Microsoft.KeyVault/vaults/secrets'"));
        expect(perSecret).toHaveLength(1);
        expect(perSecret[0]!.resource.copy).toMatchObject({ count: "[length(parameters('secretNames'))]" });
        expect(resolveIn(perSecret[0]!, "[parameters('secretNames')]")).toEqual([]);
      });

      it("Log Analytics Reader on the estate's workspace, in its own subscription, only when its id is given", () => {
        const readers = (params: Readonly<Record<string, Json>>): Grant[] => grants(params).filter((g) => g.role.endsWith(`/${logAnalyticsReader}`));
        const estate = { role: roleId(other, logAnalyticsReader), scope: estateWorkspaceId };
        // The app's own workspace keeps its reader either way; the estate's is added exactly on its id.
        const own = (params: Readonly<Record<string, Json>>): Grant[] => readers(params).filter((g) => g.scope !== estateWorkspaceId);
        for (const params of [parameters(all), parameters({ ...all, natHeartbeatComputer: "" })]) {
          expect(readers(params).filter((g) => g.scope === estateWorkspaceId)).toEqual([estate]);
          expect(readers(params)).toHaveLength(2);
        }
        for (const params of [parameters(none), parameters({ ...all, estateWorkspaceId: "" })]) {
          expect(readers(params).filter((g) => g.scope === estateWorkspaceId)).toEqual([]);
          expect(readers(params)).toHaveLength(1);
        }
        expect(own(parameters(all))).toEqual(own(parameters(none)));
        expect(own(parameters(none))[0]!.scope).toMatch(
          new RegExp(`^/subscriptions/${DEPLOYMENT_SUBSCRIPTION}/resourceGroups/rg-dr-test/providers/Microsoft\\.OperationalInsights/workspaces/`),
        );
      });

      it("the custom e-mail sender role, defined in the Communication Services resource's subscription, on that resource only when its id is given", () => {
        const params = parameters(all);
        const definitions = emailSenderDefinitions(params);
        expect(definitions).toHaveLength(1);
        const definition = definitions[0]!;
        const at = scopeAt(definition.deployment, definition.template, params);
        expect(at.subscriptionId()).toBe(other);
        expect(evaluateArm(props(definition)["assignableScopes"], at)).toEqual([`/subscriptions/${other}/resourceGroups/rg-shared`]);
        const definitionId = roleId(other, text(evaluateArm(definition.resource.name, at)));

        expect(on(params, "Microsoft.Communication/communicationServices")).toEqual([{ role: definitionId, scope: communicationServiceId }]);
        for (const without of [parameters(none), parameters({ ...all, notificationCommunicationServiceId: "" })]) {
          expect(on(without, "Microsoft.Communication/communicationServices")).toEqual([]);
          expect(emailSenderDefinitions(without)).toEqual([]);
        }
      });

      it("leaves the other assignments alone whichever optional ids are given", () => {
        const unchanged = (params: Readonly<Record<string, Json>>): Grant[] =>
          grants(params).filter(
            (g) =>
              (g.scope === undefined && !g.role.endsWith(keyVaultSecretsUser)) ||
              (g.scope !== undefined &&
                g.scope !== estateWorkspaceId &&
                !/\/providers\/(Microsoft\.KeyVault|Microsoft\.Communication|Microsoft\.Network\/expressRouteCircuits)\//.test(g.scope)),
          );
        expect(unchanged(parameters(all))).toEqual(unchanged(parameters(none)));
        expect(unchanged(parameters(none)).length).toBeGreaterThan(10);
      });

      it("keeps the name and scope of a skipped module valid (ARM evaluates them even when the condition is false)", () => {
        const params = parameters(none);
        const skipped = ofType("Microsoft.Resources/deployments").filter((l) => !isDeployed(l, params));
        expect(skipped.map((l) => l.resource.name).sort()).toEqual([
          "[format('dr-acs-{0}', variables('resourceToken'))]",
          "[format('dr-circuit2-{0}', variables('resourceToken'))]",
          "[format('dr-email-role-{0}', variables('resourceToken'))]",
          "[format('dr-kv-{0}', variables('resourceToken'))]",
          "[format('dr-law-{0}', variables('resourceToken'))]",
        ]);
        for (const l of skipped) {
          const inner = scopeAt(l, l.resource.properties?.["template"] as ArmTemplate, params);
          expect(() => [
            evaluateArm(l.resource.name, scopeAt(l.deployment, l.template, params)),
            inner.subscriptionId(),
            inner.resourceGroupName(),
          ]).not.toThrow();
        }
      });
    });
  });

  describe("app settings", () => {
    const hostOwned = Object.keys((readJson(path.join(root, "infra/app/host-settings.json")) as { settings: Record<string, string> }).settings);
    const appSettings = (): Readonly<Record<string, Json>> => {
      const configs = ofType("Microsoft.Web/sites/config").filter((l) => String(l.resource.name).includes("'appsettings'"));
      expect(configs).toHaveLength(1);
      return props(configs[0]!);
    };

    it("are exactly CONFIG_KEYS of shared/config/loadConfig.ts plus the host-owned keys", () => {
      const keys = Object.keys(appSettings());
      expect(hostOwned.filter((k) => !keys.includes(k))).toEqual([]);
      expect(keys.filter((k) => !hostOwned.includes(k)).sort()).toEqual([...CONFIG_KEYS].sort());
    });

    it("hold no secret: identity-based connections only", () => {
      const secretLike = /AccountKey=|SharedAccessKey|listKeys\(|list\w*\(|password|secret|sig=/i;
      for (const [key, value] of Object.entries(appSettings())) {
        expect(String(value), key).not.toMatch(secretLike);
      }
      const settings = appSettings();
      expect(settings["AzureWebJobsStorage__credential"]).toBe("managedidentity");
      expect(settings["ServiceBusConnection__credential"]).toBe("managedidentity");
      expect(String(settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"])).toMatch(/Authorization=AAD/);
    });

    it("come with no secret anywhere in the templates (no list*() call, no secure parameter)", () => {
      const text = readFileSync(path.join(out, "main.json"), "utf8");
      expect(text).not.toMatch(/\blist[A-Z]\w*\(|AccountKey=|SharedAccessKey=/);
      expect(text).not.toMatch(/"type": "secure(string|object)"/i);
    });
  });

  it("keeps shared keys off on the storage account and creates the state tables", () => {
    const storage = ofType("Microsoft.Storage/storageAccounts").find((l) => "stateTableNames" in (l.template.parameters ?? {}))!;
    expect(props(storage)["allowSharedKeyAccess"]).toBe(false);
    expect(props(storage)["allowBlobPublicAccess"]).toBe(false);
    const tables = one("Microsoft.Storage/storageAccounts/tableServices/tables");
    expect(tables.resource.name).toContain("parameters('stateTableNames')[copyIndex()]");
    expect(resolveIn(tables, "[parameters('stateTableNames')]")).toEqual(Object.values(STATE_TABLES));
  });

  it("declares the step, incident-check and notification queues with duplicate detection, bounded redelivery and dead-lettering", () => {
    const namespace = one("Microsoft.ServiceBus/namespaces");
    expect(props(namespace)["disableLocalAuth"]).toBe(true);
    expect(namespace.resource.sku?.["name"]).toBe("Standard");

    const queue = one("Microsoft.ServiceBus/namespaces/queues");
    expect(queue.resource.name).toContain("parameters('queueNames')[copyIndex()]");
    expect(resolveIn(queue, "[parameters('queueNames')]")).toEqual([STEP_QUEUE_NAME, INCIDENT_CHECK_QUEUE_NAME, NOTIFICATION_QUEUE_NAME]);
    const q = Object.fromEntries(Object.entries(props(queue)).map(([k, v]) => [k, resolveIn(queue, v)]));
    expect(q).toMatchObject({
      requiresDuplicateDetection: true,
      deadLetteringOnMessageExpiration: true,
      maxDeliveryCount: 10,
      lockDuration: "PT1M",
    });
    // Longer than a whole run (RTO 1 h) and at most Service Bus's 7-day maximum.
    const window = String(q["duplicateDetectionHistoryTimeWindow"]);
    const hours = isoDurationHours(window);
    expect(hours, window).toBeGreaterThan(2);
    expect(hours, window).toBeLessThanOrEqual(24 * 7);
  });

  it("runs a Flex Consumption Node 20 app with a user-assigned identity and Entra ID authentication", () => {
    const plan = one("Microsoft.Web/serverfarms");
    expect(plan.resource.sku).toMatchObject({ name: "FC1", tier: "FlexConsumption" });
    const site = one("Microsoft.Web/sites");
    expect(site.resource.kind).toBe("functionapp,linux");
    expect(site.resource.identity?.type).toBe("UserAssigned");
    const config = record(props(site)["functionAppConfig"]);
    expect(config["runtime"]).toEqual({ name: "node", version: "20" });
    expect(record(record(record(config["deployment"])["storage"])["authentication"])["type"]).toBe("UserAssignedIdentity");

    const auth = ofType("Microsoft.Web/sites/config").find((l) => String(l.resource.name).includes("'authsettingsV2'"));
    expect(auth).toBeDefined();
    // The app decides: 401 for a script without a token, a sign-in redirect for a person's browser.
    expect(props(auth!)["globalValidation"]).toEqual({ requireAuthentication: false, unauthenticatedClientAction: "AllowAnonymous" });
    expect(record(props(auth!)["login"])).toEqual({ tokenStore: { enabled: false }, allowedExternalRedirectUrls: [] });
    expect(record(record(props(auth!)["identityProviders"])["azureActiveDirectory"])["enabled"]).toBe(true);

    const insights = one("Microsoft.Insights/components");
    expect(props(insights)["DisableLocalAuth"]).toBe(true);
  });

  it("integrates the Function App with the customer's subnet and routes all its outbound traffic through the VNet", () => {
    const site = one("Microsoft.Web/sites");
    // main.bicep passes its functionSubnetId parameter through, which azd fills from FUNCTION_SUBNET_ID.
    expect(resolveIn(site, props(site)["virtualNetworkSubnetId"])).toBe("${FUNCTION_SUBNET_ID}");
    expect(props(site)["vnetRouteAllEnabled"]).toBe(true);
    const param = main.parameters?.["functionSubnetId"];
    expect(param?.type).toBe("string");
    expect(param?.defaultValue).toBeUndefined();
    expect(param?.metadata?.description).toMatch(/Microsoft\.App\/environments/);
    expect(mainParameterValues["functionSubnetId"]?.value).toBe("${FUNCTION_SUBNET_ID}");
  });

  describe("hardening", () => {
    const accounts = (): Located[] => ofType("Microsoft.Storage/storageAccounts");
    const auditAccount = (): Located => {
      const found = accounts().filter((l) => Object.keys(l.template.parameters ?? {}).includes("retentionDays"));
      expect(found).toHaveLength(1);
      return found[0]!;
    };

    it("keeps the product's state and the audit copy on zone-redundant storage, without shared keys, closed to public networks", () => {
      expect(accounts()).toHaveLength(2);
      for (const account of accounts()) {
        expect(account.resource.sku?.["name"]).toBe("Standard_ZRS");
        expect(props(account)["allowSharedKeyAccess"]).toBe(false);
        const acls = record(props(account)["networkAcls"]);
        expect(acls["defaultAction"]).toBe("Deny");
        expect(acls["bypass"]).toBe("AzureServices");
        const rules = acls["virtualNetworkRules"] as { id: Json; action: string }[];
        expect(rules.map((r) => resolveIn(account, r.id))).toEqual(["${FUNCTION_SUBNET_ID}"]);
      }
    });

    it("keeps the audit copy in a container with time-based retention that allows protected appends, and grants only create and append there", () => {
      const audit = auditAccount();
      const policy = one("Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies");
      expect(policy.template).toBe(audit.template);
      expect(props(policy)["allowProtectedAppendWrites"]).toBe(true);
      expect(resolveIn(policy, props(policy)["immutabilityPeriodSinceCreationInDays"])).toBeGreaterThanOrEqual(365);
      const definition = ofType("Microsoft.Authorization/roleDefinitions").find((l) => l.template === audit.template);
      const permissions = props(definition!)["permissions"] as { actions: string[]; dataActions: string[]; notDataActions: string[] }[];
      expect(permissions).toEqual([
        {
          actions: [],
          notActions: [],
          dataActions: [
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
          ],
          notDataActions: [],
        },
      ]);
      const assignment = ofType("Microsoft.Authorization/roleAssignments").filter((l) => l.template === audit.template);
      expect(assignment).toHaveLength(1);
      expect(assignment[0]!.resource.scope).toMatch(/^\[resourceId\('Microsoft\.Storage\/storageAccounts\/blobServices\/containers'/);
    });

    it("turns off Log Analytics shared keys and basic publishing credentials", () => {
      expect(record(props(one("Microsoft.OperationalInsights/workspaces"))["features"])["disableLocalAuth"]).toBe(true);
      const policies = ofType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");
      expect(policies.map((l) => String(l.resource.name)).sort()).toEqual([expect.stringContaining("'ftp'"), expect.stringContaining("'scm'")]);
      for (const policy of policies) expect(props(policy)["allow"]).toBe(false);
    });

    it("expects the issuer of the API's token version in built-in authentication, v1 (the Action Group's Secure Webhook token) by default", () => {
      const auth = ofType("Microsoft.Web/sites/config").find((l) => String(l.resource.name).includes("'authsettingsV2'"))!;
      const aad = record(record(props(auth)["identityProviders"])["azureActiveDirectory"]);
      const at = (version: number): ArmScope => {
        const site = scopeAt(auth.deployment, auth.template, parameters(none));
        return { ...site, parameter: (name) => (name === "apiAccessTokenVersion" ? version : site.parameter(name)) };
      };
      const issuer = record(aad["registration"])["openIdIssuer"];
      expect(evaluateArm(issuer, at(1))).toMatch(/^https:\/\/sts\.windows\.net\/[^/]+\/$/);
      expect(evaluateArm(issuer, at(2))).toMatch(/^https:\/\/login\.microsoftonline\.com\/[^/]+\/v2\.0$/);
      expect(main.parameters?.["apiAccessTokenVersion"]?.defaultValue).toBe(1);
      expect(evaluateArm(record(aad["validation"])["allowedAudiences"], at(1))).toEqual(["api://dr-automation", "11111111-1111-4111-8111-111111111111"]);
    });

    it("withholds Run Command from the target domain controller's resource group", () => {
      const runCommand = ofType("Microsoft.Authorization/roleAssignments").find((l) =>
        String(props(l)["roleDefinitionId"]).includes("runCommandOperatorRoleId"),
      )!;
      expect(runCommand.resource.condition).toBe("[not(variables('holdsTargetDomainController'))]");
      const holds = (resourceGroup: string, targetDc: string): Json =>
        evaluateArm(runCommand.template.variables?.["holdsTargetDomainController"], {
          parameter: (name) => (name === "targetDomainControllerResourceGroup" ? targetDc : undefined),
          variable: () => undefined,
          reference: () => undefined,
          subscriptionId: () => DEPLOYMENT_SUBSCRIPTION,
          resourceGroupName: () => resourceGroup,
        });
      expect(holds("rg-contoso-identity", "RG-Contoso-Identity")).toBe(true);
      expect(holds("rg-contoso-dr-eastus", "rg-contoso-identity")).toBe(false);
      expect(holds("rg-contoso-dr-eastus", "")).toBe(false);
      const vmAccess = ofType("Microsoft.Resources/deployments").find((l) => String(l.resource.name).includes("dr-vms-"))!;
      expect(resolveIn(vmAccess, record(record(props(vmAccess)["parameters"])["targetDomainControllerResourceGroup"])["value"])).toBe(
        "${TARGET_DC_RESOURCE_GROUP}",
      );
    });
  });

  describe("monitoring", () => {
    interface MetricRule {
      readonly name: string;
      readonly description: string;
      readonly targetResourceType: string;
      readonly scopes: readonly string[];
      readonly metrics: readonly string[];
      readonly actionGroupIds: readonly string[];
      /** What every ExpressRoute rule must share: severity, timing, mitigation and the criterion's threshold. */
      readonly settings: Readonly<Record<string, Json>>;
      /** Dimension filters of the rule's criteria. */
      readonly dimensions: readonly Json[];
    }
    /** Every metric alert rule deployed with these parameters: copy loops expanded, expressions evaluated. */
    const metricRules = (params: Readonly<Record<string, Json>>): MetricRule[] =>
      ofType("Microsoft.Insights/metricAlerts").flatMap((l) => {
        if (l.deployment !== undefined && !isDeployed(l.deployment, params)) return [];
        const base = scopeAt(l.deployment, l.template, params);
        const copy = l.resource.copy === undefined ? undefined : record(l.resource.copy);
        const count = copy === undefined ? 1 : evaluateArm(copy["count"], base);
        if (typeof count !== "number") throw new Error(`copy count ${JSON.stringify(copy?.["count"])} gave ${JSON.stringify(count)}`);
        return Array.from({ length: count }, (_, i) => (copy === undefined ? base : { ...base, copyIndex: () => i }))
          .filter((here) => l.resource.condition === undefined || evaluateArm(l.resource.condition, here) === true)
          .map((here): MetricRule => {
            const p = record(evaluateArm(l.resource.properties, here));
            const criteria = record(p["criteria"])["allOf"] as Record<string, Json>[];
            return {
              name: text(evaluateArm(l.resource.name, here)),
              description: text(p["description"]),
              targetResourceType: text(p["targetResourceType"]),
              scopes: (p["scopes"] as Json[]).map(text),
              metrics: criteria.map((c) => text(c["metricName"])),
              dimensions: criteria.flatMap((c) => (c["dimensions"] ?? []) as Json[]),
              actionGroupIds: (p["actions"] as Record<string, Json>[]).map((a) => text(a["actionGroupId"])),
              settings: {
                ...scheduleOf(p),
                criteria: criteria.map(({ operator, threshold, timeAggregation, metricNamespace }) => ({
                  operator,
                  threshold,
                  timeAggregation,
                  metricNamespace,
                })),
              },
            };
          });
      });
    const expressRouteRules = (params: Readonly<Record<string, Json>>): MetricRule[] =>
      metricRules(params).filter((r) => r.targetResourceType.toLowerCase() === "microsoft.network/expressroutecircuits");
    /** The resource id of the one action group, evaluated where it is deployed. */
    const actionGroupId = (params: Readonly<Record<string, Json>>): string => {
      const group = one("Microsoft.Insights/actionGroups");
      const at = scopeAt(group.deployment, group.template, params);
      return `/subscriptions/${at.subscriptionId()}/resourceGroups/${at.resourceGroupName()!}/providers/Microsoft.Insights/actionGroups/${text(evaluateArm(group.resource.name, at))}`;
    };
    const resourceToken = (params: Readonly<Record<string, Json>>): string => text(scopeAt(undefined, main, params).variable("resourceToken"));
    const circuitName = (id: string): string => id.split("/").at(-1)!;

    it("alerts on ExpressRoute BGP/ARP, the NAT VM's availability and dead-lettered steps", () => {
      expect([...new Set(metricRules(parameters(all)).flatMap((r) => r.metrics))].sort()).toEqual([
        "ArpAvailability",
        "BgpAvailability",
        "DeadletteredMessages",
        "VmAvailabilityMetric",
      ]);
      const deadLetters = ofType("Microsoft.Insights/metricAlerts").find((l) => JSON.stringify(props(l)).includes("DeadletteredMessages"))!;
      const criterion = (record(props(deadLetters)["criteria"])["allOf"] as { dimensions: { name: string; values: string[] }[] }[])[0]!;
      expect(criterion.dimensions.map((d) => [d.name, d.values.map((v) => resolveIn(deadLetters, v))])).toEqual([["EntityName", [STEP_QUEUE_NAME]]]);
    });

    it("sends every metric alert rule to the one action group", () => {
      for (const params of [parameters(all), parameters(none)]) {
        const rules = metricRules(params);
        expect(rules.length).toBeGreaterThanOrEqual(4);
        for (const r of rules) expect(r.actionGroupIds, r.name).toEqual([actionGroupId(params)]);
      }
    });

    describe("ExpressRoute (Active/Passive: one circuit down is a warning, every circuit down is the site failover signal)", () => {
      const shared = {
        severity: 0,
        enabled: true,
        evaluationFrequency: "PT1M",
        windowSize: "PT5M",
        autoMitigate: true,
        criteria: [{ operator: "LessThan", threshold: 50, timeAggregation: "Average", metricNamespace: "Microsoft.Network/expressRouteCircuits" }],
      };

      it("has a BGP and an ARP availability rule for the primary and for the secondary circuit, each on exactly its circuit", () => {
        const params = parameters(all);
        const token = resourceToken(params);
        const rules = expressRouteRules(params);
        expect(rules.map((r) => ({ name: r.name, scopes: r.scopes, metrics: r.metrics }))).toEqual(
          expect.arrayContaining([
            { name: `alert-er-bgpavailability-${token}`, scopes: [primaryCircuitId], metrics: ["BgpAvailability"] },
            { name: `alert-er-arpavailability-${token}`, scopes: [primaryCircuitId], metrics: ["ArpAvailability"] },
            { name: `alert-er-secondary-bgpavailability-${token}`, scopes: [secondaryCircuitId], metrics: ["BgpAvailability"] },
            { name: `alert-er-secondary-arpavailability-${token}`, scopes: [secondaryCircuitId], metrics: ["ArpAvailability"] },
          ]),
        );
        expect(rules).toHaveLength(4);
        for (const r of rules) {
          expect(r.actionGroupIds, r.name).toEqual([actionGroupId(params)]);
          expect(r.settings, r.name).toEqual(shared);
          const [label, id] = r.scopes[0] === primaryCircuitId ? ["Primary", primaryCircuitId] : ["Secondary", secondaryCircuitId];
          expect(r.description, r.name).toMatch(new RegExp(`^${label} ExpressRoute circuit ${circuitName(id)}: ${r.metrics[0]!} below 50 %`));
          // Private peering only: averaged with Microsoft peering, its loss would read 50 % and never alert.
          expect(r.dimensions, r.name).toEqual([{ name: "PeeringType", operator: "Include", values: ["AzurePrivatePeering"] }]);
        }
      });

      it("has only the primary circuit's two rules, under the same names, when no secondary circuit is given", () => {
        for (const params of [parameters(none), parameters({ ...all, expressRouteSecondaryCircuitId: "" })]) {
          const rules = expressRouteRules(params);
          expect(rules.map((r) => r.name).sort()).toEqual([
            `alert-er-arpavailability-${resourceToken(params)}`,
            `alert-er-bgpavailability-${resourceToken(params)}`,
          ]);
          for (const r of rules) {
            expect(r.scopes, r.name).toEqual([primaryCircuitId]);
            expect(r.actionGroupIds, r.name).toEqual([actionGroupId(params)]);
            expect(r.settings, r.name).toEqual(shared);
          }
        }
        // Adding the secondary circuit later updates the primary's rules in place rather than adding copies.
        const primaryNames = (params: Readonly<Record<string, Json>>): string[] =>
          expressRouteRules(params)
            .filter((r) => r.scopes[0] === primaryCircuitId)
            .map((r) => r.name)
            .sort();
        expect(primaryNames(parameters(all))).toEqual(primaryNames(parameters(none)));
      });

      it("alerts every circuit of the sample estate's alerting.expressRouteCircuits, so the policy can see them all down", () => {
        const estate = parseEstate(readJson(path.join(root, "estate/sample-estate.json")));
        const circuits = estate.alerting.expressRouteCircuits;
        // The template takes a primary and an optional secondary circuit: a third could never be alerted,
        // and the site failover (every circuit down) would never start.
        expect(circuits.length).toBeLessThanOrEqual(2);
        const active = circuits.filter((c) => c.role === "active");
        expect(active).toHaveLength(1);
        const passive = circuits.find((c) => c.role === "passive");
        const params = parameters({ ...none, expressRouteCircuitId: active[0]!.id, expressRouteSecondaryCircuitId: passive?.id ?? "" });

        // What the app makes of each rule's alert: the circuit it is about, by the estate's own classifier.
        const signals = expressRouteRules(params).map((r) =>
          classifyAlert(
            {
              alertId: `/alerts/${r.name}`,
              rule: r.name,
              severity: "Sev0",
              signalType: "Metric",
              monitoringService: "Platform",
              condition: "Fired",
              targets: r.scopes.map((s) => s.toLowerCase()),
              firedAt: "2024-01-01T00:00:00Z",
              criteria: r.metrics.map((metricName) => ({ metricName, metricValue: 0, dimensions: {} })),
            },
            estate.alerting,
          ),
        );
        const down = signals.map((s) => (s.kind === "circuitDown" ? `${s.circuitId} ${s.role}` : `not circuitDown: ${JSON.stringify(s)}`));
        const expected = circuits.flatMap((c) => [`${c.id.toLowerCase()} ${c.role}`, `${c.id.toLowerCase()} ${c.role}`]);
        expect(down.sort()).toEqual(expected.sort());
      });
    });

    interface LogRule {
      readonly name: string;
      readonly kind: string | undefined;
      readonly apiVersion: string;
      readonly scopes: readonly string[];
      readonly query: string;
      readonly dimensions: readonly string[];
      readonly actionGroupIds: readonly string[];
      readonly settings: Readonly<Record<string, Json>>;
    }
    /** Every log search alert rule deployed with these parameters, expressions evaluated. */
    const logRules = (params: Readonly<Record<string, Json>>): LogRule[] =>
      ofType("Microsoft.Insights/scheduledQueryRules")
        .filter((l) => isDeployed(l, params))
        .map((l): LogRule => {
          const here = scopeAt(l.deployment, l.template, params);
          const p = record(evaluateArm(l.resource.properties, here));
          const criteria = record(p["criteria"])["allOf"] as Record<string, Json>[];
          expect(criteria).toHaveLength(1);
          const criterion = criteria[0]!;
          return {
            name: text(evaluateArm(l.resource.name, here)),
            kind: l.resource.kind,
            apiVersion: text((l.resource as { apiVersion?: string }).apiVersion),
            scopes: (p["scopes"] as Json[]).map(text),
            query: text(criterion["query"]),
            dimensions: ((criterion["dimensions"] ?? []) as Record<string, Json>[]).map((d) => text(d["name"])),
            actionGroupIds: (record(p["actions"])["actionGroups"] as Json[]).map(text),
            settings: {
              ...scheduleOf(p),
              timeAggregation: criterion["timeAggregation"],
              operator: criterion["operator"],
              threshold: criterion["threshold"],
            },
          };
        });

    describe("NAT/firewall lost (edge-tier failover signal)", () => {
      const heartbeatRule = (params: Readonly<Record<string, Json>>): LogRule | undefined =>
        logRules(params).find((r) => r.name === `alert-nat-heartbeat-${resourceToken(params)}`);
      const vmAvailabilityRules = (params: Readonly<Record<string, Json>>): MetricRule[] =>
        metricRules(params).filter((r) => r.metrics.includes("VmAvailabilityMetric"));

      it("alerts when the NAT's computer sends no Heartbeat to the estate's workspace for 5 minutes, split by Computer", () => {
        const params = parameters({ ...all, natHeartbeatComputer: "NAT01" });
        const rule = heartbeatRule(params);
        expect(rule).toBeDefined();
        expect(rule!.kind).toBe("LogAlert");
        expect(rule!.scopes).toEqual([estateWorkspaceId]);
        expect(rule!.query).toMatch(/^\s*Heartbeat\s*\n/);
        expect(rule!.query).toContain("| where Computer =~ 'NAT01'");
        expect(rule!.query).toMatch(/summarize LastHeartbeat = max\(TimeGenerated\) by Computer/);
        expect(rule!.query).toMatch(/where LastHeartbeat < ago\(5m\)/);
        expect(rule!.dimensions).toEqual(["Computer"]);
        expect(rule!.actionGroupIds).toEqual([actionGroupId(params)]);
        // A look-back long enough to still see the last heartbeat; evaluated every 5 minutes; stateful.
        expect(rule!.settings).toEqual({
          severity: 1,
          enabled: true,
          evaluationFrequency: "PT5M",
          windowSize: "P1D",
          autoMitigate: true,
          timeAggregation: "Count",
          operator: "GreaterThan",
          threshold: 0,
        });
        // The same resource API version as the RPO rule.
        const rpo = logRules(params).find((r) => r.name.startsWith("alert-asr-rpo-"));
        expect(rule!.apiVersion).toBe(rpo?.apiVersion);
        expect(heartbeatRule(parameters({ ...all, natHeartbeatComputer: "FW-EDGE-02" }))!.query).toContain("=~ 'FW-EDGE-02'");
      });

      it("has no heartbeat rule unless both the estate's workspace and the computer are given", () => {
        for (const params of [parameters(none), parameters({ ...all, estateWorkspaceId: "" }), parameters({ ...all, natHeartbeatComputer: "" })]) {
          expect(heartbeatRule(params)).toBeUndefined();
          expect(logRules(params).filter((r) => r.query.includes("Heartbeat"))).toEqual([]);
          expect(logRules(params).map((r) => r.name)).toEqual([`alert-asr-rpo-${resourceToken(params)}`]);
        }
      });

      it("alerts on VmAvailabilityMetric only for an Azure-hosted NAT VM, under the rule's original name", () => {
        for (const params of [parameters({ ...all, natVmResourceId: "" }), parameters({ ...none, natVmResourceId: "" })]) {
          expect(vmAvailabilityRules(params)).toEqual([]);
        }
        for (const params of [parameters(all), parameters(none)]) {
          const rules = vmAvailabilityRules(params);
          expect(rules.map((r) => ({ name: r.name, scopes: r.scopes, targetResourceType: r.targetResourceType }))).toEqual([
            { name: `alert-nat-vm-availability-${resourceToken(params)}`, scopes: [natVmResourceId], targetResourceType: "Microsoft.Compute/virtualMachines" },
          ]);
          expect(rules[0]!.actionGroupIds).toEqual([actionGroupId(params)]);
        }
      });

      it("sends, for the sample estate's on-premises NAT, a log alert the app classifies as the NAT loss signal", () => {
        const estate = parseEstate(readJson(path.join(root, "estate/sample-estate.json")));
        const nat = estate.alerting.natVm;
        // NAT01 runs on premises (Arc-enabled): no Azure VM metric, only its heartbeat can raise the signal.
        expect(nat.resourceIds.some((id) => /\/providers\/Microsoft\.Compute\/virtualMachines\//i.test(id))).toBe(false);
        const params = parameters({ ...all, natVmResourceId: "", natHeartbeatComputer: nat.heartbeatComputer });
        const rule = heartbeatRule(params)!;
        expect(rule).toBeDefined();

        // What Azure Monitor posts for this rule: a real log-search-v2 payload with the rule's name, its
        // target (the workspace), its query, and one value per dimension of the rule.
        const post = (monitorCondition: "Fired" | "Resolved"): unknown => {
          const payload = structuredClone(readSample("alert-log-v2.json")) as {
            data: { essentials: Record<string, Json>; alertContext: { condition: { allOf: Record<string, Json>[] } } };
          };
          const { essentials } = payload.data;
          essentials["alertRule"] = rule.name;
          essentials["severity"] = `Sev${String(rule.settings["severity"])}`;
          essentials["monitorCondition"] = monitorCondition;
          essentials["alertTargetIDs"] = rule.scopes.map((s) => s.toLowerCase());
          essentials["configurationItems"] = [nat.heartbeatComputer];
          if (monitorCondition === "Resolved") essentials["resolvedDateTime"] = "2021-11-16T12:02:41.4728231Z";
          const criterion = payload.data.alertContext.condition.allOf[0]!;
          criterion["searchQuery"] = rule.query;
          criterion["dimensions"] = rule.dimensions.map((name) => ({ name, value: nat.heartbeatComputer }));
          return payload;
        };

        const signal = (monitorCondition: "Fired" | "Resolved"): unknown => {
          const parsed = parseCommonAlert(post(monitorCondition));
          if (!parsed.ok) throw new Error(parsed.problems.join("; "));
          expect(parsed.alert.targets).toEqual([estateWorkspaceId.toLowerCase()]);
          return classifyAlert(parsed.alert, estate.alerting);
        };
        expect(signal("Fired")).toEqual({ kind: "natLost", vm: nat.vm });
        expect(signal("Resolved")).toEqual({ kind: "natRecovered", vm: nat.vm });
      });
    });

    it("alerts on ASR RPO above 30 minutes with a log search (v2) rule over AzureDiagnostics", () => {
      const rules = ofType("Microsoft.Insights/scheduledQueryRules").filter((l) => String(l.resource.name).includes("alert-asr-rpo-"));
      expect(rules).toHaveLength(1);
      const rule = rules[0]!;
      expect(rule.resource.kind).toBe("LogAlert");
      const query = String(rule.template.variables?.["rpoQuery"]);
      expect(query).toMatch(/AzureDiagnostics/);
      expect(query).toMatch(/AzureSiteRecoveryReplicatedItems/);
      expect(query).toMatch(/rpoInSeconds_d > \{0\}/);
      expect(resolveIn(rule, "[parameters('rpoThresholdMinutes')]")).toBe(30);
    });

    it("posts to /api/alerts through a Secure Webhook with the common alert schema", () => {
      const group = one("Microsoft.Insights/actionGroups");
      const receivers = props(group)["webhookReceivers"] as Record<string, Json>[];
      expect(receivers).toHaveLength(1);
      expect(receivers[0]).toMatchObject({ useAadAuth: true, useCommonAlertSchema: true });
      expect(String(receivers[0]!["serviceUri"])).toMatch(/\/api\/alerts'/);
    });
  });

  describe("azd parameters (infra/main.parameters.json)", () => {
    interface Ref {
      resourceGroup: string;
      name: string;
    }
    interface SampleEstate {
      vaults: Record<string, Ref & { recoveryNetworkIds: string[] }>;
      targetDomainController: { vmId: string };
      vms: { name: string; recoveryVmId: string }[];
      alerting: { natVm: { vm: string } };
      dns: { zoneType: "public" | "private"; resourceGroup: string; zone: string }[];
      routes: { resourceGroup: string; routeTable: string }[];
    }
    const estate = readJson(path.join(root, "estate/sample-estate.json")) as SampleEstate;
    const value = <T>(name: string): T => mainParameterValues[name]?.value as T;
    const key = (r: Ref): string => `${r.resourceGroup}/${r.name}`;
    const unique = (xs: string[]): string[] => [...new Set(xs)].sort();

    it("name only parameters of main.bicep and supply every one without a default", () => {
      const declared = main.parameters ?? {};
      expect(Object.keys(mainParameterValues).filter((p) => !(p in declared))).toEqual([]);
      const required = Object.entries(declared)
        .filter(([, p]) => p.defaultValue === undefined)
        .map(([n]) => n);
      expect(required.filter((p) => !(p in mainParameterValues))).toEqual([]);
    });

    it("name the resource group of the sample estate's recovered NAT VM for the NIC role", () => {
      const nat = estate.vms.find((v) => v.name === estate.alerting.natVm.vm);
      expect(nat).toBeDefined();
      expect(value<string>("natResourceGroup")).toBe(nat!.recoveryVmId.split("/")[4]);
      expect(value<string[]>("vmResourceGroups")).toContain(value<string>("natResourceGroup"));
    });

    it("point at the sample estate's vaults, DNS zones, route tables, recovery VNets and VM resource groups", () => {
      expect(value<Ref[]>("recoveryVaults").map(key).sort()).toEqual(Object.values(estate.vaults).map(key).sort());
      for (const zoneType of ["public", "private"] as const) {
        const param = zoneType === "public" ? "publicDnsZones" : "privateDnsZones";
        const expected = unique(estate.dns.filter((d) => d.zoneType === zoneType).map((d) => `${d.resourceGroup}/${d.zone}`));
        expect(value<Ref[]>(param).map(key).sort()).toEqual(expected);
      }
      expect(value<Ref[]>("routeTables").map(key).sort()).toEqual(unique(estate.routes.map((r) => `${r.resourceGroup}/${r.routeTable}`)));
      const vnets = Object.values(estate.vaults).flatMap((v) => v.recoveryNetworkIds.map((id) => `${id.split("/")[4]!}/${id.split("/")[8]!}`));
      expect(vnets.length).toBeGreaterThan(0);
      expect(value<Ref[]>("recoveryVirtualNetworks").map(key).sort()).toEqual(unique(vnets));
      const vmGroups = unique([estate.targetDomainController.vmId, ...estate.vms.map((v) => v.recoveryVmId)].map((id) => id.split("/")[4]!));
      expect([...value<string[]>("vmResourceGroups")].sort()).toEqual(vmGroups);
    });
  });

  it("ships the Entra app roles the HTTP API checks, plus the Action Group's webhook role", () => {
    const roles = readJson(path.join(root, "infra/entra/app-roles.json")) as { id: string; value: string; isEnabled: boolean }[];
    expect(roles.map((r) => r.value).sort()).toEqual(["ActionGroupsSecureWebhook", "admin", "approver", "operator", "reader"]);
    expect(new Set(roles.map((r) => r.id)).size).toBe(roles.length);
    expect(roles.every((r) => r.isEnabled)).toBe(true);
  });
});

/** Hours in an ISO 8601 duration of days, hours, minutes and seconds (P1D, PT2H, P1DT12H...). */
function isoDurationHours(duration: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (m === null) throw new Error(`not an ISO 8601 duration: ${duration}`);
  const [days, hours, minutes, seconds] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
  return days * 24 + hours + minutes / 60 + seconds / 3600;
}
