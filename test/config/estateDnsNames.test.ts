import { describe, expect, it } from "vitest";
import { dnsNameProblem } from "../../shared/domain/dnsName.js";
import { parseEstate } from "../../shared/domain/estate.js";
import { estateProblems, sampleEstateJson } from "../helpers.js";

// The estate's DNS names (Azure DNS records in `dns`, AD-integrated records in `activeDirectoryDns`)
// follow one rule: RFC 1035/1123 labels, '_' allowed for service labels, '@' for a zone's own name.

type RecordList = "dns" | "activeDirectoryDns";

/** The sample estate with one field of the first entry of `list` replaced. */
function withRecordField(list: RecordList, field: "zone" | "name", value: string): Record<string, unknown> {
  const estate = sampleEstateJson();
  const records = estate[list] as Record<string, unknown>[];
  records[0] = { ...records[0], [field]: value };
  return estate;
}

describe("estate DNS names", () => {
  it("accept the names DNS servers hold: service labels, the zone's own name, several labels, 63-character labels", () => {
    for (const list of ["dns", "activeDirectoryDns"] as const) {
      for (const name of ["_ldap._tcp.dc._msdcs", "@", "api.eu", "a".repeat(63), "web-01", "xn--bcher-kva"]) {
        expect(() => parseEstate(withRecordField(list, "name", name)), `${list} ${name}`).not.toThrow();
      }
      expect(() => parseEstate(withRecordField(list, "zone", "_msdcs.corp.contoso.com"))).not.toThrow();
    }
  });

  it.each(["dns", "activeDirectoryDns"] as const)("refuse a bad %s zone or host name with the field's path and what is wrong", (list) => {
    const cases: readonly [field: "zone" | "name", value: string, problem: string][] = [
      ["zone", "corp.contoso.com.", "a DNS name without the trailing dot ('corp.contoso.com')"],
      ["zone", "corp..contoso.com", "a DNS name: 'corp..contoso.com' has an empty label (two dots in a row, or a leading dot)"],
      ["zone", "@", "a DNS name: label '@' has a character other than letters, digits, '-' or '_'"],
      ["zone", `${"x".repeat(64)}.com`, `a DNS name: label '${"x".repeat(20)}...' has 64 characters, over 63`],
      ["name", "web 01", "'@' or a DNS name: label 'web 01' has a character other than letters, digits, '-' or '_'"],
      [
        "name",
        "api'; Remove-DnsServerZone corp",
        "'@' or a DNS name: label 'api'; Remove-DnsServerZone corp' has a character other than letters, digits, '-' or '_'",
      ],
      ["name", "-api", "'@' or a DNS name: label '-api' starts or ends with '-'"],
      ["name", "", "'@' or a DNS name, not empty"],
    ];
    for (const [field, value, problem] of cases) {
      expect(estateProblems(withRecordField(list, field, value)), `${field} ${JSON.stringify(value)}`).toEqual([`${list}[0].${field}: ${problem}`]);
    }
  });

  it("refuse a host name whose full name exceeds 253 characters, though name and zone are each valid", () => {
    const long = Array.from({ length: 4 }, () => "h".repeat(60)).join(".");
    expect(dnsNameProblem(long)).toBeUndefined();
    const estate = withRecordField("activeDirectoryDns", "name", long);
    expect(estateProblems(estate)).toEqual([
      `activeDirectoryDns[0].name: '${long}' in zone 'corp.contoso.com' makes a name of ${long.length + ".corp.contoso.com".length} characters, over 253`,
    ]);
    expect(estateProblems(withRecordField("dns", "name", long))).toEqual([
      `dns[0].name: '${long}' in zone 'corp.contoso.internal' makes a name of ${long.length + ".corp.contoso.internal".length} characters, over 253`,
    ]);
  });

  it("refuse a name over 253 characters in all", () => {
    expect(dnsNameProblem(Array.from({ length: 5 }, () => "a".repeat(60)).join("."))).toBe("a DNS name of at most 253 characters, not 304");
  });
});

describe("estate recovery VNets", () => {
  const vaultField = (value: unknown): Record<string, unknown> => {
    const estate = sampleEstateJson();
    const vaults = estate["vaults"] as Record<string, Record<string, unknown>>;
    vaults["eastus"] = { ...vaults["eastus"], recoveryNetworkIds: value };
    return estate;
  };

  it("are virtual network ids, none of them the vault's isolated test network, each listed once", () => {
    const test = (sampleEstateJson()["vaults"] as Record<string, { testNetworkId: string }>)["eastus"]!.testNetworkId;
    const subnet = `${test}/subnets/default`;
    expect(estateProblems(vaultField([subnet]))).toEqual([
      "vaults.eastus.recoveryNetworkIds[0]: the ARM id of a virtual network (.../providers/Microsoft.Network/virtualNetworks/<name>)",
    ]);
    expect(estateProblems(vaultField([test]))).toEqual([
      "vaults.eastus.recoveryNetworkIds[0]: is the vault's testNetworkId: drills must run in an isolated VNet, not in a recovery VNet",
    ]);
    const prod = test.replace("vnet-drill-eastus", "vnet-prod-eastus");
    expect(estateProblems(vaultField([prod, prod.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/")]))).toEqual([
      `vaults.eastus.recoveryNetworkIds[1]: '${prod.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/")}' is listed twice`,
    ]);
  });

  it("default to none, so an estate written before them still loads", () => {
    const estate = vaultField(undefined);
    expect(parseEstate(estate).vaults["eastus"]?.recoveryNetworkIds).toEqual([]);
  });
});
