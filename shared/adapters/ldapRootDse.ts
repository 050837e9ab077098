import { connect } from "node:net";
import type { RootDseAnswer } from "../ports/directoryProbe.js";

/** A hand-encoded LDAPv3 rootDSE read (BER, RFC 4511): the few bytes the DC check needs, no LDAP library. */
const ROOT_DSE_ATTRIBUTES = ["isSynchronized", "dnsHostName", "defaultNamingContext"] as const;
const SEARCH_MESSAGE_ID = 1;

/**
 * Reads the rootDSE with one LDAPv3 search and no bind: a client that sends operations without
 * binding is anonymous (RFC 4511 4.2.1), and AD lets anonymous users search the rootDSE even when
 * fLDAPBlockAnonOps limits them to rootDSE searches and binds (MS-ADTS 5.1.3 "Authorization").
 */
export function readRootDse(host: string, port: number, timeoutMs: number): Promise<RootDseAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const attributes = new Map<string, string>();
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (error === undefined && socket.writable) socket.end(UNBIND_REQUEST, () => socket.destroy());
      else socket.destroy();
      resolve(rootDseAnswer(attributes, error));
    };
    const deadline = setTimeout(() => finish(`${host}:${port}: no rootDSE answer within ${timeoutMs} ms`), timeoutMs);
    socket.once("connect", () => socket.write(rootDseSearchRequest()));
    socket.on("error", (error) => finish(`${host}:${port}: ${error.message}`));
    socket.once("end", () => finish(`${host}:${port} closed the connection before the search was done`));
    socket.on("data", (chunk: Buffer) => {
      if (settled) return;
      received = Buffer.concat([received, chunk]);
      try {
        for (let message = nextMessage(received); message; message = nextMessage(received)) {
          received = received.subarray(message.length);
          const outcome = readSearchResponse(message.value, attributes);
          if (outcome !== "more") return finish(outcome === "done" ? undefined : outcome.error);
        }
      } catch (error) {
        finish(`${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  });
}

function rootDseAnswer(attributes: ReadonlyMap<string, string>, error: string | undefined): RootDseAnswer {
  const synchronized = attributes.get("issynchronized")?.toUpperCase();
  return {
    isSynchronized: synchronized === "TRUE" ? true : synchronized === "FALSE" ? false : undefined,
    dnsHostName: attributes.get("dnshostname"),
    defaultNamingContext: attributes.get("defaultnamingcontext"),
    ...(error !== undefined ? { error } : {}),
  };
}

// BER as LDAP restricts it (RFC 4511 5.1): definite lengths, one-byte tags.
const TAG = { integer: 0x02, octetString: 0x04, enumerated: 0x0a, boolean: 0x01, sequence: 0x30, set: 0x31 } as const;
const OP = { searchRequest: 0x63, searchResultEntry: 0x64, searchResultDone: 0x65, searchResultReference: 0x73, unbindRequest: 0x42 } as const;
/** Filter `present` is [7] IMPLICIT AttributeDescription (RFC 4511 4.5.1). */
const FILTER_PRESENT = 0x87;

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const length = body.length < 0x80 ? Buffer.from([body.length]) : longLength(body.length);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

function longLength(length: number): Buffer {
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const octets = (text: string): Buffer => tlv(TAG.octetString, Buffer.from(text, "utf8"));

/** SearchRequest: base "", scope baseObject, neverDerefAliases, no limits, (objectClass=*), three attributes. */
function rootDseSearchRequest(): Buffer {
  return tlv(
    TAG.sequence,
    tlv(TAG.integer, Buffer.from([SEARCH_MESSAGE_ID])),
    tlv(
      OP.searchRequest,
      octets(""),
      tlv(TAG.enumerated, Buffer.from([0])),
      tlv(TAG.enumerated, Buffer.from([0])),
      tlv(TAG.integer, Buffer.from([0])),
      tlv(TAG.integer, Buffer.from([0])),
      tlv(TAG.boolean, Buffer.from([0])),
      tlv(FILTER_PRESENT, Buffer.from("objectClass", "ascii")),
      tlv(TAG.sequence, ...ROOT_DSE_ATTRIBUTES.map(octets)),
    ),
  );
}

const UNBIND_REQUEST = tlv(TAG.sequence, tlv(TAG.integer, Buffer.from([2])), tlv(OP.unbindRequest));

interface Element {
  readonly tag: number;
  readonly value: Buffer;
  /** Bytes the element takes, header included. */
  readonly length: number;
}

/** The element at the start of `buffer`, or undefined while it has not all arrived. */
function nextMessage(buffer: Buffer): Element | undefined {
  const element = readElement(buffer, 0);
  if (element && element.tag !== TAG.sequence) throw new Error(`not an LDAP message (tag 0x${element.tag.toString(16)})`);
  return element;
}

function readElement(buffer: Buffer, offset: number): Element | undefined {
  const tag = buffer[offset];
  const first = buffer[offset + 1];
  if (tag === undefined || first === undefined) return undefined;
  let header = 2;
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error(`unsupported BER length (0x${first.toString(16)})`);
    if (buffer.length < offset + 2 + count) return undefined;
    length = buffer.readUIntBE(offset + 2, count);
    header += count;
  }
  const end = offset + header + length;
  if (buffer.length < end) return undefined;
  return { tag, value: buffer.subarray(offset + header, end), length: header + length };
}

/** The elements that make up a constructed value; a truncated one is a protocol error. */
function children(value: Buffer): Element[] {
  const elements: Element[] = [];
  for (let offset = 0; offset < value.length;) {
    const element = readElement(value, offset);
    if (!element) throw new Error("truncated BER element");
    elements.push(element);
    offset += element.length;
  }
  return elements;
}

/**
 * Takes one LDAPMessage of the search's answer: entries (RFC 4511 4.5.2) add to `attributes`,
 * SearchResultDone ends it; a result code other than success(0) is the reason there is no entry.
 */
function readSearchResponse(message: Buffer, attributes: Map<string, string>): "more" | "done" | { error: string } {
  const [id, op] = children(message);
  if (!id || id.tag !== TAG.integer || !op) throw new Error("malformed LDAP message");
  if (id.value.readUIntBE(0, id.value.length) !== SEARCH_MESSAGE_ID) {
    return { error: `unsolicited LDAP message (id ${id.value.readUIntBE(0, id.value.length)}, op 0x${op.tag.toString(16)})` };
  }
  if (op.tag === OP.searchResultReference) return "more";
  if (op.tag === OP.searchResultEntry) {
    const [, partialAttributes] = children(op.value);
    for (const attribute of partialAttributes ? children(partialAttributes.value) : []) {
      const [type, values] = children(attribute.value);
      const first = values ? children(values.value)[0] : undefined;
      if (type && first) attributes.set(type.value.toString("utf8").toLowerCase(), first.value.toString("utf8"));
    }
    return "more";
  }
  if (op.tag === OP.searchResultDone) {
    const [code, , diagnostic] = children(op.value);
    const resultCode = code ? code.value.readUIntBE(0, code.value.length) : -1;
    if (resultCode !== 0)
      return { error: `LDAP search failed: resultCode ${resultCode}${diagnostic?.value.length ? ` (${diagnostic.value.toString("utf8")})` : ""}` };
    return attributes.size > 0 ? "done" : { error: "LDAP search returned no rootDSE entry" };
  }
  throw new Error(`unexpected LDAP response (op 0x${op.tag.toString(16)})`);
}
