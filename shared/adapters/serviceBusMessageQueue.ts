import type { ServiceBusMessage, ServiceBusSender } from "@azure/service-bus";
import type { OutgoingMessage, QueuePort } from "../ports/queue.js";
import { callAzure } from "./azureErrors.js";

/**
 * Any queue on Service Bus with a JSON body of type T (here: the notification queue). Message ids
 * are deterministic and the queue has duplicate detection on, so a repeat send is dropped.
 * (A generic sibling of createServiceBusQueue, the step queue's adapter; the two can merge once
 * that one takes a type parameter.)
 */
export function createServiceBusMessageQueue<T>({ sender, what }: { sender: ServiceBusSender; what: string }): QueuePort<T> {
  const toMessage = (m: OutgoingMessage<T>): ServiceBusMessage => ({ messageId: m.messageId, body: m.body, contentType: "application/json" });
  return {
    async send(messages) {
      const now = messages.filter((m) => !m.deliverAt);
      if (now.length > 0) await callAzure(`send ${what} messages`, () => sender.sendMessages(now.map(toMessage)));
      for (const m of messages) {
        if (m.deliverAt) await callAzure(`schedule ${what} message`, () => sender.scheduleMessages(toMessage(m), m.deliverAt as Date));
      }
    },
  };
}
