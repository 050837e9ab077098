import { SimulatedClock } from "../simulatedClock.js";
import { startLocalServiceBus } from "./localServiceBus.js";
import { InProcessQueue } from "../inProcessQueue.js";
import type { QueuePort, StepMessage } from "../../shared/ports/queue.js";

const mode = process.argv[2] ?? "peer";
const realTime = process.argv[3] === "real";
const clock = new SimulatedClock(new Date("2026-11-25T02:00:00Z"), { realTime });
let queue: QueuePort; let drain: (o: { handler: (m: StepMessage) => Promise<void>; onDeadLetter: () => Promise<void>; concurrency: number }) => Promise<void>; let stop = async () => {};
if (mode === "peer") { const bus = await startLocalServiceBus({ clock, maxDeliveryCount: 10, duplicateWindowMs: 7_200_000 }); queue = bus; drain = (o) => bus.drain(o); stop = () => bus.stop(); }
else { const q = new InProcessQueue({ clock, maxDeliveryCount: 10, duplicateWindowMs: 7_200_000 }); queue = q; drain = (o) => q.drain(o); }
const CHAINS = 16, HOPS = 50;
await queue.send(Array.from({ length: CHAINS }, (_, i) => ({ messageId: `r-${i}-0`, body: { runId: "r", stepId: `s${i}`, seq: 0 } })));
const c0 = process.cpuUsage(); const t0 = performance.now();
await drain({
  concurrency: 16,
  onDeadLetter: () => Promise.resolve(),
  handler: async (m) => {
    await new Promise((r) => setTimeout(r, 1)); // some I/O
    if (m.seq + 1 < HOPS) await queue.send([{ messageId: `r-${m.stepId}-${m.seq + 1}`, body: { ...m, seq: m.seq + 1 }, deliverAt: new Date(clock.now().getTime() + 5000 + m.seq) }]);
  },
});
const c = process.cpuUsage(c0); const n = CHAINS * HOPS;
console.log(mode, realTime ? "real" : "frozen", "msgs", n, "wall ms", Math.round(performance.now() - t0), "cpu ms/msg", ((c.user + c.system) / 1000 / n).toFixed(2), "wall ms/msg", ((performance.now() - t0) / n).toFixed(2));
await stop();
