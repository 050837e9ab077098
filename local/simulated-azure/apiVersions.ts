/**
 * api-versions the simulator accepts per resource provider: the ones the installed SDKs send, plus the ones
 * of the samples in test/fixtures/azure. Anything else is answered like ARM does (400) and recorded as
 * misuse, so an SDK upgrade that changes the wire version is noticed here first.
 */
export const API_VERSIONS = {
  /** @azure/arm-recoveryservices-siterecovery 5.1 */
  siteRecovery: ["2023-06-01"],
  /** @azure/arm-dns 5.1 */
  dns: ["2018-05-01"],
  /** @azure/arm-privatedns 3.2; 2024-06-01 is the PUT sample's version */
  privateDns: ["2020-06-01", "2024-06-01"],
  /** @azure/arm-compute 24.1 sends 2026-03-01; 2023-09-01 is the Run Command sample's version */
  compute: ["2026-03-01", "2023-09-01"],
  /** @azure/arm-network 36 */
  network: ["2025-05-01"],
} as const satisfies Record<string, readonly string[]>;
