import { createHash } from "node:crypto";

/** Deterministic GUIDs, so two runs of the same drill produce the same job names, etags and ids. */
export interface IdSource {
  uuid(kind: string): string;
  /** How many ids it has given: a restored world goes on from there, so it never gives an id twice. */
  issued(): number;
  resumeAfter(issued: number): void;
}

export function createIdSource(seed: string): IdSource {
  let counter = 0;
  return {
    uuid: (kind) => uuidFrom(`${seed}:${kind}:${++counter}`),
    issued: () => counter,
    resumeAfter: (issued) => void (counter = Math.max(counter, issued)),
  };
}

/** A name-based (v5-shaped) UUID of any text. */
export function uuidFrom(text: string): string {
  const h = createHash("sha1").update(text).digest("hex");
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Case-insensitive map key: ARM resource names and path segments compare without case. */
export function keyOf(...parts: readonly string[]): string {
  return parts.map((p) => p.toLowerCase()).join("|");
}

/** Last segment of an ARM id or URL path (the resource name). */
export function lastSegment(id: string): string {
  const path = id.split("?")[0] ?? id;
  const parts = path.split("/").filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? "";
}

export const ARM_HOST = "https://management.azure.com";

/** ASR answers ids with a capital 'Subscriptions' (see the samples): callers must compare ids case-insensitively. */
export function vaultId(subscriptionId: string, resourceGroup: string, vaultName: string): string {
  return `/Subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${vaultName}`;
}
