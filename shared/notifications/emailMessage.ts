import type { NotificationEvent } from "../ports/notificationChannel.js";
import { buildNotificationContent, type Tone } from "./notificationContent.js";

/** The ACS e-mail send request (`POST /emails:send`), as `EmailClient.beginSend` takes it. */
export interface EmailRequest {
  readonly senderAddress: string;
  readonly recipients: { readonly to: readonly { readonly address: string }[] };
  readonly content: { readonly subject: string; readonly plainText: string; readonly html: string };
}

const COLOUR: Record<Tone, string> = { good: "#1a7f37", warning: "#9a6700", attention: "#cf222e", accent: "#0969da" };
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** A short e-mail with the same content as the Teams card: plain text, and HTML with every value escaped. */
export function buildEmailMessage(event: NotificationEvent, addresses: { readonly sender: string; readonly to: readonly string[] }): EmailRequest {
  const c = buildNotificationContent(event);
  const subject = `[DR] ${c.title}`.replace(/[\r\n]+/g, " ").slice(0, 250);
  const plainText = [
    c.title,
    "",
    c.summary,
    "",
    ...c.facts.map(([label, value]) => `${label}: ${value}`),
    ...(c.details.length > 0 ? ["", ...c.details.map((d) => `- ${d}`)] : []),
    ...(c.productDid ? ["", `What the product does: ${c.productDid}`] : []),
    ...(c.action ? ["", `What you need to do: ${c.action}`] : []),
    ...(c.links.length > 0 ? ["", ...c.links.map((l) => `${l.title}: ${l.url}`)] : []),
    "",
    `Event ${event.id}`,
  ].join("\n");
  const html = `<!doctype html><html><body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328">
<h2 style="color:${COLOUR[c.tone]};margin:0 0 8px">${esc(c.title)}</h2>
<p>${esc(c.summary)}</p>
<table style="border-collapse:collapse">${c.facts.map(([label, value]) => `<tr><th style="text-align:left;padding:2px 12px 2px 0;vertical-align:top">${esc(label)}</th><td style="padding:2px 0">${esc(value)}</td></tr>`).join("")}</table>
${c.details.length > 0 ? `<ul>${c.details.map((d) => `<li>${esc(d)}</li>`).join("")}</ul>` : ""}
${c.productDid ? `<p><strong>What the product does:</strong> ${esc(c.productDid)}</p>` : ""}
${c.action ? `<p style="color:${COLOUR[c.tone]}"><strong>What you need to do:</strong> ${esc(c.action)}</p>` : ""}
${c.links.map((l) => `<p><a href="${esc(l.url)}">${esc(l.title)}</a></p>`).join("\n")}
<p style="color:#6e7781;font-size:12px">Event ${esc(event.id)}</p>
</body></html>`;
  return {
    senderAddress: addresses.sender,
    recipients: { to: addresses.to.map((address) => ({ address })) },
    content: { subject, plainText, html },
  };
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}
