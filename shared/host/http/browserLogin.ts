import type { ApiRequest, ApiResponse } from "../hostTypes.js";
import { SECURITY_HEADERS } from "./problem.js";

/** App Service authentication's browser sign-in with Entra ID (the `aad` provider). */
export const LOGIN_PATH = "/.auth/login/aad";

/**
 * Whether a request is a person's browser opening a page, rather than a script or the console's own
 * fetches calling the API. Browsers mark top-level navigations with `Sec-Fetch-Mode: navigate`
 * (Fetch Metadata, sent by every current browser); a browser too old for it is known by asking for
 * HTML first in `Accept`. Scripts (curl, az rest, SDKs) send neither, and a page's fetch() says
 * `cors` or `same-origin`, so both keep getting the 401 they can act on.
 */
export function isBrowserNavigation(request: ApiRequest): boolean {
  if (request.method !== "GET") return false;
  const mode = request.headers.get("sec-fetch-mode");
  if (mode !== null) return mode.toLowerCase() === "navigate";
  const accept = (request.headers.get("accept") ?? "").toLowerCase();
  return /^\s*text\/html\b/.test(accept);
}

/**
 * Where the browser goes to sign in and come back: App Service authentication's login with the page
 * asked for as `post_login_redirect_uri`, a path on this app (App Service refuses another site unless
 * it is listed in allowedExternalRedirectUrls). learn.microsoft.com/azure/app-service/configure-authentication-customize-sign-in-out
 */
export function loginLocation(request: ApiRequest): string {
  const url = new URL(request.url);
  return `${LOGIN_PATH}?post_login_redirect_uri=${encodeURIComponent(url.pathname + url.search)}`;
}

/** A 302 to the sign-in; never cached, as the same URL answers the page once signed in. */
export function loginRedirect(request: ApiRequest): ApiResponse {
  return { status: 302, headers: { location: loginLocation(request), "cache-control": "no-store", ...SECURITY_HEADERS }, body: "" };
}
