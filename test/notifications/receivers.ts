import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createDefaultHttpClient, type HttpClient } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/core-auth";

/** What a receiver does with one request: answer, or never answer (a hung receiver). */
export type Behaviour = { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string } | "hang";

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Receiver {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests other than GET (the ones that deliver something). */
  posts(): ReceivedRequest[];
  /** Answers the next requests with these behaviours in turn; after them, the default. */
  script(...behaviours: Behaviour[]): void;
  close(): Promise<void>;
}

export type Responder = (request: ReceivedRequest) => Behaviour;

/**
 * A local HTTP receiver on 127.0.0.1 that records every request and answers as scripted: 2xx,
 * 4xx/5xx, 429 with Retry-After, or not at all. Tests point the channels at it.
 */
export async function startReceiver(fallback: Responder = () => ({ status: 200, body: "1" })): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const scripted: Behaviour[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const received: ReceivedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(received);
      const behaviour = received.method !== "GET" && scripted.length > 0 ? (scripted.shift() as Behaviour) : fallback(received);
      if (behaviour === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(behaviour.status, { "content-type": "application/json", ...behaviour.headers });
      res.end(behaviour.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    posts: () => requests.filter((r) => r.method !== "GET"),
    script: (...behaviours) => void scripted.push(...behaviours),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The real Azure SDK pipeline (auth policy, serialisation) with its requests sent to a local
 * receiver: the client keeps its https endpoint (bearer tokens are only sent over https), and only
 * the transport is redirected, as the simulated Azure does for the ARM clients.
 */
export function redirectingHttpClient(receiverUrl: string): HttpClient {
  const inner = createDefaultHttpClient();
  return {
    sendRequest(request) {
      const original = new URL(request.url);
      request.url = `${receiverUrl}${original.pathname}${original.search}`;
      request.allowInsecureConnection = true;
      return inner.sendRequest(request);
    },
  };
}

export const fakeCredential: TokenCredential = {
  getToken: () => Promise.resolve({ token: "test-token", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** ACS answers a send with 202, the operation's id and its status monitor. */
export const acsAccepted: Responder = (request) => {
  const id = String(request.headers["operation-id"] ?? "00000000-0000-0000-0000-000000000000");
  if (request.method === "GET") return { status: 200, body: JSON.stringify({ id, status: "Succeeded" }) };
  return {
    status: 202,
    headers: { "operation-location": `https://acs-test.communication.azure.com/emails/operations/${id}?api-version=2025-09-01`, "retry-after": "1" },
    body: JSON.stringify({ id, status: "Running" }),
  };
};
