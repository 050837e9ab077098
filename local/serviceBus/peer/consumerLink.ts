import type { Delivery, Sender } from "rhea";
import type { Clock } from "../../../shared/ports/clock.js";
import { newLock } from "./lockToken.js";
import { toWallClock } from "./managementNode.js";
import { encodeDelivery } from "./messageCodec.js";
import { echoOutcome, rejectedOutcome } from "./outcomes.js";
import { CONDITIONS, PeerError, notImplemented, toAmqpError } from "./peerError.js";
import type { LockHolder, QueueEntity } from "./queueEntity.js";
import { asRecord, optionalText } from "./values.js";

/** rhea's flow bookkeeping, which its typings leave out. */
interface FlowCounters {
  readonly credit: number;
  readonly session: { readonly outgoing: { readonly next_pending_delivery: number } };
}

/**
 * A receiver's link in peek-lock mode: delivers available messages under a lock while the client
 * gives credit, and settles the client's dispositions (accepted = complete, released/modified =
 * abandon, rejected = dead-letter) back onto the entity, answering a lost lock with an error.
 */
export class ConsumerLink implements LockHolder {
  private liveFlag = true;
  /** Ids of deliveries handed to rhea that it has not written yet (they hold credit it has not counted). */
  private readonly unsent: number[] = [];
  private readonly locks = new WeakMap<Delivery, string>();

  constructor(
    readonly sender: Sender,
    readonly entity: QueueEntity,
    private readonly clock: Clock,
  ) {}

  get live(): boolean {
    return this.liveFlag;
  }

  detach(): void {
    this.liveFlag = false;
  }

  /** Sends as many available messages as the credit allows; answers a drain request when out of messages. */
  pump(): void {
    if (!this.liveFlag || !this.sender.is_open()) return;
    this.entity.refresh();
    while (this.entity.available > 0 && this.credit() > 0) {
      const { tag, token } = newLock();
      const entry = this.entity.lockNext(this, token);
      if (!entry?.lock) break;
      const delivery = this.sender.send(encodeDelivery(entry, { lockedUntil: toWallClock(entry.lock.until, this.clock) }), tag, 0);
      this.locks.set(delivery, token);
      this.unsent.push(delivery.id);
    }
    if (this.credit() > 0) this.sender.set_drained(true); // only acts when the client asked to drain
  }

  /** The client's disposition of one delivery; the reply settles it with the outcome or the error. */
  settle(delivery: Delivery, outcome: "accepted" | "released" | "modified" | "rejected"): void {
    try {
      const token = this.locks.get(delivery);
      if (token === undefined) throw new PeerError(CONDITIONS.messageLockLost, "this delivery was not made under a lock, or is settled already");
      const state = asRecord(delivery.remote_state);
      if (outcome === "accepted") this.entity.complete(token);
      else if (outcome === "released") this.entity.abandon(token);
      else if (outcome === "modified") {
        if (state.undeliverable_here === true) throw notImplemented("deferral");
        this.entity.abandon(token, state.message_annotations === undefined ? undefined : asRecord(state.message_annotations));
      } else {
        const error = asRecord(state.error);
        const info = asRecord(error.info);
        const { DeadLetterReason, DeadLetterErrorDescription, ...properties } = info;
        this.entity.deadLetter(token, optionalText(DeadLetterReason), optionalText(DeadLetterErrorDescription), properties);
      }
      this.locks.delete(delivery);
      if (!delivery.remote_settled) delivery.update(true, echoOutcome(outcome, state));
    } catch (error) {
      if (!delivery.remote_settled) delivery.update(true, rejectedOutcome(toAmqpError(error)));
    }
  }

  /** Credit left for new deliveries: rhea lowers `credit` only when it writes a transfer, so unwritten ones are subtracted. */
  private credit(): number {
    const counters = this.sender as unknown as FlowCounters;
    const written = counters.session.outgoing.next_pending_delivery;
    while (this.unsent.length > 0 && (this.unsent[0] as number) < written) this.unsent.shift();
    return counters.credit - this.unsent.length;
  }
}
