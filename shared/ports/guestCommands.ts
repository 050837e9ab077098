import type { OperationProgress } from "./longRunning.js";

export interface GuestCommand {
  readonly vmId: string;
  readonly os: "windows" | "linux";
  readonly script: readonly string[];
}

export interface GuestCommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Compute Run Command: in-guest scripts on Azure VMs, followed as a long-running operation. */
export interface GuestCommandPort {
  start(command: GuestCommand): Promise<OperationProgress<GuestCommandOutput>>;
  resume(command: GuestCommand, resumeToken: string): Promise<OperationProgress<GuestCommandOutput>>;
}
