import rhea from "rhea";
import type { Condition } from "./peerError.js";

interface Described {
  described(): unknown;
}

/** rhea builds delivery outcomes at run time; its typings leave these factories out. */
const factories = rhea.message as unknown as {
  accepted(): Described;
  released(): Described;
  modified(fields: Record<string, unknown>): Described;
  rejected(fields: { error?: Record<string, unknown> }): Described;
};

export function acceptedOutcome(): unknown {
  return factories.accepted().described();
}

export function rejectedOutcome(error: { condition: Condition; description: string }): unknown {
  return factories.rejected({ error }).described();
}

/** The outcome a client chose, rebuilt for the settling reply (rhea hands it over decoded). */
export function echoOutcome(outcome: "accepted" | "released" | "modified" | "rejected", state: Record<string, unknown>): unknown {
  switch (outcome) {
    case "accepted":
      return acceptedOutcome();
    case "released":
      return factories.released().described();
    case "modified":
      return factories.modified({ delivery_failed: state.delivery_failed, undeliverable_here: state.undeliverable_here }).described();
    case "rejected":
      // Settled without the error: the SDK reads any error on the settled state as a failed settlement.
      return factories.rejected({}).described();
  }
}
