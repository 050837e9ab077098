import { readFileSync } from "node:fs";
import { restorePoller } from "@azure/arm-compute";
import { describe, expect, it } from "vitest";
import { parseEstate, type Estate } from "../../shared/domain/estate.js";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import { createSimulatedAzure, type FaultPlan } from "../../local/simulated-azure/simulatedAzure.js";

const estate: Estate = parseEstate(JSON.parse(readFileSync(new URL("../../estate/sample-estate.json", import.meta.url), "utf8")));
const EAST = "rg-contoso-dr-eastus";
const MINUTE = 60_000;
const DB = `${estate.database.host}:${estate.database.port}`;

function setup(faults?: FaultPlan) {
  let t = Date.parse("2025-03-01T10:02:30Z");
  const sim = createSimulatedAzure({ estate, clock: { now: () => new Date(t) }, ...(faults ? { faults } : {}) });
  const clients = createSimulatedClients(sim, estate.subscriptionId, { retryDelayInMs: 1, maxRetryDelayInMs: 5 });
  const advance = (ms: number) => (t += ms);
  /** Fails a VM over through the real SDK and lets the job finish. */
  const failOver = async (name: string, mode: "unplanned" | "test" = "unplanned") => {
    const vm = estate.vms.find((v) => v.name === name);
    const vault = vm ? estate.vaults[vm.vault] : undefined;
    if (!vm || !vault) throw new Error(name);
    const args = [vault.name, vault.resourceGroup, vault.fabric, vault.protectionContainer, vm.protectedItem] as const;
    const poller =
      mode === "unplanned"
        ? await clients.siteRecovery.replicationProtectedItems.beginUnplannedFailover(...args, {
            properties: {
              failoverDirection: "PrimaryToRecovery",
              sourceSiteOperations: "NotRequired",
              providerSpecificDetails: { instanceType: "InMageRcm", performShutdown: "false" },
            },
          })
        : await clients.siteRecovery.replicationProtectedItems.beginTestFailover(...args, {
            properties: {
              failoverDirection: "PrimaryToRecovery",
              networkType: "VmNetworkAsInput",
              networkId: vault.testNetworkId,
              providerSpecificDetails: { instanceType: "InMageRcm", networkId: vault.testNetworkId },
            },
          });
    advance(8 * MINUTE);
    await poller.poll();
  };
  return { sim, ...clients, advance, failOver };
}

const stdoutOf = (result: { value?: { code?: string; message?: string }[] } | undefined) =>
  result?.value?.find((s) => s.code === "ComponentStatus/StdOut/succeeded")?.message ?? "";

