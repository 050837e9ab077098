import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { createDirectoryProbe } from "../../shared/adapters/directoryProbe.js";

/**
 * The real adapter against real servers on loopback: a DNS responder speaking the RFC 1035 wire
 * format (SRV records per RFC 2782), and TCP listeners standing for LDAP (one of them answers the
 * rootDSE search in BER, RFC 4511) and Kerberos.
 */

const DOMAIN = "corp.example";
const LOCATOR = `_ldap._tcp.dc._msdcs.${DOMAIN}`;

interface Zone {
  readonly srv: Record<string, readonly { readonly priority: number; readonly weight: number; readonly port: number; readonly target: string }[]>;
  readonly a: Record<string, readonly string[]>;
}

/** The target-region DC (the probed one, on loopback) and a DC of the lost site, as AD DNS lists them. */
const healthyZone: Zone = {
  srv: {
    [LOCATOR]: [
      { priority: 0, weight: 100, port: 389, target: `dc03.${DOMAIN}` },
      { priority: 0, weight: 100, port: 389, target: `dc01.${DOMAIN}` },
    ],
  },
  a: { [`dc03.${DOMAIN}`]: ["127.0.0.1"], [`dc01.${DOMAIN}`]: ["192.168.10.10"] },
};

const TYPE = { A: 1, SRV: 33 } as const;
const RCODE = { noError: 0, nxDomain: 3 } as const;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

// ---------- DNS responder (RFC 1035 4.1) ----------

interface Question {
  readonly name: string;
  readonly type: number;
}

function readQuestion(query: Buffer): Question & { readonly end: number } {
  const labels: string[] = [];
  let offset = 12;
  for (let length = query.readUInt8(offset); length > 0; length = query.readUInt8(offset)) {
    labels.push(query.toString("ascii", offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  offset += 1;
  return { name: labels.join(".").toLowerCase(), type: query.readUInt16BE(offset), end: offset + 4 };
}

/** A name in uncompressed form: RFC 2782 forbids compressing an SRV target. */
function encodeName(name: string): Buffer {
  return Buffer.concat([...name.split(".").map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, "ascii")])), Buffer.from([0])]);
}

function resourceRecord(type: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2); // class IN
  fixed.writeUInt32BE(600, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([Buffer.from([0xc0, 0x0c]), fixed, rdata]); // owner: pointer to the question's name
}

function answer(query: Buffer, zone: Zone): Buffer {
  const question = readQuestion(query);
  const srv = zone.srv[question.name];
  const a = zone.a[question.name];
  const records =
    question.type === TYPE.SRV && srv
      ? srv.map((r) => {
          const fixed = Buffer.alloc(6);
          fixed.writeUInt16BE(r.priority, 0);
          fixed.writeUInt16BE(r.weight, 2);
          fixed.writeUInt16BE(r.port, 4);
          return resourceRecord(TYPE.SRV, Buffer.concat([fixed, encodeName(r.target)]));
        })
      : question.type === TYPE.A && a
        ? a.map((address) => resourceRecord(TYPE.A, Buffer.from(address.split(".").map(Number))))
        : [];
  const rcode = srv || a ? RCODE.noError : RCODE.nxDomain;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  // QR, the query's opcode and RD, AA (the DC's DNS is authoritative for its zone), RA
  header.writeUInt16BE(0x8000 | (query.readUInt16BE(2) & 0x7900) | 0x0400 | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  return Buffer.concat([header, query.subarray(12, question.end), ...records]);
}

/**
 * `lowPort` binds to a port of at most four digits: `<address>:<port>` then still reads as an IPv6
 * address (`::1:5353` is `::1:5353` the address, not port 5353), which a five-digit ephemeral port hides.
 */
async function startDns(zone: Zone | "silent", host = "127.0.0.1", lowPort = false): Promise<{ port: number; questions: Question[] }> {
  const questions: Question[] = [];
  for (let attempt = 0; ; attempt++) {
    const socket: UdpSocket = createSocket(host.includes(":") ? "udp6" : "udp4");
    socket.on("message", (query, peer) => {
      const { name, type } = readQuestion(query);
      questions.push({ name, type });
      if (zone !== "silent") socket.send(answer(query, zone), peer.port, peer.address);
    });
    const port = lowPort ? 2000 + Math.floor(Math.random() * 8000) : 0;
    const bound = await new Promise<boolean>((resolve) => {
      socket.once("error", () => resolve(false));
      socket.bind(port, host, () => resolve(true));
    });
    if (!bound) {
      socket.close();
      if (attempt < 20) continue;
      throw new Error(`no free UDP port on ${host}`);
    }
    cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
    return { port: socket.address().port, questions };
  }
}

// ---------- TCP listeners ----------

async function listen(onConnection: (socket: Socket) => void, host = "127.0.0.1"): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined); // the probe resets connections it only wanted to open
    socket.on("close", () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP port");
  return address.port;
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP port");
  return address.port;
}

