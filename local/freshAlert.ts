import { readFile } from "node:fs/promises";

type AlertJson = { data: { essentials: Record<string, unknown> } };

/**
 * An alert as an Action Group would post it now: its firedDateTime (and resolvedDateTime, kept the
 * same time after it) moved to `fired`, every other field as written. The alert path refuses alerts
 * older than the estate's alerting.maxAlertAgeMinutes, so fixtures are posted restamped.
 */
export function restampAlert<T extends AlertJson>(alert: T, fired: Date): T {
  const essentials = alert.data.essentials;
  if (typeof essentials["resolvedDateTime"] === "string") {
    const gap = Date.parse(essentials["resolvedDateTime"]) - Date.parse(String(essentials["firedDateTime"]));
    essentials["firedDateTime"] = new Date(fired.getTime() - Math.max(gap, 0)).toISOString();
    essentials["resolvedDateTime"] = fired.toISOString();
  } else {
    essentials["firedDateTime"] = fired.toISOString();
  }
  return alert;
}

/** `npx tsx local/freshAlert.ts <alert.json>`: prints the alert restamped to now, for curl's `--data @-`. */
async function main(file: string | undefined): Promise<number> {
  if (!file) {
    console.error("Usage: npx tsx local/freshAlert.ts <common-alert-schema.json>");
    return 2;
  }
  const alert = JSON.parse(await readFile(file, "utf8")) as AlertJson;
  if (typeof alert?.data?.essentials !== "object") {
    console.error(`${file}: not a common alert schema payload (no data.essentials)`);
    return 2;
  }
  process.stdout.write(JSON.stringify(restampAlert(alert, new Date())));
  return 0;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv[2]).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
