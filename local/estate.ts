import { DefaultAzureCredential } from "@azure/identity";
import { createDiscoveryClients, runEstateCli } from "./estate/cli.js";

/** `npm run estate -- <command>`: onboarding an estate (discover, validate, plan, schema). */
runEstateCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  azureClients: (subscriptionId) => Promise.resolve(createDiscoveryClients(new DefaultAzureCredential(), subscriptionId)),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
