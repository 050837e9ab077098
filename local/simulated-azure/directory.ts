import type { DomainControllerAnswer } from "../../shared/ports/directoryProbe.js";
import type { World } from "./world.js";

/**
 * What the domain's DCs answer on the network, from the Function App. A DC registers its
 * `_ldap._tcp.dc._msdcs.<domain>` SRV record (and its A record) in AD-integrated DNS, which every DC
 * of the domain serves (learn.microsoft.com, "How domain controllers are located in Windows"); Netlogon
 * registers them, so a DC whose Netlogon stopped drops out. The records of the lost site's DCs stay in
 * DNS (nothing deregisters them) while their hosts do not answer from Azure: that is the state a
 * site failover starts in, and a check that wanted every listed DC to answer would never pass.
 * The estate names no on-premises addresses; addresses in 192.168.20.0/24 stand for them.
 */
export function probeDomainController(world: World, target: { readonly address: string; readonly domain: string }): DomainControllerAnswer {
  const dc = world.estate.targetDomainController;
  const timedOut = (port: number) => ({ open: false, detail: `${target.address}:${port} timed out after 5000 ms` });
  const recoveredDcs = world.estate.vms.filter((vm) => vm.role === "domainController");
  const answersHere = target.address === dc.address || recoveredDcs.some((vm) => isRecovered(world, vm.name) && vm.recoveryIp === target.address);
  if (!answersHere) return { advertised: [], dnsError: `queryTxt ETIMEOUT _ldap._tcp.dc._msdcs.${target.domain}`, ldap: timedOut(389), kerberos: timedOut(88) };
  if (target.domain.toLowerCase() !== dc.domain.toLowerCase()) {
    return {
      advertised: [],
      dnsError: `querySrv ENOTFOUND _ldap._tcp.dc._msdcs.${target.domain}`,
      ldap: open(target.address, 389),
      kerberos: open(target.address, 88),
    };
  }
  const healthy = world.faults.unhealthyTargetDc !== true;
  const targetHost = `${lastSegment(dc.vmId)}.${dc.domain}`.toLowerCase();
  const advertised = [
    ...(healthy ? [{ host: targetHost, address: dc.address }] : []),
    ...recoveredDcs.map((vm, i) => ({
      host: `${vm.name}.${dc.domain}`.toLowerCase(),
      address: isRecovered(world, vm.name) ? vm.recoveryIp : `192.168.20.${10 + i}`,
    })),
  ];
  if (target.address === dc.address && !healthy) {
    const refused = (port: number) => ({ open: false, detail: `${target.address}:${port}: connect ECONNREFUSED` });
    return { advertised, ldap: refused(389), kerberos: refused(88) };
  }
  // A running DC answers an anonymous rootDSE search (MS-ADTS 5.1.3); the target DC has run in Azure all along.
  const rootDse =
    target.address === dc.address
      ? {
          isSynchronized: true,
          dnsHostName: targetHost,
          defaultNamingContext: dc.domain
            .split(".")
            .map((p) => `DC=${p}`)
            .join(","),
        }
      : { isSynchronized: undefined, dnsHostName: undefined, defaultNamingContext: undefined };
  return { advertised, ldap: open(target.address, 389), kerberos: open(target.address, 88), rootDse };
}

const open = (address: string, port: number) => ({ open: true, detail: `${address}:${port} accepts connections` });

function isRecovered(world: World, vmName: string): boolean {
  return [...world.vms.values()].some((vm) => vm.kind === "recovered" && vm.source?.name === vmName);
}

function lastSegment(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? id;
}