// ---------- LDAP (RFC 4511, BER per X.690 with definite lengths) ----------

function ber(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const length =
    body.length < 0x80
      ? Buffer.from([body.length])
      : body.length < 0x100
        ? Buffer.from([0x81, body.length])
        : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const str = (text: string): Buffer => ber(0x04, Buffer.from(text, "utf8"));
const int = (value: number): Buffer => ber(0x02, Buffer.from([value]));

function searchResultEntry(messageId: number, attributes: Record<string, string>): Buffer {
  const partial = Object.entries(attributes).map(([type, value]) => ber(0x30, str(type), ber(0x31, str(value))));
  return ber(0x30, int(messageId), ber(0x64, str(""), ber(0x30, ...partial)));
}

function searchResultDone(messageId: number, resultCode: number, diagnostic = ""): Buffer {
  return ber(0x30, int(messageId), ber(0x65, ber(0x0a, Buffer.from([resultCode])), str(""), str(diagnostic)));
}

const hex = (text: string): string => Buffer.from(text, "ascii").toString("hex");
/** The rootDSE SearchRequest written out byte by byte (RFC 4511 4.5.1), message id 1. */
const EXPECTED_SEARCH_REQUEST = [
  "3058", // LDAPMessage SEQUENCE, 88 bytes
  "020101", // messageID 1
  "6353", // [APPLICATION 3] SearchRequest, 83 bytes
  "0400", // baseObject ""
  "0a0100", // scope baseObject
  "0a0100", // derefAliases neverDerefAliases
  "020100", // sizeLimit 0
  "020100", // timeLimit 0
  "010100", // typesOnly FALSE
  `870b${hex("objectClass")}`, // filter present [7] objectClass
  "3033", // attributes SEQUENCE, 51 bytes
  `040e${hex("isSynchronized")}`,
  `040b${hex("dnsHostName")}`,
  `0414${hex("defaultNamingContext")}`,
].join("");

/**
 * An LDAP listener that, once a whole request has arrived, records it and answers `reply(request)`
 * (written in `chunkSize`-byte pieces, so the client has to reassemble). Connections that send
 * nothing (a bare port check) are left alone.
 */
async function startLdap(
  reply: ((request: Buffer) => Buffer) | "silent",
  chunkSize = Infinity,
  host = "127.0.0.1",
): Promise<{ port: number; requests: Buffer[] }> {
  const requests: Buffer[] = [];
  const port = await listen((socket) => {
    let received = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const length = received[1];
      if (length === undefined || length >= 0x80 || received.length < 2 + length) return;
      const request = received.subarray(0, 2 + length);
      received = received.subarray(2 + length);
      if (requests.length > 0) return; // the UnbindRequest after the search
      requests.push(request);
      if (reply === "silent") return;
      const response = reply(request);
      for (let offset = 0; offset < response.length; offset += chunkSize) socket.write(response.subarray(offset, offset + chunkSize));
    });
  }, host);
  return { port, requests };
}

const synchronizedDc = (): Buffer =>
  Buffer.concat([
    searchResultEntry(1, { isSynchronized: "TRUE", dnsHostName: `dc03.${DOMAIN}`, defaultNamingContext: "DC=corp,DC=example" }),
    searchResultDone(1, 0),
  ]);

const kerberosListener = (): Promise<number> => listen(() => undefined);

// ---------- the probe ----------

async function probe(ports: { dns: number; ldap: number; kerberos: number }, timeoutMs = 1_000, address = "127.0.0.1") {
  const started = performance.now();
  const result = await createDirectoryProbe({ ports, timeoutMs }).probeDomainController({ address, domain: DOMAIN });
  return { result, elapsedMs: performance.now() - started };
}

