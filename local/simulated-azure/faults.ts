import type { FaultPlan } from "./simulatedAzure.js";

export type InjectedFault = { readonly status: 429; readonly retryAfterSeconds: number } | { readonly status: 503 };

/**
 * Decides, before any processing, whether the nth ARM request is answered 429 or 503. A request that was
 * just faulted is exempt when it comes again (same verb, URL and body), so an SDK retry always gets through.
 */
export interface FaultInjector {
  next(requestKey: string): InjectedFault | undefined;
}

export function createFaultInjector(plan: FaultPlan): FaultInjector {
  let count = 0;
  const justFaulted = new Set<string>();
  return {
    next(requestKey) {
      count += 1;
      if (justFaulted.delete(requestKey)) return undefined;
      const throttle = plan.throttleEveryNth;
      let fault: InjectedFault | undefined;
      if (throttle && throttle.n > 0 && count % throttle.n === 0) fault = { status: 429, retryAfterSeconds: throttle.retryAfterSeconds };
      else if (plan.serverErrorEveryNth && plan.serverErrorEveryNth > 0 && count % plan.serverErrorEveryNth === 0) fault = { status: 503 };
      if (fault) justFaulted.add(requestKey);
      return fault;
    },
  };
}
