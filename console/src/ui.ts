import { CHECK_STATUS_LABEL } from "../../shared/reports/checkStatusLabel.js";
import { h, type Child } from "./dom.js";
import type { Allowed } from "./permissions.js";

/** Status in text and shape as well as colour: a symbol, the word, and a Fluent badge colour. Health checks use the report page's words. */
const STATUS: Readonly<Record<string, { readonly symbol: string; readonly color: string; readonly label: string }>> = {
  green: { symbol: "✓", color: "success", label: CHECK_STATUS_LABEL.green },
  succeeded: { symbol: "✓", color: "success", label: "Succeeded" },
  amber: { symbol: "▲", color: "warning", label: CHECK_STATUS_LABEL.amber },
  waiting: { symbol: "◷", color: "warning", label: "Waiting" },
  running: { symbol: "▶", color: "brand", label: "Running" },
  queued: { symbol: "…", color: "informative", label: "Queued" },
  pending: { symbol: "○", color: "informative", label: "Pending" },
  red: { symbol: "✕", color: "danger", label: CHECK_STATUS_LABEL.red },
  failed: { symbol: "✕", color: "danger", label: "Failed" },
  cancelled: { symbol: "⊘", color: "subtle", label: "Cancelled" },
  unknown: { symbol: "?", color: "subtle", label: CHECK_STATUS_LABEL.unknown },
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

/** A Fluent text input with its label shown above it (the component's default slot is its label). */
export function textInput(id: string, label: string, placeholder = ""): HTMLElement & { value?: string } {
  // aria-label as well: the name reaches the inner input even before the component has rendered.
  return h("fluent-text-input", { id, "aria-label": label, ...(placeholder ? { placeholder } : {}) }, label);
}

export type Choice = HTMLElement & { checked?: boolean; value?: string };

/** A Fluent checkbox with its label beside it: a fluent-field ties the label to the control (click and name). */
export function checkbox(id: string, label: string, props: Record<string, string> = {}): { readonly field: HTMLElement; readonly input: Choice } {
  const input = h("fluent-checkbox", { id, slot: "input", ...props }) as Choice;
  return { field: h("fluent-field", { "label-position": "after", class: "choice" }, h("label", { slot: "label" }, label), input), input };
}

/** A Fluent radio group: one labelled radio per option, the group named by its legend; `value` is the chosen option. */
export function radioGroup(
  id: string,
  legend: string,
  options: readonly { readonly value: string; readonly label: string }[],
  chosen: string,
): { readonly field: HTMLElement; readonly group: HTMLElement & { value?: string } } {
  const legendId = `${id}-legend`;
  const group = h(
    "fluent-radio-group",
    { id, role: "radiogroup", name: id, "aria-labelledby": legendId, value: chosen, orientation: "horizontal" },
    options.map((o) =>
      h(
        "fluent-field",
        { "label-position": "after", class: "choice" },
        h("label", { slot: "label" }, o.label),
        // The role and state as attributes too: the group sets aria-posinset/-setsize on each radio, which checkers
        // (axe) accept only beside a radio role they can see, and that role needs aria-checked.
        h("fluent-radio", {
          id: `${id}-${o.value}`,
          role: "radio",
          "aria-checked": String(o.value === chosen),
          slot: "input",
          value: o.value,
          ...(o.value === chosen ? { checked: true } : {}),
        }),
      ),
    ),
  ) as HTMLElement & { value?: string };
  group.addEventListener("change", () =>
    group.querySelectorAll("fluent-radio").forEach((radio) => radio.setAttribute("aria-checked", String((radio as Choice).checked === true))),
  );
  return { field: h("div", { class: "choices" }, h("span", { id: legendId, class: "legend" }, legend), group), group };
}
