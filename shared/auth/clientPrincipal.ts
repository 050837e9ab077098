import type { Principal } from "./principal.js";
import { canonicalGuid, principalId } from "./principalId.js";

const ROLE_CLAIM = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
const OID_CLAIM = "http://schemas.microsoft.com/identity/claims/objectidentifier";
const TENANT_CLAIM = "http://schemas.microsoft.com/identity/claims/tenantid";

interface ClientPrincipalJson {
  readonly auth_typ?: unknown;
  readonly name_typ?: unknown;
  readonly role_typ?: unknown;
  readonly claims?: unknown;
}

/**
 * Reads App Service authentication's `x-ms-client-principal` header (base64 JSON of the validated
 * token's claims). Only meaningful behind App Service authentication, which removes a client's own
 * copy of the header; elsewhere anyone could write it, so callers trust it only when configured to.
 */
export function parseClientPrincipal(header: string): { ok: true; principal: Principal } | { ok: false; reason: string } {
  let json: ClientPrincipalJson;
  try {
    json = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as ClientPrincipalJson;
  } catch {
    return { ok: false, reason: "x-ms-client-principal is not base64-encoded JSON" };
  }
  if (json.auth_typ !== "aad" || !Array.isArray(json.claims)) return { ok: false, reason: "x-ms-client-principal is not an Entra ID (aad) principal" };
  const claims = json.claims.filter(
    (c): c is { typ: string; val: string } =>
      typeof c === "object" && c !== null && typeof (c as { typ?: unknown }).typ === "string" && typeof (c as { val?: unknown }).val === "string",
  );
  const values = (...types: string[]): string[] => claims.filter((c) => types.includes(c.typ)).map((c) => c.val);
  const roleType = typeof json.role_typ === "string" ? json.role_typ : ROLE_CLAIM;
  const nameType = typeof json.name_typ === "string" ? json.name_typ : "name";
  const objectId = values(OID_CLAIM, "oid")[0];
  if (!objectId?.trim()) return { ok: false, reason: "x-ms-client-principal carries no object id" };
  const id = principalId(objectId, values(TENANT_CLAIM, "tid")[0]);
  const name = [...values("preferred_username", nameType, "name"), canonicalGuid(objectId)][0] ?? id;
  return { ok: true, principal: { id, name, roles: [...new Set(values(roleType, "roles"))] } };
}
