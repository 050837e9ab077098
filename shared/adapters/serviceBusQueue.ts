import type { ServiceBusSender } from "@azure/service-bus";
import type { OutgoingMessage, QueuePort } from "../ports/queue.js";
import { callAzure } from "./azureErrors.js";

/**
 * The step queue on Service Bus. Message ids are deterministic and the queue has duplicate
 * detection on, so a second send of the same step wake-up is dropped by the service.
 */
export function createServiceBusQueue({ sender }: { sender: ServiceBusSender }): QueuePort {
  return {
    async send(messages: readonly OutgoingMessage[]) {
      const now = messages.filter((m) => !m.deliverAt);
      const later = messages.filter((m) => m.deliverAt);
      if (now.length > 0) {
        await callAzure("send step messages", () => sender.sendMessages(now.map((m) => ({ messageId: m.messageId, body: m.body, contentType: "application/json" }))));
      }
      for (const m of later) {
        await callAzure("schedule step message", () =>
          sender.scheduleMessages({ messageId: m.messageId, body: m.body, contentType: "application/json" }, m.deliverAt as Date),
        );
      }
    },
  };
}