describe("directory probe against a DC on loopback", () => {
  it("reports a healthy DC: listed with the other DC, both resolved, LDAP and Kerberos open, rootDSE synchronized", async () => {
    const dns = await startDns(healthyZone);
    const ldap = await startLdap(synchronizedDc);
    const kerberos = await kerberosListener();

    const { result, elapsedMs } = await probe({ dns: dns.port, ldap: ldap.port, kerberos });

    expect(result.dnsError).toBeUndefined();
    expect([...result.advertised].sort((x, y) => x.host.localeCompare(y.host))).toEqual([
      { host: `dc01.${DOMAIN}`, address: "192.168.10.10" },
      { host: `dc03.${DOMAIN}`, address: "127.0.0.1" },
    ]);
    expect(result.ldap).toEqual({ open: true, detail: `127.0.0.1:${ldap.port} accepts connections` });
    expect(result.kerberos).toEqual({ open: true, detail: `127.0.0.1:${kerberos} accepts connections` });
    expect(result.rootDse).toEqual({ isSynchronized: true, dnsHostName: `dc03.${DOMAIN}`, defaultNamingContext: "DC=corp,DC=example" });
    expect(dns.questions).toEqual(
      expect.arrayContaining([
        { name: LOCATOR, type: TYPE.SRV },
        { name: `dc03.${DOMAIN}`, type: TYPE.A },
        { name: `dc01.${DOMAIN}`, type: TYPE.A },
      ]),
    );
    expect(ldap.requests.map((r) => r.toString("hex"))).toEqual([EXPECTED_SEARCH_REQUEST]);
    expect(elapsedMs).toBeLessThan(900);
  });

  it("lists a DC whose A record is missing as unresolved", async () => {
    const dns = await startDns({ srv: { [LOCATOR]: [{ priority: 0, weight: 100, port: 389, target: `dc09.${DOMAIN}` }] }, a: {} });
    const ldap = await startLdap(synchronizedDc);

    const { result } = await probe({ dns: dns.port, ldap: ldap.port, kerberos: await kerberosListener() });

    expect(result.dnsError).toBeUndefined();
    expect(result.advertised).toEqual([{ host: `dc09.${DOMAIN}`, address: undefined }]);
  });

  it("reports NXDOMAIN for the locator name as no advertised DC and a DNS error", async () => {
    const dns = await startDns({ srv: {}, a: { [`dc03.${DOMAIN}`]: ["127.0.0.1"] } });
    const ldap = await startLdap(synchronizedDc);

    const { result } = await probe({ dns: dns.port, ldap: ldap.port, kerberos: await kerberosListener() });

    expect(result.advertised).toEqual([]);
    expect(result.dnsError).toBe(`querySrv ENOTFOUND ${LOCATOR}`);
    expect(dns.questions).toEqual([{ name: LOCATOR, type: TYPE.SRV }]);
    expect(result.ldap.open).toBe(true);
  });

  it("reports closed LDAP and Kerberos ports with a detail naming each port, and reads no rootDSE", async () => {
    const dns = await startDns(healthyZone);
    const ldapPort = await closedPort();
    const kerberosPort = await closedPort();

    const { result } = await probe({ dns: dns.port, ldap: ldapPort, kerberos: kerberosPort });

    expect(result.ldap.open).toBe(false);
    expect(result.ldap.detail).toMatch(new RegExp(`^127\\.0\\.0\\.1:${ldapPort}: connect ECONNREFUSED`));
    expect(result.kerberos.open).toBe(false);
    expect(result.kerberos.detail).toMatch(new RegExp(`^127\\.0\\.0\\.1:${kerberosPort}: connect ECONNREFUSED`));
    expect(result.rootDse).toBeUndefined();
    expect(result.advertised).toHaveLength(2);
  });

  it("gives up on a DNS server that never answers once the timeout has passed, not several times later", async () => {
    const dns = await startDns("silent");
    const ldap = await startLdap(synchronizedDc);
    const timeoutMs = 150;

    const { result, elapsedMs } = await probe({ dns: dns.port, ldap: ldap.port, kerberos: await kerberosListener() }, timeoutMs);

    expect(result.advertised).toEqual([]);
    expect(result.dnsError).toMatch(new RegExp(`^querySrv E[A-Z]+ ${LOCATOR.replace(/\./g, "\\.")}: no answer within ${timeoutMs} ms$`));
    expect(dns.questions[0]).toEqual({ name: LOCATOR, type: TYPE.SRV });
    expect(elapsedMs).toBeGreaterThanOrEqual(timeoutMs - 5);
    expect(elapsedMs).toBeLessThan(timeoutMs + 250);
    expect(result.ldap.open).toBe(true);
  });

  it("asks a DC on an IPv6 address through its own DNS server (bracketed server address)", async () => {
    const dns = await startDns(
      { srv: { [LOCATOR]: [{ priority: 0, weight: 100, port: 389, target: `dc03.${DOMAIN}` }] }, a: { [`dc03.${DOMAIN}`]: ["10.20.0.4"] } },
      "::1",
      true,
    );
    const ldap = await startLdap(synchronizedDc, Infinity, "::1");
    const kerberos = await listen(() => undefined, "::1");

    const { result } = await probe({ dns: dns.port, ldap: ldap.port, kerberos }, 300, "::1");

    expect(dns.port).toBeLessThan(10_000);
    expect(result.dnsError).toBeUndefined();
    expect(result.advertised).toEqual([{ host: `dc03.${DOMAIN}`, address: "10.20.0.4" }]);
    expect(result.ldap).toEqual({ open: true, detail: `::1:${ldap.port} accepts connections` });
    expect(result.kerberos).toEqual({ open: true, detail: `::1:${kerberos} accepts connections` });
    expect(result.rootDse?.isSynchronized).toBe(true);
  });
});

