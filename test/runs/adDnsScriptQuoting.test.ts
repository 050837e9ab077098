import { describe, expect, it } from "vitest";
import { buildAdDnsWriteScript } from "../../shared/runs/adDnsScript.js";

describe("the AD DNS script's quoting", () => {
  it("doubles every quote PowerShell ends a single-quoted string on, the typographic ones too", () => {
    const script = buildAdDnsWriteScript({ zone: "corp.contoso.com", name: "a'b\u2019c\u2018d", expect: null, to: { addresses: ["10.0.0.1"], ttl: 300 } }).join(
      "\n",
    );
    expect(script).toContain("'a''b\u2019\u2019c\u2018\u2018d'");
    expect(script).not.toContain("'a'b");
  });
});
