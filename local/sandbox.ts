import { loadEstateFile } from "../shared/config/loadEstateFile.js";
import { COMMON_OPTIONS, runCommand, type OptionValues } from "./cliOptions.js";
import { startSandbox } from "./sandbox/startSandbox.js";

const USAGE = "Usage: npm run sandbox -- [--port <n>] [--estate <file>] [--alert-auth key|entra]";

const SANDBOX_OPTIONS = {
  port: { type: "string", default: "7071" },
  "alert-auth": { type: "string", default: "key" },
  ...COMMON_OPTIONS,
} as const;

/** `npm run sandbox`: a development host for the product's functions over simulated Azure, until Ctrl+C. */
async function main(values: OptionValues<typeof SANDBOX_OPTIONS>): Promise<number> {
  const alertAuth = values["alert-auth"] === "entra" ? "entra" : "key";
  const estate = await loadEstateFile(values.estate);
  const sandbox = await startSandbox({ estate, port: Number(values.port), alertAuth, log: (line) => console.log(line) });
  const token = (roles: string[]) => sandbox.identity.issueToken({ name: `sandbox-${roles[0] ?? "user"}`, roles });
  console.log(`Sandbox for ${estate.name} on ${sandbox.url} (simulated Azure, Azurite, local Service Bus peer; development only)

Alert webhook key (x-functions-key):  ${sandbox.identity.alertKey}
Bearer tokens (8 h, signed by the sandbox's own key set):
  reader:   ${await token(["reader"])}
  operator: ${await token(["operator"])}
  approver: ${await token(["approver"])}
  admin:    ${await token(["admin"])}

Try:
  curl -s -X POST ${sandbox.url}/api/alerts -H "x-functions-key: ${sandbox.identity.alertKey}" -H "content-type: application/json" --data @test/fixtures/alerts/expressroute-primary-down.json
  curl -s -X POST ${sandbox.url}/api/alerts -H "x-functions-key: ${sandbox.identity.alertKey}" -H "content-type: application/json" --data @test/fixtures/alerts/expressroute-secondary-down.json
  curl -s ${sandbox.url}/api/runs -H "authorization: Bearer <reader token>"
Every endpoint, with curl examples: docs/http-api.md. Fire a timer: curl -X POST ${sandbox.url}/admin/functions/healthCheck
Press Ctrl+C to stop.`);
  await new Promise<void>((resolve) => {
    process.on("SIGINT", resolve);
    process.on("SIGTERM", resolve);
  });
  await sandbox.stop();
  return 0;
}

runCommand(USAGE, SANDBOX_OPTIONS, main);
