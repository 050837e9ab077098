import type { NotificationEvent } from "../ports/notificationChannel.js";
import { buildNotificationContent, type Tone } from "./notificationContent.js";

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
export const ADAPTIVE_CARD_VERSION = "1.4";

type CardElement = Record<string, unknown>;

export interface TeamsMessage {
  readonly type: "message";
  readonly attachments: readonly [{ readonly contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; readonly contentUrl: null; readonly content: AdaptiveCard }];
}

export interface AdaptiveCard {
  readonly $schema: string;
  readonly type: "AdaptiveCard";
  readonly version: string;
  readonly fallbackText: string;
  readonly msteams: { readonly width: "Full" };
  readonly body: readonly CardElement[];
  readonly actions: readonly CardElement[];
}

/** Container style and text colour of each tone (Adaptive Card names). */
const STYLE: Record<Tone, { container: string; color: string }> = {
  good: { container: "good", color: "Good" },
  warning: { container: "warning", color: "Warning" },
  attention: { container: "attention", color: "Attention" },
  accent: { container: "accent", color: "Accent" },
};

/**
 * The message a Teams incoming webhook or a Workflows "post to a channel when a webhook request is
 * received" flow accepts: one Adaptive Card (1.4, which both render) as an attachment. Every text
 * from the event is escaped: VM names, errors from Azure and free text never become markup.
 */
export function buildTeamsMessage(event: NotificationEvent): TeamsMessage {
  const content = buildNotificationContent(event);
  const style = STYLE[content.tone];
  const body: CardElement[] = [
    {
      type: "Container",
      style: style.container,
      bleed: true,
      items: [{ type: "TextBlock", text: escapeCardText(content.title), weight: "Bolder", size: "Medium", wrap: true }],
    },
    { type: "TextBlock", text: escapeCardText(content.summary), wrap: true },
    { type: "FactSet", facts: content.facts.map(([title, value]) => ({ title: escapeCardText(title), value: escapeCardText(value) })) },
  ];
  if (content.details.length > 0) {
    body.push({
      type: "Container",
      items: content.details.map((line) => ({ type: "TextBlock", text: `• ${escapeCardText(line)}`, wrap: true, spacing: "Small" })),
    });
  }
  if (content.productDid) body.push({ type: "TextBlock", text: `**What the product does:** ${escapeCardText(content.productDid)}`, wrap: true });
  if (content.action)
    body.push({ type: "TextBlock", text: `**What you need to do:** ${escapeCardText(content.action)}`, wrap: true, color: style.color, weight: "Bolder" });
  return {
    type: "message",
    attachments: [
      {
        contentType: ADAPTIVE_CARD_CONTENT_TYPE,
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: ADAPTIVE_CARD_VERSION,
          fallbackText: content.title,
          msteams: { width: "Full" },
          body,
          actions: content.links.map((link) => ({ type: "Action.OpenUrl", title: link.title, url: link.url })),
        },
      },
    ],
  };
}

/**
 * TextBlock and FactSet text is Markdown in Teams, and `{{...}}` is a date/time function: escape
 * the Markdown that changes meaning (emphasis, code, links and images need `[`) and break the
 * braces, so text from Azure or a guest shows as written and never becomes a link.
 */
export function escapeCardText(text: string): string {
  return text.replace(/[\\`*_~[\]]/g, (c) => `\\${c}`).replace(/\{\{/g, "{\u200b{");
}
