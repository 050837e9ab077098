import { inject } from "vitest";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../../local/sandbox/startSandbox.js";
import type { RunReport } from "../../../shared/reports/runReport.js";
import { sampleEstate } from "../../helpers.js";

/** People with app roles, each with a stable object id (the approver rule compares ids). */
export const PEOPLE = {
  reader: { name: "rita.reader@contoso.com", oid: "00000000-0000-4000-8000-000000000001", roles: ["reader"] },
  operator: { name: "otto.operator@contoso.com", oid: "00000000-0000-4000-8000-000000000002", roles: ["operator"] },
  operator2: { name: "olga.operator@contoso.com", oid: "00000000-0000-4000-8000-000000000003", roles: ["operator"] },
  approver: { name: "anna.approver@contoso.com", oid: "00000000-0000-4000-8000-000000000004", roles: ["approver"] },
  opApprover: { name: "oscar.both@contoso.com", oid: "00000000-0000-4000-8000-000000000005", roles: ["operator", "approver"] },
  admin: { name: "ada.admin@contoso.com", oid: "00000000-0000-4000-8000-000000000006", roles: ["admin"] },
  nobody: { name: "nora.noroles@contoso.com", oid: "00000000-0000-4000-8000-000000000007", roles: [] as string[] },
} as const;
export type Person = keyof typeof PEOPLE;

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
  readonly text: string;
}

export interface TestApi {
  readonly sandbox: Sandbox;
  token(person: Person): Promise<string>;
  call(method: string, path: string, options?: { as?: Person; body?: unknown; headers?: Record<string, string> }): Promise<HttpResult>;
  /** Polls GET /api/runs/{runId} until `until` holds (simulated time skips idle waits, so this is quick). */
  waitForRun(
    runId: string,
    until: (run: RunReport & { awaiting: { decision: string }[] }) => boolean,
    timeoutMs?: number,
  ): Promise<RunReport & { awaiting: { decision: string }[] }>;
  stop(): Promise<void>;
}

/** A sandbox (the product's handlers over HTTP on simulated Azure) and a client that signs in as PEOPLE. */
export async function startTestApi(options: Partial<SandboxOptions> = {}): Promise<TestApi> {
  const sandbox = await startSandbox({
    estate: sampleEstate(),
    port: 0,
    alertAuth: "key",
    log: () => undefined,
    tableEndpoint: inject("tableEndpoint"),
    ...options,
  });
  const tokens = new Map<Person, string>();
  const token = async (person: Person): Promise<string> => {
    const found = tokens.get(person);
    if (found) return found;
    const p = PEOPLE[person];
    const issued = await sandbox.identity.issueToken({ name: p.name, roles: p.roles, oid: p.oid });
    tokens.set(person, issued);
    return issued;
  };
  const call: TestApi["call"] = async (method, path, { as, body, headers = {} } = {}) => {
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: {
        ...(as ? { authorization: `Bearer ${await token(as)}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // HTML or empty
    }
    return { status: response.status, headers: response.headers, json, text };
  };
  return {
    sandbox,
    token,
    call,
    async waitForRun(runId, until, timeoutMs = 45_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { status, json } = await call("GET", `/api/runs/${runId}`, { as: "reader" });
        if (status !== 200) throw new Error(`GET run ${runId}: ${status} ${JSON.stringify(json)}`);
        const run = json as unknown as RunReport & { awaiting: { decision: string }[] };
        if (until(run)) return run;
        if (Date.now() > deadline)
          throw new Error(
            `run ${runId} did not get there: ${run.outcome}, awaiting ${JSON.stringify(run.awaiting)}, steps ${run.steps.map((s) => `${s.id}=${s.status}`).join(" ")}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: () => sandbox.stop(),
  };
}

export const awaiting =
  (decision: string) =>
  (run: { awaiting: { decision: string }[] }): boolean =>
    run.awaiting.some((a) => a.decision === decision);
export const finished = (run: RunReport): boolean => run.outcome !== "running";

/** An `x-ms-client-principal` header as App Service authentication sets it (base64 JSON of the token's claims). */
export function clientPrincipalHeader(who: {
  readonly oid: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly tenant?: string;
}): string {
  const role = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
  return Buffer.from(
    JSON.stringify({
      auth_typ: "aad",
      name_typ: "name",
      role_typ: role,
      claims: [
        { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: who.oid },
        ...(who.tenant !== undefined ? [{ typ: "http://schemas.microsoft.com/identity/claims/tenantid", val: who.tenant }] : []),
        { typ: "preferred_username", val: who.name },
        ...who.roles.map((val) => ({ typ: role, val })),
      ],
    }),
  ).toString("base64");
}
