import {
  isServiceBusError,
  RetryMode,
  type ServiceBusClientOptions,
  type ServiceBusErrorCode,
  type ServiceBusMessage,
  type ServiceBusSender,
} from "@azure/service-bus";
import { DrError, type DrErrorCode } from "../ports/errors.js";
import type { OutgoingMessage, QueuePort, StepMessage } from "../ports/queue.js";
import { toDrError } from "./azureErrors.js";

/**
 * The ServiceBusClient's options, in Azure and locally alike. A send whose connection drops while its
 * disposition is pending waits the operation timeout before the SDK retries on a new connection
 * (seen with @azure/service-bus 7.9 against a dropped connection); the default 60 s then 30 s delay
 * would hold a step handler for a minute and a half. A healthy send settles in milliseconds.
 */
export const SERVICE_BUS_CLIENT_OPTIONS: ServiceBusClientOptions = {
  retryOptions: { timeoutInMs: 20_000, maxRetries: 5, retryDelayInMs: 1_000, maxRetryDelayInMs: 15_000, mode: RetryMode.Exponential },
};

/** ServiceBusError codes as the engine's error codes; anything else is Transient if the SDK calls it retryable. */
const BY_SERVICE_BUS_CODE: Partial<Readonly<Record<ServiceBusErrorCode, DrErrorCode>>> = {
  MessagingEntityNotFound: "NotFound",
  UnauthorizedAccess: "Unauthorized",
  MessageSizeExceeded: "InvalidInput",
  QuotaExceeded: "Throttled",
  ServiceBusy: "Throttled",
  ServiceTimeout: "Transient",
  ServiceCommunicationProblem: "Transient",
};

/**
 * A queue on Service Bus with JSON bodies of type T (the step queue by default). Message ids are
 * deterministic and the queue has duplicate detection on, so a second send of the same message is
 * dropped by the service. Follow-ups carry their scheduled enqueue time on the message itself, so
 * a call is one AMQP transfer (immediate and scheduled messages together) rather than a
 * $management request per delivery time; scheduleMessages is only needed to cancel, which nothing
 * does. One message, the usual case, goes as a plain transfer; several go as batches split at the
 * link's size limit.
 */
export function createServiceBusQueue<T = StepMessage>({ sender, what = "step" }: { sender: ServiceBusSender; what?: string }): QueuePort<T> {
  return {
    async send(messages: readonly OutgoingMessage<T>[]) {
      const [only, ...more] = messages.map(toServiceBusMessage);
      if (!only) return;
      await callServiceBus(`send ${what} messages`, () => (more.length === 0 ? sender.sendMessages(only) : sendInBatches(sender, [only, ...more])));
    },
  };
}

function toServiceBusMessage<T>(message: OutgoingMessage<T>): ServiceBusMessage {
  return {
    messageId: message.messageId,
    body: message.body,
    contentType: "application/json",
    ...(message.deliverAt ? { scheduledEnqueueTimeUtc: message.deliverAt } : {}),
  };
}

async function sendInBatches(sender: ServiceBusSender, messages: readonly ServiceBusMessage[]): Promise<void> {
  let batch = await sender.createMessageBatch();
  for (const message of messages) {
    if (batch.tryAddMessage(message)) continue;
    if (batch.count > 0) {
      await sender.sendMessages(batch);
      batch = await sender.createMessageBatch();
      if (batch.tryAddMessage(message)) continue;
    }
    throw new DrError("InvalidInput", `message ${String(message.messageId)} is larger than the queue accepts (${batch.maxSizeInBytes} bytes)`);
  }
  if (batch.count > 0) await sender.sendMessages(batch);
}

/** Runs a Service Bus call and rethrows its failure as a DrError naming the operation. */
async function callServiceBus<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isServiceBusError(error)) throw toDrError(error, what);
    const code = BY_SERVICE_BUS_CODE[error.code] ?? (error.retryable ? "Transient" : "Unknown");
    throw new DrError(code, `${what}: ${error.code} ${error.message}`, { cause: error });
  }
}
