import { api, ApiError } from "./api.js";
import { FIRST_VIEW_MARK } from "./firstViewMark.js";
import { h, show } from "./dom.js";
import { message, statusBadge } from "./ui.js";
import type { ConsoleState, RunDetail, RunSummary } from "./types.js";
import { auditView } from "./views/audit.js";
import { estateView } from "./views/estate.js";
import { historyView, type History } from "./views/history.js";
import { incidentView } from "./views/incident.js";
import { runView } from "./views/run.js";
import { runsView } from "./views/runs.js";
import { startView } from "./views/start.js";

const PAGES = [
  { id: "estate", label: "Estate" },
  { id: "incident", label: "Incident" },
  { id: "runs", label: "Runs" },
  { id: "start", label: "Start" },
  { id: "history", label: "History" },
  { id: "audit", label: "Audit" },
] as const;

/** A run page refreshes this often: a step change shows within 2 s. */
const RUN_POLL_MS = 1000;
/** The other pages' refresh: estate, incident and the runs list change more slowly. */
const PAGE_POLL_MS = 5000;

interface Route {
  readonly page: string;
  readonly runId?: string;
}

/** A notification's link (/api/console/runs/{runId}) opens the run's page. */
function routeFromPath(): void {
  const linked = /\/api\/console\/runs\/([^/]+)$/.exec(window.location.pathname)?.[1];
  if (linked && !window.location.hash) window.history.replaceState(null, "", `/api/console#/runs/${linked}`);
}

function route(): Route {
  const [, page = "estate", runId] = window.location.hash.replace(/^#\/?/, "#/").split("/");
  return runId ? { page: "runs", runId: decodeURIComponent(runId) } : { page: PAGES.some((p) => p.id === page) ? page : "estate" };
}

/** The console: a header (estate, person, kill switch), Fluent tabs for the pages, and the page itself, refreshed by polling the API. */
export function startConsole(root: HTMLElement, afterFirstView: () => void): void {
  routeFromPath();
  const header = h("header", {});
  const tabs = h(
    "fluent-tablist",
    { "aria-label": "Console pages", id: "tabs" },
    PAGES.map((p) => h("fluent-tab", { id: `tab-${p.id}`, "data-page": p.id }, p.label)),
  );
  const main = h("main", { id: "main", tabindex: "-1" });
  show(root, header, h("nav", {}, tabs), main);
  let timer: number | undefined;
  let shown = "";
  let generation = 0;

  // The tablist also announces the selection the console sets itself; only a person's move changes page.
  let moved = false;
  tabs.addEventListener("keydown", () => (moved = true));
  tabs.addEventListener("change", () => {
    if (!moved) return;
    const active = (tabs as HTMLElement & { activeid?: string }).activeid?.replace(/^tab-/, "");
    if (active && route().page !== active) window.location.hash = `#/${active}`;
  });
  tabs.addEventListener("click", (event) => {
    const page = (event.target as HTMLElement).closest("fluent-tab")?.getAttribute("data-page");
    if (page) window.location.hash = `#/${page}`;
  });

  const drawHeader = (s: ConsoleState): void => {
    show(
      header,
      h("span", { class: "brand" }, `DR console · ${s.estate.name}`),
      s.killSwitch.on ? statusBadge("red", "Kill switch ON") : statusBadge("green", "Automatic failover armed"),
      s.activeRunId ? h("a", { href: `#/runs/${encodeURIComponent(s.activeRunId)}` }, `Active run ${s.activeRunId}`) : h("span", {}, "No active run"),
      h("span", { class: "who", id: "who" }, `Signed in as ${s.me.name} (${s.me.roles.join(", ") || "no role"})`),
      h("a", { href: `/.auth/logout?post_logout_redirect_uri=${encodeURIComponent("/api/console")}` }, "Sign out"),
    );
  };

  /** Draws `view` unless the same data is on the page already (a refresh must not steal focus or typing). */
  const draw = (key: string, view: () => HTMLElement): void => {
    if (key === shown) return;
    shown = key;
    // A live page redraws while someone works in it: the control they were on keeps the focus.
    const focused = document.activeElement?.closest("[id]")?.id;
    show(main, view());
    const again = focused ? document.getElementById(focused) : null;
    if (again && main.contains(again)) again.focus();
  };

  /** The page's own data besides the console state, asked for at the same time (one round trip, not two in a row). */
  const pageData = (r: Route): Promise<RunDetail | { runs: RunSummary[] } | History | undefined> =>
    r.runId !== undefined
      ? api<RunDetail>("GET", `/api/runs/${encodeURIComponent(r.runId)}`)
      : r.page === "runs"
        ? api<{ runs: RunSummary[] }>("GET", "/api/runs")
        : r.page === "history"
          ? api<History>("GET", "/api/console/history")
          : Promise.resolve(undefined);

  let firstView = true;
  async function refresh(force = false): Promise<void> {
    const mine = ++generation;
    window.clearTimeout(timer);
    if (force) shown = "";
    const r = route();
    try {
      const [s, data] = await Promise.all([api<ConsoleState>("GET", "/api/console/state"), pageData(r)]);
      if (mine !== generation) return;
      drawHeader(s);
      (tabs as HTMLElement & { activeid?: string }).activeid = `tab-${r.page}`;
      if (r.runId !== undefined) {
        const run = data as RunDetail;
        draw(`run:${JSON.stringify(run)}:${JSON.stringify(s.me)}`, () => runView(run, s, () => void refresh(true)));
      } else if (r.page === "estate") draw(`estate:${JSON.stringify(s.estate)}:${JSON.stringify(s.killSwitch)}`, () => estateView(s));
      else if (r.page === "incident")
        draw(`incident:${JSON.stringify(s.incident)}:${JSON.stringify(s.killSwitch)}`, () => incidentView(s, () => void refresh(true)));
      else if (r.page === "runs") {
        const { runs } = data as { runs: RunSummary[] };
        draw(`runs:${JSON.stringify(runs)}`, () => runsView(runs));
      } else if (r.page === "start") draw("start", () => startView(s, (runId) => (window.location.hash = `#/runs/${encodeURIComponent(runId)}`)));
      else if (r.page === "history") {
        const history = data as History;
        draw(`history:${JSON.stringify(history)}`, () => historyView(history));
      } else if (r.page === "audit") draw("audit", () => auditView());
      // The figure npm run console:screenshots reports: from navigation to the first page drawn with its data.
      if (firstView) performance.mark(FIRST_VIEW_MARK);
    } catch (error) {
      if (mine !== generation) return;
      shown = "";
      show(main, message("error", error instanceof ApiError ? `${error.status}: ${error.detail}` : `The console could not reach the API: ${String(error)}`));
    }
    if (firstView) {
      firstView = false;
      afterFirstView();
    }
    if (mine === generation) timer = window.setTimeout(() => void refresh(), r.runId !== undefined ? RUN_POLL_MS : PAGE_POLL_MS);
  }

  window.addEventListener("hashchange", () => {
    void refresh(true).then(() => main.focus());
  });
  void refresh(true);
}
