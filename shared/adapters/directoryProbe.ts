import { Resolver } from "node:dns/promises";
import { connect, isIPv6 } from "node:net";
import type { DirectoryProbePort, DomainControllerAnswer } from "../ports/directoryProbe.js";
import { readRootDse } from "./ldapRootDse.js";

export interface DirectoryProbeOptions {
  /** Ports of the DC's services; only tests change them (to unprivileged ones on 127.0.0.1). */
  readonly ports?: { readonly dns?: number; readonly ldap?: number; readonly kerberos?: number };
  /** Bound on each part of the probe (the DNS lookups together, each TCP connect, the rootDSE read). */
  readonly timeoutMs?: number;
}

/**
 * The DC locator check over the network (node:dns and node:net, no Azure API): a domain controller
 * registers `_ldap._tcp.dc._msdcs.<domain>` SRV records in the domain's DNS (learn.microsoft.com
 * "How domain controllers are located in Windows"), serves LDAP on 389 and Kerberos on 88.
 */
export function createDirectoryProbe(options: DirectoryProbeOptions = {}): DirectoryProbePort {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const ports = { dns: options.ports?.dns ?? 53, ldap: options.ports?.ldap ?? 389, kerberos: options.ports?.kerberos ?? 88 };
  return {
    async probeDomainController({ address, domain }): Promise<DomainControllerAnswer> {
      // Two tries share the deadline, so one lost UDP datagram does not fail the check.
      const resolver = new Resolver({ timeout: Math.max(1, Math.floor(timeoutMs / 2)), tries: 2 });
      // An IPv6 address needs brackets, or its last groups would be read as the port.
      resolver.setServers([isIPv6(address) ? `[${address}]:${ports.dns}` : `${address}:${ports.dns}`]);
      const [srv, { ldap, rootDse }, kerberos] = await Promise.all([
        locatorRecords(resolver, domain, timeoutMs),
        tcpOpen(address, ports.ldap, timeoutMs).then(async (ldap) => ({
          ldap,
          rootDse: ldap.open ? await readRootDse(address, ports.ldap, timeoutMs) : undefined,
        })),
        tcpOpen(address, ports.kerberos, timeoutMs),
      ]);
      return { ...srv, ldap, kerberos, ...(rootDse ? { rootDse } : {}) };
    },
  };
}

async function locatorRecords(resolver: Resolver, domain: string, timeoutMs: number): Promise<Pick<DomainControllerAnswer, "advertised" | "dnsError">> {
  // c-ares retries, and node checks its timers only once per `timeout`, so a silent server would hold
  // a query several times longer than asked; the deadline cancels whatever is still outstanding.
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    resolver.cancel();
  }, timeoutMs);
  try {
    const records = await resolver.resolveSrv(`_ldap._tcp.dc._msdcs.${domain}`);
    const advertised = await Promise.all(
      records.map(async (r) => ({
        host: r.name,
        address: await resolver.resolve4(r.name).then(
          (a) => a[0],
          () => undefined,
        ),
      })),
    );
    return { advertised };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { advertised: [], dnsError: timedOut ? `${message}: no answer within ${timeoutMs} ms` : message };
  } finally {
    clearTimeout(deadline);
  }
}

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<{ open: boolean; detail: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (open: boolean, detail: string): void => {
      socket.destroy();
      resolve({ open, detail });
    };
    socket.setTimeout(timeoutMs, () => finish(false, `${host}:${port} timed out after ${timeoutMs} ms`));
    socket.once("connect", () => finish(true, `${host}:${port} accepts connections`));
    socket.once("error", (error) => finish(false, `${host}:${port}: ${error.message}`));
  });
}
