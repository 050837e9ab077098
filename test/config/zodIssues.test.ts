import { NO_CHANNELS } from "../notifications/fixtures.js";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readTriggerSettings } from "../../local/serviceBus/hostSettings.js";
import { parseBody } from "../../local/simulated-azure/validate.js";
import { ConfigError, loadConfig } from "../../shared/config/loadConfig.js";
import { queueBodyParser } from "../../shared/ports/queueBody.js";
import { issuePath, issuesText, issueText } from "../../shared/config/zodIssues.js";
import { parseNotificationSettings } from "../../shared/notifications/notificationSettings.js";
import { estateProblems, sampleEstateJson } from "../helpers.js";

const Body = z.object({ runId: z.string(), steps: z.array(z.object({ id: z.string() })) });

function errorOf(schema: z.ZodType, value: unknown): z.ZodError {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error("expected the value to be rejected");
  return parsed.error;
}

describe("zod issue text", () => {
  it("names the field by its path, dotted or with bracketed indexes, and the value itself by the caller's label", () => {
    expect(issuePath(["steps", 0, "id"], "(body)")).toBe("steps.0.id");
    expect(issuePath(["vms", 1, "vault"], "(root)", "bracketed")).toBe("vms[1].vault");
    expect(issuePath([0, "name"], "(root)", "bracketed")).toBe("[0].name");
    expect(issuePath(["tiers", 5], "(root)", "bracketed")).toBe("tiers[5]");
    expect(issuePath([], "(body)")).toBe("(body)");
    expect(issuePath([], "")).toBe("");
  });

  it("writes one 'path: message' per issue of a real zod error, '; ' between them", () => {
    const error = errorOf(Body, { runId: 1, steps: [{ id: 2 }] });
    expect(issueText(error.issues[1] ?? { path: [], message: "" }, "(body)")).toBe("steps.0.id: Invalid input: expected string, received number");
    expect(issuesText(error, "(body)")).toBe(
      "runId: Invalid input: expected string, received number; steps.0.id: Invalid input: expected string, received number",
    );
    expect(issuesText(errorOf(Body, "text"), "(body)")).toBe("(body): Invalid input: expected object, received string");
  });
});

describe("the messages built from zod issues keep their text", () => {
  it("queue bodies: 'malformed <what>: ', '(body)' for the body itself", () => {
    const parse = queueBodyParser(Body, "step message");
    expect(() => parse({ runId: 1, steps: [{ id: 2 }] })).toThrow(
      "malformed step message: runId: Invalid input: expected string, received number; steps.0.id: Invalid input: expected string, received number",
    );
    expect(() => parse("not json")).toThrow("malformed step message: (body): Invalid input: expected object, received string");
  });

  it("simulated ARM request bodies: '(body)' for the body itself", () => {
    expect(parseBody(Body, { runId: "r", steps: [{}] })).toEqual({ ok: false, problems: "steps.0.id: Invalid input: expected string, received undefined" });
    expect(parseBody(Body, 7)).toEqual({ ok: false, problems: "(body): Invalid input: expected object, received number" });
  });

  it("NOTIFY_ROUTES: the route's path, '(root)' for the value itself", () => {
    const none = NO_CHANNELS;
    const routes = (text: string) => parseNotificationSettings({ ...none, NOTIFY_ROUTES: text }).problems.map((p) => p.problem);
    expect(routes('{"email":["runFailed", "runExploded"]}')).toEqual([expect.stringMatching(/^email\.1: Invalid input/)]);
    expect(routes("[1]")).toEqual([expect.stringMatching(/^\(root\): /)]);
  });

  it("app settings: one line per key, under one heading", () => {
    let message = "";
    try {
      loadConfig({ ESTATE_CONFIG_PATH: "estate.json", DRILL_SCOPE: "tiers:" });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as ConfigError).message;
    }
    expect(message).toMatch(/^Invalid app settings:\n {2}- /);
    expect(message).toContain("\n  - DRILL_SCOPE: 'all', 'none', 'tiers:<a,b>' or 'vms:<a,b>'");
  });

  it("the estate file: bracketed indexes, '(root)' for the file itself", () => {
    const json = sampleEstateJson();
    const vms = json["vms"] as Record<string, unknown>[];
    vms[2] = { ...vms[2], name: 42 };
    expect(estateProblems(json)).toContain("vms[2].name: Invalid input: expected string, received number");
    expect(estateProblems([])[0]).toMatch(/^\(root\): /);
  });

  it("host.json: the setting's path under extensions.serviceBus", async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), "host-json-")), "host.json");
    await writeFile(file, JSON.stringify({ version: "2.0", extensions: { serviceBus: { prefetchCount: -1 } } }));
    await expect(readTriggerSettings(file)).rejects.toThrow(/^host\.json extensions\.serviceBus: extensions\.serviceBus\.prefetchCount: Too small/);
  });
});
