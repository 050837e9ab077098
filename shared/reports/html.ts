/**
 * Markup built by the `html` tag, and only by it: the brand's key is not exported, so no string can
 * pass for markup. A page built from `html` templates cannot carry unescaped text by construction.
 */
const MARKUP: unique symbol = Symbol("markup");

export interface Html {
  readonly [MARKUP]: string;
  toString(): string;
}

/** What a template may interpolate: text and numbers (escaped), markup (as it is), nothing (null, undefined, false). */
export type HtmlValue = Html | string | number | false | null | undefined | readonly HtmlValue[];

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function markup(text: string): Html {
  return Object.freeze({ [MARKUP]: text, toString: () => text });
}

function isHtml(value: unknown): value is Html {
  return typeof value === "object" && value !== null && MARKUP in value;
}

/** Escapes the five characters that matter in text and in quoted attribute values alike. */
function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (isHtml(value)) return value[MARKUP];
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join("");
  return escapeText(String(value));
}

/**
 * The template's literal parts are markup written in the source; every interpolated string or
 * number is escaped, so values from a report (names, reasons, ASR messages) stay text.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return markup(out);
}

/** Items one after the other with a text separator between them (", ", a newline). */
export function joinHtml(items: readonly HtmlValue[], separator: string): Html {
  return markup(items.map(render).join(escapeText(separator)));
}
