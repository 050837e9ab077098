import { ACTION_GROUP_ROLE } from "../shared/auth/authenticate.js";
import { loadEstateFile } from "../shared/config/loadEstateFile.js";
import { COMMON_OPTIONS, nonEmpty, oneOf, portNumber, runCommand, type OptionValues } from "./cliOptions.js";
import { buildConsoleIfStale } from "../scripts/buildConsole.js";
import { startSandbox } from "./sandbox/startSandbox.js";
import { stopOnSignals } from "./sandbox/stopOnSignals.js";

const USAGE = "Usage: npm run sandbox -- [--port <n>] [--estate <file>] [--alert-auth key|entra] [--site-down] [--state <dir>]";

const SANDBOX_OPTIONS = {
  port: { type: "string", default: "7071" },
  "alert-auth": { type: "string", default: "key" },
  /** Every ExpressRoute circuit reports 0% BGP/ARP availability, so circuit alerts are corroborated. */
  "site-down": { type: "boolean", default: false },
  /** Keep Azurite's data, the queues, simulated Azure, its clock and the keys here; a restart resumes from them. */
  state: { type: "string" },
  ...COMMON_OPTIONS,
} as const;

/** `npm run sandbox`: a development host for the product's functions over simulated Azure, until Ctrl+C. */
async function main(values: OptionValues<typeof SANDBOX_OPTIONS>): Promise<number> {
  const alertAuth = oneOf("--alert-auth", values["alert-auth"], ["key", "entra"] as const);
  const port = portNumber("--port", values.port);
  const estate = await loadEstateFile(values.estate);
  // The console the sign-in URLs open, rebuilt when its sources changed (a second or two).
  await buildConsoleIfStale();
  const circuits = estate.alerting.expressRouteCircuits.map((c) => c.id.split("/").pop() ?? c.id);
  const faults = values["site-down"] ? { faults: { health: { expressRouteDown: circuits } } } : {};
  const stateDir = values.state === undefined ? undefined : nonEmpty("--state", values.state);
  const sandbox = await startSandbox({
    estate,
    port,
    alertAuth,
    browserSignIn: true,
    log: (line) => console.log(line),
    ...faults,
    ...(stateDir !== undefined ? { stateDir } : {}),
  });
  const token = (roles: string[], name = `sandbox-${roles[0] ?? "user"}`) => sandbox.identity.issueToken({ name, roles });
  const alertCaller =
    alertAuth === "key"
      ? { line: `Alert webhook key (x-functions-key):  ${sandbox.identity.alertKey}`, header: `-H "x-functions-key: ${sandbox.identity.alertKey}"` }
      : {
          line: `Action Group bearer token (role ${ACTION_GROUP_ROLE}, 8 h):\n  ${await token([ACTION_GROUP_ROLE], "sandbox-action-group")}`,
          header: `-H "authorization: Bearer <Action Group token>"`,
        };
  const { resumed } = sandbox;
  if (resumed)
    console.log(
      `Resumed from ${resumed.dir}: ${resumed.runs} run(s), ${resumed.runsInFlight} in flight; ${resumed.messages} queued message(s); simulated time ${sandbox.stack.clock.now().toISOString()}`,
    );
  else if (stateDir !== undefined) console.log(`State kept in ${stateDir} (start again with --state ${stateDir} to resume)`);
  console.log(`Sandbox for ${estate.name} on ${sandbox.url} (simulated Azure, Azurite, local Service Bus peer; development only)

${alertCaller.line}
Master key for /admin/functions/* (x-functions-key):  ${sandbox.masterKey}
Bearer tokens (8 h, signed by the sandbox's own key set):
  reader:   ${await token(["reader"])}
  operator: ${await token(["operator"])}
  approver: ${await token(["approver"])}
  admin:    ${await token(["admin"])}
Console sign-in URLs (SANDBOX ONLY: each signs a browser in as that role, as App Service authentication would):
  reader:            ${sandbox.signInUrl(["reader"])}
  operator:          ${sandbox.signInUrl(["operator"])}
  approver:          ${sandbox.signInUrl(["approver"])}
  operator+approver: ${sandbox.signInUrl(["operator", "approver"])}
  admin:             ${sandbox.signInUrl(["admin"])}

Try (alerts older than the estate's maxAlertAgeMinutes are refused, so fixtures are restamped; a site failover
also needs the circuits' own metrics to agree: start the sandbox with --site-down${values["site-down"] ? ", as now" : ""}):
  npx tsx local/freshAlert.ts test/fixtures/alerts/expressroute-primary-down.json | curl -s -X POST ${sandbox.url}/api/alerts ${alertCaller.header} -H "content-type: application/json" --data @-
  npx tsx local/freshAlert.ts test/fixtures/alerts/expressroute-secondary-down.json | curl -s -X POST ${sandbox.url}/api/alerts ${alertCaller.header} -H "content-type: application/json" --data @-
  curl -s ${sandbox.url}/api/runs -H "authorization: Bearer <reader token>"
Every endpoint, with curl examples: docs/http-api.md. Fire a timer:
  curl -X POST ${sandbox.url}/admin/functions/healthCheck -H "x-functions-key: ${sandbox.masterKey}" -H "content-type: application/json" -d '{}'
Press Ctrl+C to stop.`);
  await stopOnSignals(sandbox, (line) => console.log(line));
  return 0;
}

runCommand(USAGE, SANDBOX_OPTIONS, main);
