/** The body of one step message on the step queue. */
export interface StepMessage {
  readonly runId: string;
  readonly stepId: string;
  /** Which wake-up of the step this is: 0 first, then one more per follow-up or retry. */
  readonly seq: number;
}

export interface OutgoingMessage<T = StepMessage> {
  /** Deterministic: the queue drops a second message with the same id (duplicate detection). */
  readonly messageId: string;
  readonly body: T;
  /** Delivered no earlier than this (Service Bus scheduled enqueue time). */
  readonly deliverAt?: Date;
}

/** A Service Bus queue seen from the sender's side; T is the message body. */
export interface QueuePort<T = StepMessage> {
  send(messages: readonly OutgoingMessage<T>[]): Promise<void>;
}
