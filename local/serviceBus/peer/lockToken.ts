import { randomBytes } from "node:crypto";
import rhea from "rhea";

/**
 * A new lock: the delivery tag carries 16 random bytes, and the SDK turns them into the lock token
 * string after swapping the first three groups to .NET GUID byte order. Management requests carry
 * that string back as a uuid, so the token is kept in the string form the SDK shows.
 */
export function newLock(): { tag: Buffer; token: string } {
  const tag = randomBytes(16);
  return { tag, token: rhea.uuid_to_string(dotNetGuidOrder(tag)) };
}

/** The lock token string from a uuid sent in a $management request. */
export function lockTokenFromUuid(value: unknown): string {
  if (!Buffer.isBuffer(value) || value.length !== 16) throw new TypeError("a lock token must be a 16-byte uuid");
  return rhea.uuid_to_string(value);
}

function dotNetGuidOrder(bytes: Buffer): Buffer {
  return Buffer.from([bytes[3], bytes[2], bytes[1], bytes[0], bytes[5], bytes[4], bytes[7], bytes[6], ...bytes.subarray(8)] as number[]);
}
