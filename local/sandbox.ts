import { parseArgs } from "node:util";
import { loadEstateFile } from "../shared/config/loadEstateFile.js";
import { startSandbox } from "./sandbox/startSandbox.js";

/** `npm run sandbox`: a development host for the product's functions over simulated Azure. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "7071" },
      estate: { type: "string", default: "estate/sample-estate.json" },
      "alert-auth": { type: "string", default: "key" },
    },
  });
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
  const stop = () => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
