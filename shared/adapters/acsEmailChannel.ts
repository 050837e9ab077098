import { EmailClient, type EmailMessage } from "@azure/communication-email";
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { DrError } from "../ports/errors.js";
import type { NotificationChannel } from "../ports/notificationChannel.js";
import { buildEmailMessage } from "../notifications/emailMessage.js";
import { deterministicUuid } from "../notifications/notificationMessage.js";
import { toDrError } from "./azureErrors.js";

/** The part of EmailClient the channel uses (the real client in production and in tests). */
export type EmailSender = Pick<EmailClient, "beginSend">;

export interface AcsEmailClientOptions {
  /** https://<resource>.communication.azure.com */
  readonly endpoint: string;
  /** The app's managed identity; it needs a role on the Communication Services resource that allows sending. */
  readonly credential: TokenCredential;
  /** Tests and the sandbox plug a local receiver in here; the real pipeline (auth, serialisation) still runs. */
  readonly httpClient?: HttpClient;
}

/** EmailClient with Entra ID auth and no retries of its own: the notification worker owns retries. */
export function createAcsEmailClient(options: AcsEmailClientOptions): EmailClient {
  return new EmailClient(options.endpoint, options.credential, {
    retryOptions: { maxRetries: 0 },
    ...(options.httpClient ? { httpClient: options.httpClient } : {}),
  });
}

export interface AcsEmailChannelOptions {
  readonly client: EmailSender;
  readonly sender: string;
  readonly to: readonly string[];
  readonly timeoutMs: number;
}

/**
 * Sends the e-mail through Azure Communication Services. ACS accepts the send (202) and delivers
 * on its own; the channel counts acceptance as delivered and does not poll the operation. The
 * Operation-Id is derived from the event, so ACS itself drops a repeated send of the same event.
 */
export function createAcsEmailChannel(options: AcsEmailChannelOptions): NotificationChannel {
  return {
    name: "email",
    async deliver(event) {
      const request = buildEmailMessage(event, { sender: options.sender, to: options.to });
      const message: EmailMessage = {
        senderAddress: request.senderAddress,
        recipients: { to: request.recipients.to.map((r) => ({ address: r.address })) },
        content: { ...request.content },
      };
      const signal = AbortSignal.timeout(options.timeoutMs);
      let status: string;
      try {
        const poller = await options.client.beginSend(message, { abortSignal: signal, operationId: deterministicUuid(event.id, "email") });
        status = poller.getOperationState().status;
      } catch (error) {
        if (signal.aborted) throw new DrError("Transient", `acs email: no answer within ${options.timeoutMs} ms`, { cause: error });
        throw toDrError(error, "acs email");
      }
      if (status === "failed" || status === "canceled") throw new DrError("InvalidInput", `acs email: the send operation ${status}`);
    },
  };
}
