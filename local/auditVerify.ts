import { AzureNamedKeyCredential, TableClient } from "@azure/data-tables";
import { DefaultAzureCredential } from "@azure/identity";
import { parseArgs } from "node:util";
import { verifyTableAuditTrail } from "../shared/adapters/tableAuditLog.js";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "./azurite.js";

/**
 * `npm run audit-verify -- --table-uri https://<account>.table.core.windows.net --estate <name>`:
 * recomputes the audit trail's hash chain (docs/audit.md) and prints the report as JSON; exit code
 * 0 when the chain holds, 1 at the first break. Signs in with DefaultAzureCredential (read access to
 * the table is enough); a loopback URI is taken for Azurite and its well-known development key.
 */
export async function auditVerify(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { "table-uri": { type: "string" }, estate: { type: "string" }, table: { type: "string", default: "audit" } },
  });
  const uri = values["table-uri"] ?? process.env["StateTables__tableServiceUri"];
  const estate = values.estate;
  if (!uri || !estate) {
    process.stderr.write("usage: npm run audit-verify -- --table-uri <table service URI> --estate <estate name> [--table audit]\n");
    return 2;
  }
  const local = /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(uri);
  const table = local
    ? new TableClient(uri, values.table, new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY), { allowInsecureConnection: true })
    : new TableClient(uri, values.table, new DefaultAzureCredential());
  const report = await verifyTableAuditTrail({ table, estate });
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return report.ok ? 0 : 1;
}

if (process.argv[1]?.endsWith("auditVerify.ts")) {
  auditVerify(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`audit-verify: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