describe("rootDSE read", () => {
  it("reads isSynchronized FALSE from an answer sent a byte at a time, with long-form lengths", async () => {
    const dns = await startDns(healthyZone);
    // A naming context long enough that the entry's lengths need the 0x81 and 0x82 forms.
    const namingContext = Array.from({ length: 30 }, (_, i) => `OU=unit${i}`).join(",") + ",DC=corp,DC=example";
    const ldap = await startLdap(
      () =>
        Buffer.concat([
          searchResultEntry(1, { isSynchronized: "FALSE", dnsHostName: `dc03.${DOMAIN}`, defaultNamingContext: namingContext }),
          searchResultDone(1, 0),
        ]),
      1,
    );

    const { result } = await probe({ dns: dns.port, ldap: ldap.port, kerberos: await kerberosListener() });

    expect(namingContext.length).toBeGreaterThan(255);
    expect(result.rootDse).toEqual({ isSynchronized: false, dnsHostName: `dc03.${DOMAIN}`, defaultNamingContext: namingContext });
  });

  it("reports an LDAP error result as the reason no rootDSE was read", async () => {
    const dns = await startDns(healthyZone);
    // operationsError(1), with the diagnostic AD gives an anonymous search it refuses.
    const ldap = await startLdap(() =>
      searchResultDone(1, 1, "000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful bind must be completed"),
    );

    const { result } = await probe({ dns: dns.port, ldap: ldap.port, kerberos: await kerberosListener() });

    expect(result.ldap.open).toBe(true);
    expect(result.rootDse).toEqual({
      isSynchronized: undefined,
      dnsHostName: undefined,
      defaultNamingContext: undefined,
      error: expect.stringMatching(/^LDAP search failed: resultCode 1 \(000004DC: LdapErr/),
    });
  });

  it("reports a server that accepts the search but never answers, after the timeout", async () => {
    const dns = await startDns(healthyZone);
    const ldap = await startLdap("silent");
    const timeoutMs = 200;

    const { result, elapsedMs } = await probe({ dns: dns.port, ldap: ldap.port, kerberos: await kerberosListener() }, timeoutMs);

    expect(ldap.requests).toHaveLength(1);
    expect(result.ldap.open).toBe(true);
    expect(result.rootDse?.isSynchronized).toBeUndefined();
    expect(result.rootDse?.error).toBe(`127.0.0.1:${ldap.port}: no rootDSE answer within ${timeoutMs} ms`);
    expect(elapsedMs).toBeLessThan(timeoutMs * 2 + 150);
  });
});