describe("simulated Azure Run Command", () => {
  it("runs the in-guest checks of a script as a long-running operation that takes runCommandMs", async () => {
    const { compute, sim, advance } = setup();
    const poller = await compute.virtualMachines.beginRunCommand(EAST, "DC03-EUS", {
      commandId: "RunPowerShellScript",
      script: ["# dr-check: domainController corp.contoso.com", "dcdiag /test:advertising /s:localhost /q"],
    });
    // beginRunCommand only submits the POST (core-lro 3): no poll yet.
    expect(poller.isDone()).toBe(false);
    await poller.poll();
    expect(poller.isDone()).toBe(false);
    advance(MINUTE);
    await poller.poll();
    expect(poller.isDone()).toBe(true);
    const result = poller.getResult();
    expect(stdoutOf(result)).toMatch(/^DR-CHECK domainController PASS NTDS, DNS, Netlogon and KDC running; advertises as a DC of corp\.contoso\.com/);
    expect(result?.value?.[1]).toMatchObject({ code: "ComponentStatus/StdErr/succeeded", level: "Info", displayStatus: "Provisioning succeeded", message: "" });
    expect(sim.misuse).toEqual([]);
  });

  it("answers 404 for a VM that does not exist yet, and runs on it once it has been failed over", async () => {
    const { compute, sim, failOver, advance } = setup();
    await expect(
      compute.virtualMachines.beginRunCommand(EAST, "API01", { commandId: "RunPowerShellScript", script: ["# dr-check: domainSecureChannel"] }),
    ).rejects.toMatchObject({ statusCode: 404 });
    await failOver("API01");
    const poller = await compute.virtualMachines.beginRunCommand(EAST, "API01", {
      commandId: "RunPowerShellScript",
      script: [
        "# dr-check: domainSecureChannel\nTest-ComputerSecureChannel",
        `# dr-check: databaseReachable ${DB}`,
        "# dr-check: httpHealth https://10.50.2.10:443/health",
      ],
    });
    advance(MINUTE);
    await poller.poll();
    expect(stdoutOf(poller.getResult()).trim().split("\n")).toEqual([
      expect.stringMatching(/^DR-CHECK domainSecureChannel PASS /),
      expect.stringMatching(/^DR-CHECK databaseReachable PASS /),
      expect.stringMatching(/^DR-CHECK httpHealth PASS /),
    ]);
    expect(sim.misuse).toEqual([]);
  });

  it("reports the faulted checks as FAIL lines", async () => {
    const { compute, failOver, advance } = setup({
      brokenDomainTrust: ["API02"],
      databaseUnreachableFrom: ["API02"],
      unhealthyTargetDc: true,
      unhealthyApp: ["API02"],
    });
    await failOver("API02");
    const poller = await compute.virtualMachines.beginRunCommand(EAST, "API02", {
      commandId: "RunPowerShellScript",
      script: [
        "# dr-check: domainController corp.contoso.com",
        "# dr-check: domainSecureChannel",
        `# dr-check: databaseReachable ${DB}`,
        "# dr-check: httpHealth https://localhost:443/health",
      ],
    });
    advance(MINUTE);
    await poller.poll();
    const lines = stdoutOf(poller.getResult()).trim().split("\n");
    expect(lines.map((l) => l.split(" ").slice(0, 3).join(" "))).toEqual([
      "DR-CHECK domainController FAIL",
      "DR-CHECK domainSecureChannel FAIL",
      "DR-CHECK databaseReachable FAIL",
      "DR-CHECK httpHealth FAIL",
    ]);
    expect(lines[1]).toMatch(/trust relationship/);
    expect(lines[3]).toMatch(/503/);
  });

  it("resumes from the serialized poller state with restorePoller, as the adapter does", async () => {
    const { compute, advance } = setup();
    const poller = compute.virtualMachines.runCommand(EAST, "DC03-EUS", {
      commandId: "RunPowerShellScript",
      script: ["# dr-check: domainController corp.contoso.com"],
    });
    await poller.submitted();
    const saved = await poller.serialize();
    advance(MINUTE);
    const restored = restorePoller(compute, saved, compute.virtualMachines.runCommand);
    await restored.poll();
    expect(restored.isDone).toBe(true);
    expect(stdoutOf(restored.result)).toMatch(/domainController PASS/);
  });

  it("refuses a second command while one runs on the same VM", async () => {
    const { compute, sim } = setup();
    await compute.virtualMachines.beginRunCommand(EAST, "DC03-EUS", {
      commandId: "RunPowerShellScript",
      script: ["# dr-check: domainController corp.contoso.com"],
    });
    await expect(
      compute.virtualMachines.beginRunCommand(EAST, "DC03-EUS", {
        commandId: "RunPowerShellScript",
        script: ["# dr-check: domainController corp.contoso.com"],
      }),
    ).rejects.toMatchObject({ statusCode: 409 });
    expect(sim.misuse).toEqual([]);
  });

  it("records misuse: the wrong command for the OS, a Windows check on Linux, a script without dr-check lines", async () => {
    const { compute, sim, failOver } = setup();
    await failOver("WEB01");
    await expect(
      compute.virtualMachines.beginRunCommand(EAST, "WEB01", { commandId: "RunPowerShellScript", script: ["# dr-check: httpHealth http://localhost/healthz"] }),
    ).rejects.toMatchObject({ statusCode: 400 });
    expect(sim.misuse).toHaveLength(1);
    const linux = await compute.virtualMachines.beginRunCommand(EAST, "WEB01", { commandId: "RunShellScript", script: ["# dr-check: domainSecureChannel"] });
    expect(sim.misuse).toHaveLength(2);
    expect(sim.misuse[1]).toMatch(/Linux/);
    expect(linux.isDone()).toBe(false);
    await failOver("WEB02");
    await compute.virtualMachines.beginRunCommand(EAST, "WEB02", { commandId: "RunShellScript", script: ["curl -fsS http://localhost/healthz"] });
    expect(sim.misuse).toHaveLength(3);
    expect(sim.misuse[2]).toMatch(/no '# dr-check/);
  });
});

describe("simulated Azure health probe", () => {
  it("answers only recovered VMs, on their tier's probe, as the fault plan says", async () => {
    const { sim, failOver } = setup({ unhealthyApp: ["WEB02"] });
    const probe = async (url: string) => {
      const result = await sim.probe.probe(url);
      return `${result.ok ? "ok" : "fail"}: ${result.detail}`;
    };
    expect(await probe("http://10.50.3.10:80/healthz")).toMatch(/^fail: .*ETIMEDOUT/);
    await failOver("WEB01");
    await failOver("WEB02");
    expect(await probe("http://10.50.3.10:80/healthz")).toBe("ok: HTTP 200 OK from WEB01");
    expect(await probe("http://10.50.3.10/healthz")).toMatch(/^ok: /);
    expect(await probe("http://10.50.3.10:8080/healthz")).toMatch(/^fail: .*ECONNREFUSED/);
    expect(await probe("http://10.50.3.10:80/nope")).toMatch(/^fail: .*404/);
    expect(await probe("http://10.50.3.11:80/healthz")).toMatch(/^fail: .*503/);
    expect(await probe("https://10.50.2.10:443/health")).toMatch(/^fail: /);
  });

  it("does not reach test-failover VMs, which live in the isolated drill network", async () => {
    const { sim, failOver } = setup();
    await failOver("WEB03", "test");
    expect(sim.existingVmNames()).toContain("WEB03-test");
    const result = await sim.probe.probe("http://10.50.3.12:80/healthz");
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/ETIMEDOUT/);
  });
});
