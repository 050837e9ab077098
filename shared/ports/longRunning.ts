/** Progress of an ARM long-running operation followed across handler invocations. */
export type OperationProgress<T> = { readonly status: "running"; readonly resumeToken: string } | { readonly status: "succeeded"; readonly result: T };
