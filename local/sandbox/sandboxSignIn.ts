import { createHmac, timingSafeEqual } from "node:crypto";
import type { HttpResponseInit } from "@azure/functions";
import { DEV_TENANT } from "../devIdentity.js";

/**
 * SANDBOX ONLY: a stand-in for App Service authentication's browser sign-in, so a person can open
 * the console on the sandbox as any role without Entra ID. Like App Service it keeps the session in
 * a cookie and hands the app the signed-in user as `x-ms-client-principal` (base64 JSON of the
 * token's claims, the shape documented in learn.microsoft.com/azure/app-service/configure-authentication-user-identities).
 * Its sign-in URLs carry a code derived from the sandbox's master key, so only someone who saw the
 * sandbox's own output can use them; it is never part of the Function App.
 */
export interface SandboxSignIn {
  /** The URL that signs a browser in with these roles and opens `then` (a path on the sandbox). */
  signInUrl(baseUrl: string, roles: readonly string[], then: string): string;
  /** Answers `/.auth/*`, or undefined for any other path. */
  handle(url: URL, cookieHeader: string | undefined): HttpResponseInit | undefined;
  /** The principal header for a request's session cookie, if it has a valid one. */
  principalHeader(cookieHeader: string | undefined): string | undefined;
}

/** App Service's session cookie name (learn.microsoft.com/azure/app-service/overview-authentication-authorization, token store). */
export const SESSION_COOKIE = "AppServiceAuthSession";
const KNOWN_ROLES = new Set(["reader", "operator", "approver", "admin"]);
const ROLE_CLAIM = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";

/** One stable person per role set, so the approver rule (another person must approve) can be seen. */
function personFor(roles: readonly string[]): { name: string; oid: string } {
  const key = [...roles].sort().join("-");
  const digest = createHmac("sha256", "sandbox-person").update(key).digest("hex");
  const oid = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-4${digest.slice(13, 16)}-8${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  return { name: `sandbox-${key}@sandbox.local`, oid };
}

export function createSandboxSignIn(secret: string): SandboxSignIn {
  const sign = (text: string): string => createHmac("sha256", secret).update(text).digest("base64url");
  const verify = (text: string, signature: string): boolean => {
    const expected = Buffer.from(sign(text));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  };
  const parseRoles = (value: string | null): string[] | undefined => {
    const roles = (value ?? "").split(",").filter((r) => r !== "");
    return roles.length > 0 && roles.every((r) => KNOWN_ROLES.has(r)) ? [...new Set(roles)] : undefined;
  };
  const sessionRoles = (cookieHeader: string | undefined): string[] | undefined => {
    const cookie = (cookieHeader ?? "").split(/;\s*/).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    const [roles, signature] = (cookie?.slice(SESSION_COOKIE.length + 1) ?? "").split(".");
    return roles && signature && verify(`session:${roles}`, signature) ? parseRoles(decodeURIComponent(roles)) : undefined;
  };

  return {
    signInUrl(baseUrl, roles, then) {
      const list = roles.join(",");
      return `${baseUrl}/.auth/login/sandbox?role=${encodeURIComponent(list)}&code=${sign(`login:${list}`)}&post_login_redirect_uri=${encodeURIComponent(then)}`;
    },
    handle(url, cookieHeader) {
      if (!url.pathname.startsWith("/.auth/")) return undefined;
      const then = safeRedirect(url.searchParams.get("post_login_redirect_uri"));
      if (url.pathname === "/.auth/login/sandbox") {
        const list = url.searchParams.get("role") ?? "";
        const roles = parseRoles(list);
        if (!roles || !verify(`login:${list}`, url.searchParams.get("code") ?? ""))
          return page(403, "This sign-in URL is not one the sandbox printed (wrong role or code).");
        const value = `${encodeURIComponent(roles.join(","))}.${sign(`session:${encodeURIComponent(roles.join(","))}`)}`;
        return {
          status: 302,
          headers: { location: then, "set-cookie": `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax`, "cache-control": "no-store" },
        };
      }
      if (url.pathname === "/.auth/login/aad") {
        return page(
          200,
          "Sandbox: there is no Entra ID here. Open one of the sign-in URLs that npm run sandbox printed (one per role) to sign this browser in.",
        );
      }
      if (url.pathname === "/.auth/logout") {
        return {
          status: 302,
          headers: { location: then, "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`, "cache-control": "no-store" },
        };
      }
      if (url.pathname === "/.auth/me") {
        const roles = sessionRoles(cookieHeader);
        return { status: 200, jsonBody: roles ? [{ provider_name: "aad", user_id: personFor(roles).name, user_roles: roles }] : [] };
      }
      return page(404, "The sandbox serves /.auth/login/sandbox, /.auth/login/aad, /.auth/logout and /.auth/me only.");
    },
    principalHeader(cookieHeader) {
      const roles = sessionRoles(cookieHeader);
      if (!roles) return undefined;
      const who = personFor(roles);
      const claims = [
        { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: who.oid },
        { typ: "http://schemas.microsoft.com/identity/claims/tenantid", val: DEV_TENANT },
        { typ: "preferred_username", val: who.name },
        ...roles.map((val) => ({ typ: ROLE_CLAIM, val })),
      ];
      return Buffer.from(JSON.stringify({ auth_typ: "aad", name_typ: "name", role_typ: ROLE_CLAIM, claims })).toString("base64");
    },
  };
}

/** Only a path on this host, as App Service allows by default: anything else goes to the console. */
function safeRedirect(value: string | null): string {
  return value !== null && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\") ? value : "/api/console";
}

function page(status: number, message: string): HttpResponseInit {
  const text = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'none'", "cache-control": "no-store" },
    body: `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sandbox sign-in</title></head><body><h1>Sandbox sign-in (development only)</h1><p>${text}</p></body></html>`,
  };
}
