import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  RestError,
  type HttpClient,
  type PipelineRetryOptions,
} from "@azure/core-rest-pipeline";
import { DrError } from "../ports/errors.js";
import type { AvailabilityStatus, ResourceHealthPort } from "../ports/healthReads.js";
import { callAzure } from "./azureErrors.js";

/** Microsoft.ResourceHealth stable version whose AvailabilityStatus_GetByResource example the simulator answers with. */
export const RESOURCE_HEALTH_API_VERSION = "2022-10-01";

export interface ResourceHealthOptions {
  readonly credential: TokenCredential;
  /** Replaces the network layer (the simulated Azure plugs in here); the pipeline's policies stay real. */
  readonly httpClient?: HttpClient;
  readonly retryOptions?: PipelineRetryOptions;
  readonly endpoint?: string;
}

/**
 * Resource Health's current availability status of one resource, through the SDKs' default pipeline
 * (retries with Retry-After, an ARM token): no Resource Health SDK is installed. AvailabilityStatuses_GetByResource in the REST spec
 * (specification/resourcehealth/.../stable/2022-10-01/ResourceHealth.json): 200 with
 * properties.availabilityState and who caused it (context, healthEventCause), otherwise an ARM error.
 */
export function createResourceHealth(options: ResourceHealthOptions): ResourceHealthPort {
  const pipeline = createPipelineFromOptions(options.retryOptions ? { retryOptions: options.retryOptions } : {});
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: "https://management.azure.com/.default" }));
  const httpClient = options.httpClient ?? createDefaultHttpClient();
  const host = (options.endpoint ?? "https://management.azure.com").replace(/\/+$/, "");
  return {
    async currentStatus(resourceId, options = {}) {
      if (!/^\/subscriptions\/[^?#\s]+$/i.test(resourceId)) throw new DrError("InvalidInput", `not a resource id: ${resourceId}`);
      const url = `${host}${resourceId}/providers/Microsoft.ResourceHealth/availabilityStatuses/current?api-version=${RESOURCE_HEALTH_API_VERSION}`;
      const request = createPipelineRequest({
        url,
        method: "GET",
        headers: createHttpHeaders({ accept: "application/json" }),
        ...(options.signal ? { abortSignal: options.signal } : {}),
      });
      const name = resourceId.split("/").pop() ?? resourceId;
      const response = await callAzure(`read the Resource Health of ${name}`, async () => {
        const answer = await pipeline.sendRequest(httpClient, request);
        if (answer.status !== 200) {
          const error = armError(answer.bodyAsText);
          throw new RestError(error.message ?? `HTTP ${answer.status}`, {
            statusCode: answer.status,
            ...(error.code ? { code: error.code } : {}),
            request,
            response: answer,
          });
        }
        return answer;
      });
      return statusOf(parse(response.bodyAsText), name);
    },
  };
}

function parse(text: string | null | undefined): unknown {
  try {
    return JSON.parse(text ?? "");
  } catch {
    return undefined;
  }
}

/** ARM's error body: { error: { code, message } }. */
function armError(text: string | null | undefined): { code?: string; message?: string } {
  const error = (parse(text) as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return {
    ...(typeof error?.code === "string" ? { code: error.code } : {}),
    ...(typeof error?.message === "string" ? { message: error.message.slice(0, 300) } : {}),
  };
}

function statusOf(body: unknown, name: string): AvailabilityStatus {
  const p = (body as { properties?: Record<string, unknown> } | undefined)?.properties;
  const text = (key: string): string | undefined => (typeof p?.[key] === "string" && p[key] !== "" ? p[key] : undefined);
  const state = text("availabilityState");
  if (!state) throw new DrError("Unknown", `Resource Health of ${name} answered without properties.availabilityState`);
  const cause = text("healthEventCause") ?? text("context");
  const reasonType = text("reasonType");
  const summary = text("summary");
  const occurred = text("occuredTime") ?? text("occurredTime"); // the API spells it 'occuredTime'
  const occurredAt = occurred ? new Date(occurred) : undefined;
  return {
    availabilityState: state,
    ...(cause ? { cause } : {}),
    ...(reasonType ? { reasonType } : {}),
    ...(summary ? { summary: summary.slice(0, 300) } : {}),
    ...(occurredAt && Number.isFinite(occurredAt.getTime()) ? { occurredAt } : {}),
  };
}
