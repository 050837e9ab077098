/** What a domain controller answers on the network, seen from the Function App's VNet integration. */
export interface DomainControllerAnswer {
  /** Hosts (name and address) the DC's DNS server lists for `_ldap._tcp.dc._msdcs.<domain>`. */
  readonly advertised: readonly { readonly host: string; readonly address: string | undefined }[];
  /** Why the SRV query got no answer, if it got none. */
  readonly dnsError?: string;
  /** TCP 389 (LDAP) and 88 (Kerberos) on the DC's own address accept connections. */
  readonly ldap: { readonly open: boolean; readonly detail: string };
  readonly kerberos: { readonly open: boolean; readonly detail: string };
  /** What the DC's rootDSE says of the DC, read anonymously over LDAP; absent when LDAP is closed. */
  readonly rootDse?: RootDseAnswer;
}

/**
 * A few rootDSE attributes of the DC (MS-ADTS 3.1.1.3.2; learn.microsoft.com "RootDSE (AD Schema)").
 * Each is undefined when the DC did not return it or the read failed.
 */
export interface RootDseAnswer {
  /** `isSynchronized`: TRUE when the directory server says it is fully synchronized (with its replication partners). */
  readonly isSynchronized: boolean | undefined;
  readonly dnsHostName: string | undefined;
  readonly defaultNamingContext: string | undefined;
  /** Why the read gave no entry (refused, timed out, an LDAP error result), if it gave none. */
  readonly error?: string;
}

/**
 * Checks a domain controller without running code on it: the DC's own DNS server is asked for the
 * domain's DC locator records, and its LDAP and Kerberos ports are connected to.
 */
export interface DirectoryProbePort {
  probeDomainController(target: { readonly address: string; readonly domain: string }): Promise<DomainControllerAnswer>;
}
