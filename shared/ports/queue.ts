/** The body of one step message on the step queue. */
export interface StepMessage {
  readonly runId: string;
  readonly stepId: string;
  /** Which wake-up of the step this is: 0 first, then one more per follow-up or retry. */
  readonly seq: number;
}

export interface OutgoingMessage {
  /** Deterministic: the queue drops a second message with the same id (duplicate detection). */
  readonly messageId: string;
  readonly body: StepMessage;
  /** Delivered no earlier than this (Service Bus scheduled enqueue time). */
  readonly deliverAt?: Date;
}

export interface QueuePort {
  send(messages: readonly OutgoingMessage[]): Promise<void>;
}
