import type { Socket } from "node:net";
import type { Connection } from "rhea";

/** rhea internals: the connection's socket, and the writer its heartbeat timer uses (an empty frame). */
interface ConnectionInternals {
  readonly socket: Socket;
  _write_frame(): void;
}

/**
 * The SDK's sockets keep Nagle on, so a client write that follows a frame the peer does not answer
 * (a settled disposition, a flow) waits for the peer's delayed ACK: 40 ms on loopback, per request.
 * The peer answers every incoming burst it would leave silent with an empty AMQP frame (a
 * heartbeat, valid at any time), which carries the ACK at once. Service Bus is remote, where this
 * never shows.
 */
export function answerEveryBurst(connection: Connection): void {
  const internals = connection as unknown as ConnectionInternals;
  const socket = internals.socket;
  socket.on("data", () => {
    const written = socket.bytesWritten;
    // Queued after rhea's own process.nextTick, which writes whatever the input made it answer.
    process.nextTick(() => {
      if (socket.bytesWritten === written && !socket.destroyed && connection.is_open()) internals._write_frame();
    });
  });
}
