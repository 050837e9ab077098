/**
 * In-guest check scripts run with Run Command. Each check announces itself with a
 * `# dr-check: <name> <args>` line and prints `DR-CHECK <name> PASS|FAIL <detail>`,
 * so one Run Command per VM carries all its checks and the output parses back to them.
 */
export type GuestCheckSpec =
  | { readonly name: "domainController"; readonly domain: string }
  | { readonly name: "domainSecureChannel" }
  | { readonly name: "databaseReachable"; readonly host: string; readonly port: number }
  | { readonly name: "httpHealth"; readonly url: string };

export interface GuestCheckResult {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

export function buildGuestScript(os: "windows" | "linux", checks: readonly GuestCheckSpec[]): string[] {
  return checks.flatMap((check) => [`# dr-check: ${describe(check)}`, os === "windows" ? powershell(check) : shell(check)]);
}

export function parseGuestOutput(stdout: string, checks: readonly GuestCheckSpec[]): GuestCheckResult[] {
  const lines = stdout.split(/\r?\n/);
  return checks.map((check) => {
    const line = lines.find((l) => l.startsWith(`DR-CHECK ${check.name} `));
    if (!line) return { name: check.name, passed: false, detail: "the check printed no result" };
    const [, , verdict = "", ...detail] = line.split(" ");
    return { name: check.name, passed: verdict === "PASS", detail: detail.join(" ") };
  });
}

function describe(check: GuestCheckSpec): string {
  switch (check.name) {
    case "domainController":
      return `domainController ${check.domain}`;
    case "domainSecureChannel":
      return "domainSecureChannel";
    case "databaseReachable":
      return `databaseReachable ${check.host}:${check.port}`;
    case "httpHealth":
      return `httpHealth ${check.url}`;
  }
}

const result = (name: string, pass: string, fail: string, condition: string): string =>
  `if (${condition}) { 'DR-CHECK ${name} PASS ${pass}' } else { 'DR-CHECK ${name} FAIL ${fail}' }`;

function powershell(check: GuestCheckSpec): string {
  switch (check.name) {
    case "domainController":
      return domainControllerScript(check.domain);
    case "domainSecureChannel":
      return result(
        "domainSecureChannel",
        "secure channel to the domain is healthy",
        "secure channel to the domain is broken; rejoin or reset the computer account",
        "Test-ComputerSecureChannel",
      );
    case "databaseReachable":
      return result(
        "databaseReachable",
        `${check.host}:${check.port} reachable`,
        `${check.host}:${check.port} unreachable`,
        `(Test-NetConnection -ComputerName ${check.host} -Port ${check.port}).TcpTestSucceeded`,
      );
    case "httpHealth":
      return result(
        "httpHealth",
        `${check.url} answered 2xx`,
        `${check.url} did not answer 2xx`,
        `(Invoke-WebRequest -UseBasicParsing -TimeoutSec 10 '${check.url}').StatusCode -lt 300`,
      );
  }
}

function shell(check: GuestCheckSpec): string {
  const sh = (name: string, pass: string, fail: string, command: string): string =>
    `if ${command}; then echo 'DR-CHECK ${name} PASS ${pass}'; else echo 'DR-CHECK ${name} FAIL ${fail}'; fi`;
  switch (check.name) {
    case "domainController":
    case "domainSecureChannel":
      return `echo 'DR-CHECK ${check.name} FAIL needs a Windows domain member'`;
    case "databaseReachable":
      return sh(
        "databaseReachable",
        `${check.host}:${check.port} reachable`,
        `${check.host}:${check.port} unreachable`,
        `timeout 5 bash -c '</dev/tcp/${check.host}/${check.port}'`,
      );
    case "httpHealth":
      return sh("httpHealth", `${check.url} answered 2xx`, `${check.url} did not answer 2xx`, `curl -fsS -m 10 -o /dev/null '${check.url}'`);
  }
}

/**
 * A DC judged by what matters when the site is gone: its directory services run, it advertises
 * itself (dcdiag's Advertising test alone; /q prints only errors) and its DNS answers the domain's DC
 * locator record. Replication is not tested: with the on-premises partners unreachable it reports
 * RPC errors (1722) on a perfectly usable DC.
 */
function domainControllerScript(domain: string): string {
  return [
    `$down = @('NTDS','DNS','Netlogon','Kdc' | Where-Object { (Get-Service -Name $_ -ErrorAction SilentlyContinue).Status -ne 'Running' })`,
    "$advertising = @(dcdiag /test:advertising /s:localhost /q)",
    `$srv = Resolve-DnsName -Type SRV -Server 127.0.0.1 -Name '_ldap._tcp.dc._msdcs.${domain}' -ErrorAction SilentlyContinue`,
    "$problems = @()",
    "if ($down.Count -gt 0) { $problems += \"services not running: $($down -join ',')\" }",
    "if ($advertising.Count -gt 0) { $problems += \"dcdiag Advertising: $(($advertising -join ' ').Trim())\" }",
    `if (-not $srv) { $problems += 'no _ldap._tcp.dc._msdcs.${domain} SRV record from the local DNS server' }`,
    `if ($problems.Count -eq 0) { 'DR-CHECK domainController PASS NTDS, DNS, Netlogon and KDC running; advertises as a DC of ${domain}' } else { "DR-CHECK domainController FAIL $($problems -join '; ')" }`,
  ].join("; ");
}
