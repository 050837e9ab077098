import functions, { type HttpRequest as HttpRequestType, type HttpResponseInit, type InvocationContext as InvocationContextType } from "@azure/functions";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleAdminInvoke, handleAdminRead, type AdminFunction, type AdminRead } from "./adminApi.js";
import type { SandboxSignIn } from "./sandboxSignIn.js";

export type { AdminFunction, AdminRead } from "./adminApi.js";

// The package is CommonJS: under Node's ESM loader its classes are reachable only through the default export.
const { HttpRequest, InvocationContext } = functions;

export interface HttpRoute {
  readonly name: string;
  readonly methods: readonly string[];
  /** Functions-style route template under /api, e.g. `runs/{runId}`. */
  readonly route: string;
  readonly handler: (request: HttpRequestType, context: InvocationContextType) => Promise<HttpResponseInit>;
}

/** The largest request body the host reads; the Functions host's own limit is far larger, handlers set theirs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Serves function handlers the way the Functions host does: `/api/<route>` with `{param}` segments,
 * real `HttpRequest` and `InvocationContext` objects, and `POST /admin/functions/{name}` (master
 * key required) to fire a non-HTTP function; and the sandbox's own `GET /admin/sandbox/{name}` reads.
 */
export function createHttpHost(
  routes: readonly HttpRoute[],
  admin: readonly AdminFunction[],
  log: (line: string) => void,
  masterKey: string,
  reads: readonly AdminRead[] = [],
  /** Stand in for App Service authentication: /.auth/* and the session cookie (sandboxSignIn.ts). */
  signIn?: SandboxSignIn,
): Server {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`host error: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "internal error in the sandbox host" }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The request URL as the client sent it (host and port included), as the Functions host gives it.
    const url = URL.parse(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    if (!url) return send(res, problem(400, "the request URL is not valid"));
    const body = await readBody(req);
    if (!body) {
      res.setHeader("connection", "close");
      return send(res, problem(413, `request bodies are limited to ${MAX_BODY_BYTES} bytes`));
    }
    const ownOrigins = () => {
      const { port } = server.address() as AddressInfo;
      return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
    };
    const readMatch = /^\/admin\/sandbox\/(.+)$/.exec(url.pathname);
    if (readMatch && req.method === "GET")
      return send(res, handleAdminRead(reads, { name: readMatch[1] ?? "", headers: req.headers }, { masterKey, ownOrigins }));
    const adminMatch = /^\/admin\/functions\/([^/]+)$/.exec(url.pathname);
    if (adminMatch && req.method === "POST") {
      return send(
        res,
        await handleAdminInvoke(
          admin,
          { name: adminMatch[1] ?? "", headers: req.headers, body },
          { masterKey, ownOrigins, context: (name) => context(name, log), log },
        ),
      );
    }
    if (url.pathname.startsWith("/admin/")) return send(res, problem(404, "not found"));
    const signedIn = signIn?.handle(url, req.headers.cookie);
    if (signedIn) return send(res, signedIn);
    // As with App Service authentication, the principal headers come from the session only: "external requests
    // aren't allowed to set these headers" (learn.microsoft.com/azure/app-service/configure-authentication-user-identities).
    const principal = signIn?.principalHeader(req.headers.cookie);
    const fromClient = signIn ? ["x-ms-client-principal", "x-ms-client-principal-id", "x-ms-client-principal-name", "x-ms-client-principal-idp"] : [];
    for (const route of routes) {
      const params = matchRoute(route.route, url.pathname);
      if (params === null) return send(res, problem(400, "the path is not valid percent-encoding"));
      if (!params) continue;
      if (!route.methods.includes(req.method ?? "GET")) continue;
      const request = new HttpRequest({
        method: req.method ?? "GET",
        url: url.toString(),
        headers: {
          ...Object.fromEntries(
            Object.entries(req.headers).flatMap(([k, v]) => (v === undefined || fromClient.includes(k) ? [] : [[k, Array.isArray(v) ? v.join(", ") : v]])),
          ),
          ...(principal ? { "x-ms-client-principal": principal } : {}),
        },
        query: Object.fromEntries(url.searchParams),
        params,
        ...(body.length > 0 ? { body: { bytes: new Uint8Array(body) } } : {}),
      });
      return send(res, await route.handler(request, context(route.name, log)));
    }
    send(res, problem(404, "no function serves this method and path"));
  }
  return server;
}

function problem(status: number, detail: string): HttpResponseInit {
  return { status, headers: { "content-type": "application/problem+json" }, jsonBody: { type: "about:blank", status, title: detail, detail } };
}

/** The route's parameters, undefined when the path is another route's, null when a segment is not valid percent-encoding. */
function matchRoute(template: string, pathname: string): Record<string, string> | undefined | null {
  const parts = `api/${template}`.split("/");
  const actual = pathname.replace(/^\/+|\/+$/g, "").split("/");
  if (parts.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const value = actual[i] ?? "";
    const param = /^\{(\w+)\}$/.exec(part);
    if (param?.[1]) {
      // What the Functions host answers to malformed percent-encoding is not documented; the sandbox says 400.
      try {
        params[param[1]] = decodeURIComponent(value);
      } catch {
        return null;
      }
    } else if (part.toLowerCase() !== value.toLowerCase()) return undefined;
  }
  return params;
}

function context(functionName: string, log: (line: string) => void): InvocationContextType {
  return new InvocationContext({
    invocationId: randomUUID(),
    functionName,
    logHandler: (level, ...args) => {
      if (level === "error" || level === "warning")
        log(`[${functionName}] ${level}: ${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}`);
    },
  });
}

/** A response's headers by lower-case name; a plain record (what the handlers return) is copied without building a Headers. */
function headerRecord(init: HttpResponseInit["headers"]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (init === undefined) return headers;
  if (Object.getPrototypeOf(init) === Object.prototype) {
    for (const [key, value] of Object.entries(init as Record<string, string>)) headers[key.toLowerCase()] = value;
    return headers;
  }
  new Headers(init).forEach((value, key) => (headers[key] = value));
  return headers;
}

/** The body, or undefined when it is over MAX_BODY_BYTES (the rest is not read). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      // The rest is left unread: the 413 closes the connection.
      req.off("data", onData);
      req.pause();
      resolve(undefined);
    };
    req.on("data", onData);
    req.once("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

function send(res: ServerResponse, response: HttpResponseInit): void {
  const headers = headerRecord(response.headers);
  let payload: string | Uint8Array = "";
  if (response.jsonBody !== undefined) {
    payload = JSON.stringify(response.jsonBody);
    headers["content-type"] ??= "application/json; charset=utf-8";
  } else if (typeof response.body === "string") {
    payload = response.body;
  } else if (response.body instanceof Uint8Array) {
    payload = response.body;
  }
  res.writeHead(response.status ?? 200, headers);
  res.end(payload);
}
