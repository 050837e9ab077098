import { egressDrop, httpGet } from "./reachability.js";
import { isAdDnsScript, runAdDnsScript } from "./windowsDns.js";
import type { SimVm, World } from "./world.js";

export interface GuestRun {
  readonly stdout: string;
  readonly stderr: string;
  /** Ways the script broke the dr-check protocol: recorded as misuse. */
  readonly problems: readonly string[];
}

const CHECK_LINE = /^\s*#\s*dr-check:\s*(\S+)\s*(.*)$/;

/**
 * The simulated guest. A script announces each check with a line '# dr-check: <name> <args...>' and the
 * guest prints one 'DR-CHECK <name> PASS|FAIL <detail>' line per check, as the fault plan dictates.
 */
export function runGuestScript(world: World, vm: SimVm, script: readonly string[], phase: "validate" | "run" = "run"): GuestRun {
  // DNS Server scripts on a DC (windowsDns.ts) change state, so they only write when the command completes.
  if (isAdDnsScript(script)) return { ...runAdDnsScript(world, vm, script, phase === "run"), stderr: "" };
  const problems: string[] = [];
  const lines: string[] = [];
  const checks = script
    .flatMap((entry) => entry.split(/\r?\n/))
    .flatMap((line) => {
      const match = CHECK_LINE.exec(line);
      return match ? [{ name: match[1] ?? "", args: (match[2] ?? "").trim() }] : [];
    });
  if (checks.length === 0) problems.push(`the script run on ${vm.name} announces no '# dr-check: <name>' line, so its result cannot be read`);
  for (const { name, args } of checks) {
    const result = runCheck(world, vm, name, args, problems);
    lines.push(`DR-CHECK ${name} ${result.pass ? "PASS" : "FAIL"} ${result.detail}`);
  }
  return { stdout: lines.map((l) => `${l}\n`).join(""), stderr: "", problems };
}

function runCheck(world: World, vm: SimVm, name: string, args: string, problems: string[]): { pass: boolean; detail: string } {
  const faults = world.faults;
  const vmName = vm.source?.name ?? vm.name;
  const { domain } = world.estate.targetDomainController;
  const dc = [...world.vms.values()].find((v) => v.kind === "targetDc" || (v.kind === vm.kind && v.source?.role === "domainController"));
  switch (name) {
    case "domainController":
      if (vm.kind !== "targetDc" && vm.source?.role !== "domainController") {
        problems.push(`domainController was run on ${vm.name}, which is not a domain controller`);
        return { pass: false, detail: `${vm.name} is not a domain controller: NTDS is not installed` };
      }
      return (vm.kind === "targetDc" ? faults.unhealthyTargetDc === true : (faults.unhealthyDrillDc ?? []).includes(vmName))
        ? { pass: false, detail: `services not running: Netlogon; dcdiag Advertising: ${vm.name} is not advertising as a domain controller` }
        : { pass: true, detail: `NTDS, DNS, Netlogon and KDC running; advertises as a DC of ${args || domain}` };
    case "domainSecureChannel":
      // Test-ComputerSecureChannel "only works on Domain Member computers ... on Domain Controllers, it
      // returns false positive errors" (its Microsoft docs): a DC fails it however healthy it is.
      if (vm.source?.role === "domainController") {
        problems.push(`domainSecureChannel was run on ${vm.name}, a domain controller, where Test-ComputerSecureChannel gives false failures`);
        return { pass: false, detail: `Test-ComputerSecureChannel: False on domain controller ${vm.name}` };
      }
      if (vm.os !== "windows") {
        problems.push(`domainSecureChannel was run on ${vm.name}, a Linux VM: it is a Windows (Test-ComputerSecureChannel) check`);
        return { pass: false, detail: `Test-ComputerSecureChannel is not available on Linux (${vm.name})` };
      }
      return (faults.brokenDomainTrust ?? []).includes(vmName)
        ? { pass: false, detail: `Test-ComputerSecureChannel: False; the trust relationship between ${vm.name} and the primary domain ${domain} failed` }
        : { pass: true, detail: `Test-ComputerSecureChannel: True (${domain}${dc ? `, via ${dc.name}` : ""})` };
    case "databaseReachable": {
      const match = /^(\S+):(\d+)$/.exec(args);
      if (!match) {
        problems.push(`databaseReachable on ${vm.name} needs '<host>:<port>', got '${args}'`);
        return { pass: false, detail: `bad arguments '${args}'` };
      }
      const [, host = "", port = ""] = match;
      const db = world.estate.database;
      if (host.toLowerCase() !== db.host.toLowerCase()) return { pass: false, detail: `${host}:${port}: could not resolve host ${host}` };
      if (Number(port) !== db.port) return { pass: false, detail: `${host}:${port}: connection refused` };
      // The server is reached at its public endpoint, through the VM's 0.0.0.0/0 route (reachability.ts).
      const dropped = egressDrop(world, vm);
      if (dropped) return { pass: false, detail: `${host}:${port}: TCP connect timed out after 5000 ms from ${vm.name} (simulated network: ${dropped})` };
      return (faults.databaseUnreachableFrom ?? []).includes(vmName)
        ? { pass: false, detail: `${host}:${port}: TCP connect timed out after 5000 ms from ${vm.name}` }
        : { pass: true, detail: `${host}:${port}: TCP connect succeeded from ${vm.name}` };
    }
    case "httpHealth": {
      if (args.length === 0) {
        problems.push(`httpHealth on ${vm.name} needs a URL`);
        return { pass: false, detail: "no URL given" };
      }
      const result = httpGet(world, args, vm);
      return { pass: result.ok, detail: `${args}: ${result.detail}` };
    }
    default:
      problems.push(`unknown dr-check '${name}' on ${vm.name} (known: domainController, domainSecureChannel, databaseReachable, httpHealth)`);
      return { pass: false, detail: `unknown check '${name}'` };
  }
}
