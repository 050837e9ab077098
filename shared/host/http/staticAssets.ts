import { readFile } from "node:fs/promises";
import type { ApiResponse } from "../hostTypes.js";
import { problem, SECURITY_HEADERS } from "./problem.js";

/**
 * The console's built files (scripts/buildConsole.ts writes them to console/assets/; the deployment
 * package carries them as dist/console/assets/). Three levels up from this module is the repository
 * root when run from source and dist/ when compiled, so one relative path finds both.
 */
export const CONSOLE_ASSETS_DIR = new URL("../../../console/assets/", import.meta.url);

const TYPES: Readonly<Record<string, string>> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  html: "text/html; charset=utf-8",
  svg: "image/svg+xml",
  json: "application/json; charset=utf-8",
};

/** The console may run its own script and call its own API; nothing from elsewhere, no framing. */
export const CONSOLE_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,80}\.(js|css|svg|json)$/;
/** esbuild's shared chunks, named by a hash of their content: a new build gives new names, so a browser may keep them. */
const CONTENT_NAMED = /^chunk-[A-Z0-9]{8}\.js$/;
const cache = new Map<string, string>();

async function readAsset(name: string): Promise<string | undefined> {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  try {
    const text = await readFile(new URL(name, CONSOLE_ASSETS_DIR), "utf8");
    // Built files do not change while the process runs (a rebuild is served after a restart).
    cache.set(name, text);
    return text;
  } catch {
    return undefined;
  }
}

/** A built file by name (no path: names are checked against a strict pattern), or 404. */
export async function consoleAsset(name: string): Promise<ApiResponse> {
  if (!ASSET_NAME.test(name)) return problem(404, "Not found", "no such console file");
  const text = await readAsset(name);
  if (text === undefined) return problem(404, "Not found", `console file ${name} is not built (npm run console:build)`);
  const type = TYPES[name.slice(name.lastIndexOf(".") + 1)] ?? "application/octet-stream";
  const cacheControl = CONTENT_NAMED.test(name) ? "public, max-age=31536000, immutable" : "no-cache";
  return { status: 200, headers: { "content-type": type, "cache-control": cacheControl, ...SECURITY_HEADERS }, body: text };
}

/** The console's page: its built index.html with the console's content security policy. */
export async function consolePage(): Promise<ApiResponse> {
  const text = await readAsset("index.html");
  if (text === undefined) return problem(503, "Console not built", "the console's files are missing: npm run console:build writes them");
  return {
    status: 200,
    headers: {
      "content-type": TYPES["html"] ?? "text/html",
      "content-security-policy": CONSOLE_CONTENT_SECURITY_POLICY,
      "cache-control": "no-cache",
      ...SECURITY_HEADERS,
    },
    body: text,
  };
}
