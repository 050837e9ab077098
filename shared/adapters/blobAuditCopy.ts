import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type HttpClient,
  type PipelinePolicy,
} from "@azure/core-rest-pipeline";
import type { AuditCopy } from "../ports/auditLog.js";
import { callAzure } from "./azureErrors.js";

/** Blob service REST version: append blobs (2015-02-21+) with the headers used here. */
const BLOB_API_VERSION = "2023-11-03";

export interface BlobAuditCopyOptions {
  /** URL of the audit container, e.g. https://<account>.blob.core.windows.net/audit. */
  readonly containerUrl: string;
  readonly estate: string;
  /** The app's identity (Entra ID); or `authPolicy` to sign requests another way (Azurite's key). */
  readonly credential?: TokenCredential;
  readonly authPolicy?: PipelinePolicy;
  readonly httpClient?: HttpClient;
}

/**
 * The write-once copy of the audit trail (docs/audit.md): one append blob per estate and UTC day,
 * `<estate>/<yyyy-mm-dd>.jsonl`, one JSON line per chained entry. Only two operations are used,
 * both covered by the audit appender role (`blobs/add/action`): Put Blob creating an empty append
 * blob, never replacing one (`If-None-Match: *`), and Append Block. Under the container's
 * time-based retention with protected append writes, neither the app nor anyone else can change a
 * line once appended (learn.microsoft.com/rest/api/storageservices/append-block).
 */
export function createBlobAuditCopy(options: BlobAuditCopyOptions): AuditCopy {
  const pipeline = createEmptyPipeline();
  const auth =
    options.authPolicy ??
    (options.credential ? bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: "https://storage.azure.com/.default" }) : undefined);
  if (!auth) throw new Error("createBlobAuditCopy needs a credential or an authPolicy");
  pipeline.addPolicy(auth);
  const httpClient = options.httpClient ?? createDefaultHttpClient();
  const container = options.containerUrl.replace(/\/+$/, "");

  const send = async (url: string, headers: Record<string, string>, body: string, accept: readonly number[]): Promise<number> => {
    const request = createPipelineRequest({
      url,
      method: "PUT",
      headers: createHttpHeaders({ "x-ms-version": BLOB_API_VERSION, ...headers }),
      body,
      allowInsecureConnection: url.startsWith("http://"),
    });
    const response = await pipeline.sendRequest(httpClient, request);
    if (!accept.includes(response.status)) {
      throw new RestError(`blob ${url.split("?")[0]}: ${response.status} ${response.headers.get("x-ms-error-code") ?? ""}`, {
        statusCode: response.status,
        code: response.headers.get("x-ms-error-code") ?? "",
        request,
        response,
      });
    }
    return response.status;
  };

  return {
    async append(entry) {
      const blobUrl = `${container}/${encodeURIComponent(options.estate)}/${entry.at.slice(0, 10)}.jsonl`;
      const line = `${JSON.stringify(entry)}\n`;
      const appendBlock = (): Promise<number> => send(`${blobUrl}?comp=appendblock`, { "content-type": "application/x-ndjson" }, line, [201, 404]);
      await callAzure("append to the audit copy", async () => {
        if ((await appendBlock()) === 201) return;
        // First entry of the day: create the append blob (409: another writer just did), then append.
        await send(blobUrl, { "x-ms-blob-type": "AppendBlob", "If-None-Match": "*", "content-type": "application/x-ndjson" }, "", [201, 409]);
        if ((await appendBlock()) !== 201) throw new RestError(`blob ${blobUrl}: not found after it was created`, { statusCode: 404 });
      });
    },
  };
}
