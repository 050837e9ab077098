/** A refusal of the API: its RFC 9457 problem, for the console to show as it is. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly body: Record<string, unknown>,
  ) {
    super(detail);
  }
}

/**
 * Calls the product's API with the browser's session (App Service authentication's cookie, or the
 * sandbox's stand-in): same origin, no token in the page. A lost session sends the person to sign in.
 */
export async function api<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: { accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { detail: text.slice(0, 300) };
  }
  if (response.status === 401) {
    window.location.assign(`/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(window.location.pathname + window.location.hash)}`);
  }
  if (!response.ok)
    throw new ApiError(
      response.status,
      typeof json["detail"] === "string" ? json["detail"] : typeof json["title"] === "string" ? json["title"] : response.statusText,
      json,
    );
  return json as T;
}
