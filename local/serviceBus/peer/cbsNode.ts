import type { Message } from "rhea";
import { CONDITIONS, PeerError, STATUS_BY_CONDITION, toAmqpError } from "./peerError.js";
import { asRecord } from "./values.js";
import { verifySasToken, type SharedAccessKey } from "./sasToken.js";

export const CBS_ADDRESS = "$cbs";
const SAS_TOKEN_TYPE = "servicebus.windows.net:sastoken";

/**
 * Claims-based security: a put-token request grants the connection access to the audience it
 * names. The reply goes to the request's reply-to with `correlation_id` = the request's
 * `message_id` and a `status-code` (the SDK waits for exactly that).
 */
export function answerPutToken(request: Message, key: SharedAccessKey, grant: (path: string) => void): Message {
  const properties = asRecord(request.application_properties);
  try {
    if (properties.operation !== "put-token")
      throw new PeerError(CONDITIONS.notImplemented, `the local Service Bus peer does not implement $cbs operation '${String(properties.operation)}'`);
    if (properties.type !== SAS_TOKEN_TYPE)
      throw new PeerError(
        CONDITIONS.unauthorized,
        `the local Service Bus peer accepts only '${SAS_TOKEN_TYPE}' tokens (got '${String(properties.type)}'): use a connection string`,
      );
    const audience = String(properties.name);
    const token: unknown = request.body;
    if (typeof token !== "string") throw new PeerError(CONDITIONS.unauthorized, "put-token needs the token as a string body");
    const resource = verifySasToken(token, key, Math.floor(Date.now() / 1000));
    if (!audience.toLowerCase().startsWith(resource.toLowerCase()))
      throw new PeerError(CONDITIONS.unauthorized, `the token for '${resource}' does not cover '${audience}'`);
    grant(pathOf(audience));
    return reply(request, 200, "OK");
  } catch (error) {
    const { condition, description } = toAmqpError(error);
    return reply(request, STATUS_BY_CONDITION[condition], description);
  }
}

/** The entity path an audience names: `sb://host:port/queue/$management` -> `queue/$management`. */
function pathOf(audience: string): string {
  try {
    return decodeURIComponent(new URL(audience).pathname)
      .replace(/^\/+|\/+$/g, "")
      .toLowerCase();
  } catch {
    throw new PeerError(CONDITIONS.unauthorized, `'${audience}' is not an audience URI`);
  }
}

function reply(request: Message, status: number, description: string): Message {
  return {
    ...(request.message_id !== undefined ? { correlation_id: request.message_id } : {}),
    ...(request.reply_to !== undefined ? { to: request.reply_to } : {}),
    application_properties: { "status-code": status, "status-description": description },
    body: null,
  };
}
