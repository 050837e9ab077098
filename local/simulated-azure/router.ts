import type { Handler } from "./http.js";

export interface RouteSpec {
  readonly method: "GET" | "PUT" | "POST" | "PATCH" | "DELETE";
  /** ARM path template, e.g. 'subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/...'. */
  readonly pattern: string;
  /** REST operation id, used for stats ('ReplicationJobs_Get'). */
  readonly operation: string;
  readonly apiVersions: readonly string[];
  readonly handle: Handler;
}

export interface Router {
  match(method: string, path: string): { readonly route: RouteSpec; readonly params: Record<string, string> } | undefined;
}

interface Compiled {
  readonly route: RouteSpec;
  readonly segments: readonly string[];
}

/** Matches paths segment by segment, literals without case: the SDKs write 'subscriptions' and ASR ids 'Subscriptions'. */
export function createRouter(routes: readonly RouteSpec[]): Router {
  const compiled: Compiled[] = routes.map((route) => ({ route, segments: split(route.pattern) }));
  return {
    match(method, path) {
      const segments = split(path).map(safeDecode);
      for (const { route, segments: pattern } of compiled) {
        if (route.method !== method || pattern.length !== segments.length) continue;
        const params: Record<string, string> = {};
        const matched = pattern.every((p, i) => {
          const actual = segments[i] ?? "";
          if (p.startsWith("{") && p.endsWith("}")) {
            params[p.slice(1, -1)] = actual;
            return actual.length > 0;
          }
          return p.toLowerCase() === actual.toLowerCase();
        });
        if (matched) return { route, params };
      }
      return undefined;
    },
  };
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
