import type { OperationProgress } from "./longRunning.js";

export interface RouteRef {
  readonly resourceGroup: string;
  readonly routeTable: string;
  readonly route: string;
}

export interface RouteValue {
  readonly addressPrefix: string;
  readonly nextHopIpAddress: string;
}

/** User-defined routes of the route tables the edge tier serves. */
export interface RoutePort {
  getRoute(ref: RouteRef): Promise<(RouteValue & { readonly nextHopType: string }) | undefined>;
  startSetRoute(ref: RouteRef, value: RouteValue): Promise<OperationProgress<void>>;
  resumeSetRoute(ref: RouteRef, value: RouteValue, resumeToken: string): Promise<OperationProgress<void>>;
}
