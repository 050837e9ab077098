import { api, ApiError } from "../api.js";
import { h, when } from "../dom.js";
import { message, section, table, textInput } from "../ui.js";

interface Entry {
  readonly at: string;
  readonly who: string;
  readonly action: string;
  readonly result: string;
  readonly runId?: string;
  readonly detail?: string;
}

type Field = HTMLElement & { value?: string };

/** The audit trail with filters: who, what, when (from), result; a run id is filtered by the API. */
export function auditView(): HTMLElement {
  const input = (id: string, label: string): Field => textInput(id, label);
  const who = input("filter-who", "Who"),
    what = input("filter-what", "What"),
    result = input("filter-result", "Result"),
    since = input("filter-since", "Since (ISO time)"),
    runId = input("filter-run", "Run id");
  const out = h("div", { id: "audit-results", "aria-live": "polite" });
  const load = async (): Promise<void> => {
    try {
      const query = (runId.value ?? "").trim() ? `?runId=${encodeURIComponent((runId.value ?? "").trim())}&limit=1000` : "?limit=1000";
      const { entries } = await api<{ entries: Entry[] }>("GET", `/api/audit${query}`);
      const has = (text: string | undefined, filter: Field): boolean => {
        const wanted = (filter.value ?? "").trim().toLowerCase();
        return !wanted || (text ?? "").toLowerCase().includes(wanted);
      };
      const from = Date.parse((since.value ?? "").trim());
      const shown = entries.filter(
        (e) => has(e.who, who) && has(e.action, what) && has(e.result, result) && (!Number.isFinite(from) || Date.parse(e.at) >= from),
      );
      out.replaceChildren(
        h("p", {}, `${shown.length} of ${entries.length} entries`),
        table(
          ["When", "Who", "What", "Result", "Run", "Detail"],
          shown.map((e) => [when(e.at), e.who, e.action, e.result, e.runId ?? "—", e.detail ?? ""]),
          "Audit entries",
        ),
      );
    } catch (error) {
      out.replaceChildren(message("error", error instanceof ApiError ? error.detail : String(error)));
    }
  };
  void load();
  return h(
    "div",
    { class: "view", id: "view-audit" },
    h("h1", {}, "Audit trail"),
    section(
      "Filters",
      h("div", { class: "filters" }, who, what, result, since, runId),
      h("fluent-button", { id: "audit-apply", appearance: "primary", onclick: () => void load() }, "Apply filters"),
    ),
    out,
  );
}
