import { describe, expect, it } from "vitest";
import { parseEstate } from "../../shared/domain/estate.js";
import { planFailover } from "../../shared/domain/planFailover.js";
import { estateProblems, sampleEstateJson } from "../helpers.js";

type RoutesJson = { routes: Record<string, unknown>[] };

function problemsOf(mutate: (json: RoutesJson) => void): readonly string[] {
  const json = sampleEstateJson() as RoutesJson;
  mutate(json);
  return estateProblems(json);
}

describe("estate routes go through a VM of their tier", () => {
  it("refuses a route whose next hop is a fixed address rather than the NAT VM", () => {
    const problems = problemsOf((json) => {
      const route: Record<string, unknown> = { ...json.routes[0], nextHopIpAddress: "10.50.0.10" };
      delete route["nextHopVm"];
      json.routes[0] = route;
    });
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^routes\[0\]\.nextHopVm: /), expect.stringMatching(/^routes\[0\]: .*nextHopIpAddress/)]),
    );
  });

  it("refuses an unknown next hop VM, and one of another tier that is not yet recovered when the route changes", () => {
    expect(problemsOf((json) => (json.routes[0] = { ...json.routes[0], nextHopVm: "NAT09" }))).toEqual(["routes[0].nextHopVm: unknown VM 'NAT09'"]);
    expect(problemsOf((json) => (json.routes[0] = { ...json.routes[0], nextHopVm: "API01" }))).toEqual([
      "routes[0].nextHopVm: 'API01' is in tier 'api', not in the route's tier 'edge': the route would point at a VM not yet recovered",
    ]);
  });

  it("plans IP forwarding on the NAT's NIC once it passed its checks, then the route through it", () => {
    const estate = parseEstate(sampleEstateJson());
    const plan = planFailover(estate, { mode: "unplanned", scope: { kind: "all" } });
    const forwarding = plan.steps.filter((s) => s.kind === "enableIpForwarding");
    expect(forwarding).toEqual([
      { kind: "enableIpForwarding", id: "ip-forwarding:NAT01", dependsOn: ["probe:NAT01"], tier: "edge", target: "NAT01", vm: "NAT01" },
    ]);
    expect(plan.steps.find((s) => s.kind === "updateRoute")).toEqual({
      kind: "updateRoute",
      id: "route:rt-app-eastus:default-via-nat",
      dependsOn: ["ip-forwarding:NAT01"],
      tier: "edge",
      target: "rt-app-eastus/default-via-nat",
      routeTable: "rt-app-eastus",
      route: "default-via-nat",
      nextHopVm: "NAT01",
    });
    expect(plan.steps.find((s) => s.id === "tier-ready:edge")?.dependsOn).toEqual(
      expect.arrayContaining(["ip-forwarding:NAT01", "route:rt-app-eastus:default-via-nat"]),
    );
    // A drill leaves production routes and NICs alone.
    expect(planFailover(estate, { mode: "test", scope: { kind: "all" } }).steps.some((s) => s.kind === "enableIpForwarding" || s.kind === "updateRoute")).toBe(
      false,
    );
  });
});
