import { InvocationContext } from "@azure/functions";
import { createHttpHeaders, type HttpClient, type PipelineRequest } from "@azure/core-rest-pipeline";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invocationLogger } from "../../shared/host/invocationLogger.js";
import { createAzureMonitorLogSink } from "../../shared/adapters/telemetry.js";
import { withKeys } from "../../shared/ports/logger.js";
import { installStructuredLogSink, parseTraceParent } from "../../shared/ports/telemetry.js";

/** An Application Insights envelope as the ingestion endpoint (Breeze, POST /v2.1/track) receives it. */
interface Envelope {
  readonly name: string;
  readonly tags: Record<string, string>;
  readonly data: {
    readonly baseType: string;
    readonly baseData: { readonly message: string; readonly severityLevel: string; readonly properties: Record<string, string> };
  };
}

/** The ingestion endpoint's side of the exporter's HTTP pipeline: accepts every item, as Breeze answers 200. */
function ingestionEndpoint(received: Envelope[]): HttpClient {
  return {
    sendRequest: (request: PipelineRequest) => {
      if (new URL(request.url).pathname.endsWith("/v2.1/track")) {
        const raw = request.body;
        const bytes = typeof raw === "string" ? Buffer.from(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array);
        const text = (request.headers.get("content-encoding") === "gzip" ? gunzipSync(bytes) : bytes).toString("utf8");
        received.push(...(JSON.parse(text) as Envelope[]));
      }
      return Promise.resolve({
        request,
        status: 200,
        headers: createHttpHeaders({ "content-type": "application/json" }),
        bodyAsText: JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }),
      });
    },
  };
}

describe("parseTraceParent", () => {
  it("reads version-00 traceparent values and refuses the rest (w3.org/TR/trace-context/#traceparent-header)", () => {
    expect(parseTraceParent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01")).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      sampled: true,
    });
    expect(parseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")?.sampled).toBe(false);
    for (const invalid of [
      undefined,
      "",
      "garbage",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
      `00-4bf92f3577b34da6a3ce929d0e0e4736-${"0".repeat(16)}-01`,
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
    ])
      expect(parseTraceParent(invalid)).toBeUndefined();
  });
});

describe("structured logs reach Application Insights with their keys", () => {
  const received: Envelope[] = [];
  let sink: ReturnType<typeof createAzureMonitorLogSink>;

  beforeAll(() => {
    // The exporter's own usage statistics would go to a Microsoft endpoint; not part of this test.
    process.env["APPLICATION_INSIGHTS_NO_STATSBEAT"] = "true";
    sink = createAzureMonitorLogSink({
      connectionString: "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://centralus-0.in.applicationinsights.azure.com/",
      offlineStorage: false,
      httpClient: ingestionEndpoint(received),
    });
    installStructuredLogSink(sink);
  });
  afterAll(async () => {
    installStructuredLogSink(undefined);
    await sink.shutdown();
  });

  it("a step worker's line carries invocationId, functionName and the runId/stepId bound once per message as customDimensions", async () => {
    const hostLines: unknown[][] = [];
    const context = new InvocationContext({ invocationId: "inv-1", functionName: "stepWorker", logHandler: (_level, ...args) => hostLines.push(args) });
    const log = withKeys(invocationLogger(context), { runId: "run-20261201-abc", stepId: "failover:DC01", seq: 2 });
    log.warn("step failed, will retry", { reason: "ARM 429\u001b[31m", retries: 1, detail: { code: "TooManyRequests" } });
    await sink.flush();
    expect(hostLines).toEqual([]); // one copy: the structured record, not also the host's flattened text
    const trace = received.find((e) => e.data.baseData.message === "step failed, will retry");
    expect(trace?.data.baseType).toBe("MessageData");
    expect(trace?.data.baseData.severityLevel).toBe("Warning");
    expect(trace?.data.baseData.properties).toMatchObject({
      invocationId: "inv-1",
      functionName: "stepWorker",
      runId: "run-20261201-abc",
      stepId: "failover:DC01",
      seq: "2",
      retries: "1",
      detail: '{"code":"TooManyRequests"}',
    });
    expect(trace?.data.baseData.properties["reason"]).not.toContain("\u001b");
  });

  it("a line of an invocation the host traced sits in its operation: the traceparent's trace id as operation_Id, its parent id as operation_ParentId", async () => {
    const traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const context = new InvocationContext({ invocationId: "inv-3", functionName: "alerts", traceContext: { traceParent } });
    invocationLogger(context).info("alert decided", { outcome: "warning" });
    // An invocation without a (valid) traceparent still logs, outside any operation.
    invocationLogger(
      new InvocationContext({ invocationId: "inv-4", functionName: "alerts", traceContext: { traceParent: "00-" + "0".repeat(32) + "-b7ad6b7169203331-01" } }),
    ).info("no trace");
    await sink.flush();
    const traced = received.find((e) => e.data.baseData.properties["invocationId"] === "inv-3");
    expect(traced?.tags).toMatchObject({ "ai.operation.id": "0af7651916cd43dd8448eb211c80319c", "ai.operation.parentId": "b7ad6b7169203331" });
    const untraced = received.find((e) => e.data.baseData.properties["invocationId"] === "inv-4");
    expect(untraced?.data.baseData.message).toBe("no trace");
    expect(untraced?.tags["ai.operation.id"]).toBeUndefined();
  });

  it("without Application Insights the host's logger gets the line, keys as its second argument", () => {
    installStructuredLogSink(undefined);
    const hostLines: unknown[][] = [];
    const context = new InvocationContext({ invocationId: "inv-2", functionName: "alerts", logHandler: (_level, ...args) => hostLines.push(args) });
    invocationLogger(context).info("alert received", { alertId: "a-1" });
    installStructuredLogSink(sink);
    expect(hostLines).toEqual([["alert received", { invocationId: "inv-2", functionName: "alerts", alertId: "a-1" }]]);
  });
});
