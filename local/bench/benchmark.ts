/** One `npm run bench` measurement: it prints one JSON object per line, each with a `bench` name. */
export interface Benchmark {
  readonly name: string;
  run(emit: (figures: Record<string, unknown>) => void): Promise<void>;
}
