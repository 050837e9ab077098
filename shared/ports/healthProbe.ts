export interface ProbeResult {
  readonly ok: boolean;
  readonly detail: string;
}

/** HTTP health probe of a recovered VM, sent from the Function App's VNet integration. */
export interface HealthProbePort {
  probe(url: string): Promise<ProbeResult>;
}
