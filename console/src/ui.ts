import { h, type Child } from "./dom.js";
import type { Allowed } from "./permissions.js";

/** Status in text and shape as well as colour: a symbol, the word, and a Fluent badge colour. */
const STATUS: Readonly<Record<string, { readonly symbol: string; readonly color: string; readonly label: string }>> = {
  green: { symbol: "✓", color: "success", label: "Healthy" },
  succeeded: { symbol: "✓", color: "success", label: "Succeeded" },
  amber: { symbol: "▲", color: "warning", label: "Warning" },
  waiting: { symbol: "◷", color: "warning", label: "Waiting" },
  running: { symbol: "▶", color: "brand", label: "Running" },
  queued: { symbol: "…", color: "informative", label: "Queued" },
  pending: { symbol: "○", color: "informative", label: "Pending" },
  red: { symbol: "✕", color: "danger", label: "Problem" },
  failed: { symbol: "✕", color: "danger", label: "Failed" },
  cancelled: { symbol: "⊘", color: "subtle", label: "Cancelled" },
  unknown: { symbol: "?", color: "subtle", label: "Not checked" },
};

export function statusBadge(status: string, text?: string): HTMLElement {
  const s = STATUS[status] ?? { symbol: "?", color: "subtle", label: status };
  return h("fluent-badge", { appearance: "tint", color: s.color, "data-status": status }, `${s.symbol} ${text ?? s.label}`);
}

let described = 0;

/**
 * A Fluent button for an action, or the same button disabled with its reason written next to it
 * (and linked with aria-describedby), so nobody has to guess why they cannot act. A disabled button
 * stays focusable so keyboard and screen-reader users reach the reason too.
 */
export function actionButton(label: string, allowed: Allowed, onClick: () => void, props: Record<string, string> = {}): HTMLElement {
  if (allowed.enabled) return h("fluent-button", { appearance: "primary", ...props, onclick: onClick }, label);
  const id = `why-${++described}`;
  return h(
    "span",
    { class: "action" },
    // aria-disabled on the element itself: assistive technology and axe read it as an inactive control.
    h("fluent-button", { "disabled-focusable": true, "aria-disabled": "true", "aria-describedby": id, ...props }, label),
    h("span", { class: "why", id }, `Not available: ${allowed.reason}`),
  );
}

export function section(title: string, ...children: Child[]): HTMLElement {
  return h("section", { class: "card", "aria-label": title }, h("h2", {}, title), ...children);
}

export function message(intent: "info" | "warning" | "error" | "success", text: string): HTMLElement {
  return h("fluent-message-bar", { intent, layout: "multiline" }, text);
}

export function table(headers: readonly string[], rows: readonly (readonly Child[])[], label: string): HTMLElement {
  return h(
    "div",
    { class: "table-wrap", role: "region", "aria-label": label, tabindex: "0" },
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          headers.map((t) => h("th", { scope: "col" }, t)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((cells) =>
          h(
            "tr",
            {},
            cells.map((c) => h("td", {}, c)),
          ),
        ),
      ),
    ),
  );
}

/** A Fluent text input whose label is both shown and given to the inner control (aria-label reaches the shadow input). */
export function textInput(id: string, label: string, placeholder = ""): HTMLElement & { value?: string } {
  // The placeholder reaches the inner input, so the control is named even where the slotted label is not read.
  return h("fluent-text-input", { id, "aria-label": label, placeholder: placeholder || label }, h("span", { slot: "label" }, label));
}
