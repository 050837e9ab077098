/**
 * Canonical principal ids. Entra ID object and tenant ids are GUIDs, which tools print in several
 * spellings (upper case, `{...}` braces, padded); the same person must never look like two. A
 * principal id is `<objectId>.<tenantId>`, both canonical, the shape MSAL gives a home account id.
 */
const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/** A GUID in lower case without braces or spaces; other ids (app names) trimmed and lower-cased. */
export function canonicalGuid(raw: string): string {
  const trimmed = raw.trim();
  const guid = GUID.exec(trimmed);
  return (guid?.[1] ?? trimmed).toLowerCase();
}

/** The one id of a principal: canonical object id qualified by its canonical tenant id, when known. */
export function principalId(objectId: string, tenantId: string | undefined): string {
  return tenantId === undefined ? canonicalGuid(objectId) : `${canonicalGuid(objectId)}.${canonicalGuid(tenantId)}`;
}

/**
 * Whether two stored or presented ids name the same principal: object ids compared canonically,
 * tenants too when both sides carry one (an id recorded without its tenant still matches).
 */
export function samePrincipal(a: string, b: string): boolean {
  const left = splitPrincipalId(a);
  const right = splitPrincipalId(b);
  if (left.objectId !== right.objectId) return false;
  return left.tenantId === undefined || right.tenantId === undefined || left.tenantId === right.tenantId;
}

function splitPrincipalId(id: string): { objectId: string; tenantId?: string } {
  const [objectId = "", tenantId, ...rest] = id.trim().split(".");
  if (tenantId === undefined || rest.length > 0 || !GUID.test(objectId.trim())) return { objectId: canonicalGuid(id) };
  return { objectId: canonicalGuid(objectId), tenantId: canonicalGuid(tenantId) };
}

/** The tenant an Entra ID issuer belongs to: `https://sts.windows.net/{tid}/` or `https://login.microsoftonline.com/{tid}/v2.0`. */
export function issuerTenant(issuer: string): string | undefined {
  const match = /^https:\/\/(?:sts\.windows\.net|login\.microsoftonline\.com)\/([^/]+)\/(?:v2\.0\/?)?$/.exec(issuer);
  return match?.[1] !== undefined && GUID.test(match[1]) ? canonicalGuid(match[1]) : undefined;
}
