import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, type PipelinePolicy, type PipelineRequest } from "@azure/core-rest-pipeline";
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createBlobAuditCopy } from "../../shared/adapters/blobAuditCopy.js";
import { openTable } from "../../shared/adapters/stateTables.js";
import { createTableAuditLog, verifyTableAuditTrail } from "../../shared/adapters/tableAuditLog.js";
import type { ChainedAuditEntry } from "../../shared/ports/auditLog.js";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type RunningAzurite, azuriteTables } from "../../local/azurite.js";

// Azurite's Blob service stands in for Blob Storage. It accepts Shared Key, not Entra tokens over
// plain HTTP, so the requests are signed the way Storage documents Shared Key authorization
// (learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key); in Azure the adapter
// sends the app identity's bearer token instead. Azurite has no immutability policies: retention is
// Azure's to enforce, checked in infra (test/infra) and by an auditor (docs/audit.md).

function sharedKey(request: PipelineRequest): void {
  request.headers.set("x-ms-date", new Date().toUTCString());
  const url = new URL(request.url);
  const header = (name: string): string => request.headers.get(name) ?? "";
  const length = typeof request.body === "string" ? Buffer.byteLength(request.body) : 0;
  const msHeaders = Object.entries(request.headers.toJSON())
    .map(([k, v]) => [k.toLowerCase(), String(v).trim()] as const)
    .filter(([k]) => k.startsWith("x-ms-"))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const query = [...url.searchParams.entries()].map(([k, v]) => [k.toLowerCase(), v] as const).sort(([a], [b]) => (a < b ? -1 : 1));
  const toSign = [
    request.method,
    header("content-encoding"),
    header("content-language"),
    length > 0 ? String(length) : "",
    header("content-md5"),
    header("content-type"),
    "",
    header("if-modified-since"),
    header("if-match"),
    header("if-none-match"),
    header("if-unmodified-since"),
    header("range"),
    ...msHeaders.map(([k, v]) => `${k}:${v}`),
    `/${AZURITE_ACCOUNT}${url.pathname}${query.map(([k, v]) => `\n${k}:${v}`).join("")}`,
  ].join("\n");
  const signature = createHmac("sha256", Buffer.from(AZURITE_KEY, "base64")).update(toSign, "utf8").digest("base64");
  request.headers.set("authorization", `SharedKey ${AZURITE_ACCOUNT}:${signature}`);
}
const sharedKeyPolicy: PipelinePolicy = { name: "azuriteSharedKey", sendRequest: (request, next) => (sharedKey(request), next(request)) };

let blob: RunningAzurite;
let containerUrl = "";
const http = createDefaultHttpClient();

async function call(method: "GET" | "PUT", url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const request = createPipelineRequest({
    url,
    method,
    headers: createHttpHeaders({ "x-ms-version": "2023-11-03", ...headers }),
    allowInsecureConnection: true,
  });
  sharedKey(request);
  const response = await http.sendRequest(request);
  return { status: response.status, body: response.bodyAsText ?? "" };
}

beforeAll(async () => {
  blob = await startAzurite("blob");
  containerUrl = `${blob.endpoint}/audit${randomBytes(4).toString("hex")}`;
  expect((await call("PUT", `${containerUrl}?restype=container`)).status).toBe(201);
}, 60_000);
afterAll(() => blob.stop());

describe("write-once copy of the audit trail in append blobs (Azurite)", () => {
  it("appends each chained entry as one line of the day's blob, the same as the table holds", async () => {
    const estate = `contoso-${randomBytes(3).toString("hex")}`;
    const copy = createBlobAuditCopy({ containerUrl, estate, authPolicy: sharedKeyPolicy });
    const table = await openTable(azuriteTables(inject("tableEndpoint"), `b${randomBytes(4).toString("hex")}`), "audit");
    const writers = [createTableAuditLog({ table, estate, copy }), createTableAuditLog({ table, estate, copy })];
    await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        writers[n % 2]!.append({
          at: `2026-11-25T02:00:${String(n).padStart(2, "0")}.000Z`,
          who: "otto@contoso.com",
          action: `action ${n}`,
          result: "accepted",
        }),
      ),
    );
    await writers[0]!.append({ at: "2026-11-26T00:00:01.000Z", who: "system", action: "next day", result: "accepted" });
    const report = await verifyTableAuditTrail({ table, estate });
    expect(report).toMatchObject({ ok: true, entries: 11 });

    const day = await call("GET", `${containerUrl}/${estate}/2026-11-25.jsonl`);
    expect(day.status).toBe(200);
    const lines = day.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as ChainedAuditEntry);
    expect(lines.map((l) => l.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const next = JSON.parse((await call("GET", `${containerUrl}/${estate}/2026-11-26.jsonl`)).body.trim()) as ChainedAuditEntry;
    expect(next).toMatchObject({ seq: 11, action: "next day", hash: report.ok ? report.headHash : "" });
    const bySeq = new Map(lines.map((l) => [l.seq, l]));
    for (let seq = 2; seq <= 10; seq++) expect(bySeq.get(seq)?.prevHash).toBe(bySeq.get(seq - 1)?.hash);
  });

  it("never replaces a day's blob that exists: creating it again is refused and its lines stay", async () => {
    const estate = `contoso-${randomBytes(3).toString("hex")}`;
    const copy = createBlobAuditCopy({ containerUrl, estate, authPolicy: sharedKeyPolicy });
    const entry: ChainedAuditEntry = {
      at: "2026-11-25T03:00:00.000Z",
      who: "system",
      action: "a",
      result: "accepted",
      seq: 1,
      prevHash: "0".repeat(64),
      hash: "h1",
    };
    await copy.append(entry);
    const url = `${containerUrl}/${estate}/2026-11-25.jsonl`;
    expect((await call("PUT", url, { "x-ms-blob-type": "AppendBlob", "If-None-Match": "*" })).status).toBe(409);
    await copy.append({ ...entry, seq: 2, prevHash: "h1", hash: "h2" });
    expect(
      (await call("GET", url)).body
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as ChainedAuditEntry).hash),
    ).toEqual(["h1", "h2"]);
  });
});
