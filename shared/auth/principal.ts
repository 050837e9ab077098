/** Who is calling, as established by a verified token or App Service authentication. */
export interface Principal {
  /** Canonical object id of the user or service principal, with its tenant (see principalId.ts). */
  readonly id: string;
  readonly name: string;
  readonly roles: readonly string[];
}

export type AuthResult = { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

/** Header lookup that works for the Functions HttpRequest and Node's IncomingMessage alike. */
export type HeaderLookup = (name: string) => string | null | undefined;
