import type { OutgoingMessage, StepMessage } from "../../shared/ports/queue.js";
import { QUEUE_SETTINGS } from "../localStack.js";
import { startLocalServiceBus } from "../serviceBus/localServiceBus.js";
import { SimulatedClock } from "../simulatedClock.js";
import type { Benchmark } from "./benchmark.js";

const CHAINS = 16;
const HOPS = 125;
/** Every fourth hop is a follow-up scheduled 15 s ahead (simulated), as ASR job polls are. */
const SCHEDULED_EVERY = 4;

/**
 * Step messages through the production adapter, the real SDK, the local peer and the trigger
 * emulator: 16 chains in which each handler sends the next message (some scheduled), as a run's
 * steps do, at host.json's concurrency. Measures messages per second and the enqueue-to-handler
 * latency (from the adapter's send to the handler's start, wall clock; scheduled ones from the
 * moment they came due).
 */
export const queueRoundtrip: Benchmark = {
  name: "queue-roundtrip",
  async run(emit) {
    const clock = new SimulatedClock(new Date(), { realTime: true });
    const bus = await startLocalServiceBus({ clock, maxDeliveryCount: QUEUE_SETTINGS.maxDeliveryCount, duplicateWindowMs: QUEUE_SETTINGS.duplicateWindowMs });
    try {
      const sentAt = new Map<string, { wall: number; dueAt?: number }>();
      const latencies: number[] = [];
      const message = (chain: number, hop: number): OutgoingMessage => {
        const scheduled = hop > 0 && hop % SCHEDULED_EVERY === 0;
        const deliverAt = scheduled ? new Date(clock.now().getTime() + 15_000) : undefined;
        const id = `bench:${chain}:${hop}`;
        sentAt.set(id, { wall: performance.now(), ...(deliverAt ? { dueAt: deliverAt.getTime() } : {}) });
        return { messageId: id, body: { runId: "bench", stepId: String(chain), seq: hop }, ...(deliverAt ? { deliverAt } : {}) };
      };
      const handler = async (step: StepMessage): Promise<void> => {
        const sent = sentAt.get(`bench:${step.stepId}:${step.seq}`);
        if (sent) latencies.push(sent.dueAt === undefined ? performance.now() - sent.wall : Math.max(0, clock.now().getTime() - sent.dueAt));
        if (step.seq + 1 < HOPS) await bus.send([message(Number(step.stepId), step.seq + 1)]);
      };
      const cpu = process.cpuUsage();
      const started = performance.now();
      await bus.send(Array.from({ length: CHAINS }, (_, chain) => message(chain, 0)));
      await bus.drain({
        handler,
        onDeadLetter: () => Promise.reject(new Error("nothing should be dead-lettered")),
        concurrency: QUEUE_SETTINGS.maxConcurrentCalls,
      });
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      latencies.sort((a, b) => a - b);
      const pct = (p: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(2));
      emit({
        messages: latencies.length,
        chains: CHAINS,
        scheduledShare: Number((1 / SCHEDULED_EVERY).toFixed(2)),
        concurrency: QUEUE_SETTINGS.maxConcurrentCalls,
        messagesPerSecond: Number((latencies.length / seconds).toFixed(1)),
        enqueueToHandlerP50Ms: pct(0.5),
        enqueueToHandlerP99Ms: pct(0.99),
        cpuMsPerMessage: Number(((used.user + used.system) / 1000 / latencies.length).toFixed(2)),
        stats: { ...bus.stats },
      });
    } finally {
      await bus.stop();
    }
  },
};
