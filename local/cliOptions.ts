import { parseArgs, type ParseArgsConfig } from "node:util";

/** A command's option definitions, as parseArgs takes them. */
type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** Each option's value as parseArgs returns it, typed from the option's definition. */
export type OptionValues<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ options: O }>>["values"];

/** Options every local command takes. */
export const COMMON_OPTIONS = {
  estate: { type: "string", default: "estate/sample-estate.json" },
  help: { type: "boolean", default: false },
} as const satisfies OptionsConfig;

/** Options of the commands that write a report to disk and print their progress. */
export const REPORT_OPTIONS = {
  ...COMMON_OPTIONS,
  out: { type: "string", default: "reports" },
  quiet: { type: "boolean", default: false },
} as const satisfies OptionsConfig;

/** An option that takes one of a few words: anything else is refused, naming the option and the choices. */
export function oneOf<const C extends readonly string[]>(option: string, value: string, choices: C): C[number] {
  if (choices.includes(value)) return value;
  throw new Error(`${option}: '${value}' is not one of ${choices.join(", ")}`);
}

/** A TCP port option: a whole number from 0 (any free port) to 65535. */
export function portNumber(option: string, value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65_535) throw new Error(`${option}: '${value}' is not a port number (0-65535)`);
  return port;
}

/** An option that names something (a directory, a file): an empty value is refused. */
export function nonEmpty(option: string, value: string): string {
  if (value.trim() === "") throw new Error(`${option}: a value is required`);
  return value;
}

/**
 * Runs a local command: parses `options` strictly (an unknown option or a missing value is an error),
 * prints `usage` for --help, else exits with the code `main` returns. Any error (a bad option, an
 * estate file that does not validate, an unknown scenario) prints its message and the usage, exit 2.
 */
export function runCommand<O extends OptionsConfig>(usage: string, options: O, main: (values: OptionValues<O>) => Promise<number>): void {
  const run = async (): Promise<number> => {
    const { values } = parseArgs({ options, strict: true, allowPositionals: false });
    const { help }: { help?: unknown } = values;
    if (help === true) {
      console.log(usage);
      return 0;
    }
    return main(values);
  };
  run().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      console.error(usage);
      process.exit(2);
    },
  );
}
