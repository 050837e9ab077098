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

/** A route as read: its value and the ETag a conditional write or delete compares against. */
export interface CurrentRoute extends RouteValue {
  readonly nextHopType: string;
  readonly etag: string;
  /** ARM's provisioningState: 'Deleting' while a delete runs its course. */
  readonly provisioningState: string;
}

/** User-defined routes of the route tables the edge tier serves, written with optimistic concurrency. */
export interface RoutePort {
  getRoute(ref: RouteRef): Promise<CurrentRoute | undefined>;
  /**
   * `ifMatch` is the ETag read before: a route changed since is refused (PreconditionFailed). Undefined
   * creates the route unconditionally (no create-only precondition is known for routes).
   */
  startSetRoute(ref: RouteRef, value: RouteValue, ifMatch: string | undefined): Promise<OperationProgress<void>>;
  resumeSetRoute(ref: RouteRef, value: RouteValue, resumeToken: string): Promise<OperationProgress<void>>;
  /**
   * Deletes the route while its ETag is still `etag` (PreconditionFailed otherwise); a route already
   * gone is deleted.
   */
  startDeleteRoute(ref: RouteRef, etag: string): Promise<OperationProgress<void>>;
  resumeDeleteRoute(ref: RouteRef, resumeToken: string): Promise<OperationProgress<void>>;
}
