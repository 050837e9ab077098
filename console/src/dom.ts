import { formatDuration } from "../../shared/reports/formatDuration.js";
/** Attributes and properties of an element built by `h`: strings become attributes, functions listeners, booleans toggle. */
export type Props = Readonly<Record<string, string | number | boolean | undefined | null | ((event: Event) => void)>>;
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** Builds an element; text is always set as text (never parsed as markup), so names from the API stay inert. */
export function h(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") el.addEventListener(key.replace(/^on/, "").toLowerCase(), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child as readonly Child[]);
    else el.appendChild(typeof child === "object" ? (child as Node) : document.createTextNode(String(child)));
  }
}

/** Replaces what `el` shows, keeping `el` itself (and the focus, when it is outside). */
export function show(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** "41 min 12 s", the run report's own formatter (shared, not copied); "—" for a figure not known yet. */
export function duration(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? "—" : formatDuration(seconds);
}

/** "7 Mar, 03:00:00 UTC": UTC, as the reports say it, so everyone on the call reads the same time. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return iso;
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()] ?? "";
  return `${d.getUTCDate()} ${month}, ${d.toISOString().slice(11, 19)} UTC`;
}
