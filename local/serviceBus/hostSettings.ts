import { readFile } from "node:fs/promises";
import { z } from "zod";
import { issuesText } from "../../shared/config/zodIssues.js";

/** The Functions Service Bus trigger settings the emulator honours, from host.json `extensions.serviceBus`. */
export interface TriggerSettings {
  readonly maxConcurrentCalls: number;
  readonly autoCompleteMessages: boolean;
  readonly maxAutoLockRenewalDurationMs: number;
  readonly prefetchCount: number;
}

export const HOST_JSON = new URL("../../host.json", import.meta.url);

/** A .NET TimeSpan as host.json writes it: `[d.]hh:mm:ss[.fff]`. */
const TimeSpan = z.string().transform((text, context) => {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(text);
  if (!match) {
    context.addIssue({ code: "custom", message: `'${text}' is not a TimeSpan (d.hh:mm:ss.fff)` });
    return z.NEVER;
  }
  const [days, hours, minutes, seconds] = match.slice(1, 5).map((part) => Number(part ?? 0)) as [number, number, number, number];
  const fraction = Number(`0.${match[5] ?? "0"}`);
  return Math.round((((days * 24 + hours) * 60 + minutes) * 60 + seconds + fraction) * 1000);
});

// Defaults are the Functions host's own (extension 5.x) for settings host.json leaves out.
const ServiceBusExtension = z.object({
  maxConcurrentCalls: z.number().int().positive().default(16),
  autoCompleteMessages: z.boolean().default(true),
  maxAutoLockRenewalDuration: TimeSpan.default(300_000),
  prefetchCount: z.number().int().nonnegative().default(0),
});

const HostJson = z.object({
  extensions: z.object({ serviceBus: ServiceBusExtension.default(ServiceBusExtension.parse({})) }).default({ serviceBus: ServiceBusExtension.parse({}) }),
});

export async function readTriggerSettings(hostJson: URL | string = HOST_JSON): Promise<TriggerSettings> {
  const parsed = HostJson.safeParse(JSON.parse(await readFile(hostJson, "utf8")));
  if (!parsed.success) throw new Error(`host.json extensions.serviceBus: ${issuesText(parsed.error, "")}`);
  const { serviceBus } = parsed.data.extensions;
  return {
    maxConcurrentCalls: serviceBus.maxConcurrentCalls,
    autoCompleteMessages: serviceBus.autoCompleteMessages,
    maxAutoLockRenewalDurationMs: serviceBus.maxAutoLockRenewalDuration,
    prefetchCount: serviceBus.prefetchCount,
  };
}
