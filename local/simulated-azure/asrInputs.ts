import { z } from "zod";

/** Wire shapes of the ASR action bodies (api-version 2023-06-01), strict so a typo or a wrong model is caught. */

const ProviderInstance = z.object({ instanceType: z.string() }).loose();

export const UnplannedFailoverBody = z.strictObject({
  properties: z.strictObject({
    failoverDirection: z.literal("PrimaryToRecovery", { error: "must be 'PrimaryToRecovery' (the item is active on Primary)" }),
    sourceSiteOperations: z.enum(["Required", "NotRequired"]),
    providerSpecificDetails: ProviderInstance,
  }),
});

export const TestFailoverBody = z.strictObject({
  properties: z.strictObject({
    failoverDirection: z.literal("PrimaryToRecovery", { error: "must be 'PrimaryToRecovery'" }),
    networkType: z.literal("VmNetworkAsInput", { error: "must be 'VmNetworkAsInput': a drill runs in the vault's isolated test VNet" }),
    networkId: z.string().min(1),
    providerSpecificDetails: ProviderInstance,
  }),
});

export const TestFailoverCleanupBody = z.strictObject({
  properties: z.strictObject({ comments: z.string().min(1).max(1024) }),
});

const TrueFalse = z.string().regex(/^(true|false)$/i, "must be the string 'true' or 'false'");

type Provider = "InMageRcm";
type ProviderInput = { instanceType: string; recoveryPointId?: string | undefined; networkId?: string | undefined };

/** InMageRcm providerSpecificDetails, as recorded (TestV2ARCMFailover.json: performShutdown "False"; TestV2ARCMTestFailover.json: networkId). */
export const UnplannedFailoverProviderInput: Readonly<Record<Provider, z.ZodType<ProviderInput>>> = {
  InMageRcm: z.strictObject({ instanceType: z.literal("InMageRcm"), performShutdown: TrueFalse, recoveryPointId: z.string().min(1).optional() }),
};

export const TestFailoverProviderInput: Readonly<Record<Provider, z.ZodType<ProviderInput>>> = {
  InMageRcm: z.strictObject({ instanceType: z.literal("InMageRcm"), networkId: z.string().min(1), recoveryPointId: z.string().min(1).optional() }),
};

/**
 * plannedFailover of a reprotected VMware item, i.e. its failback (recorded, TestV2ARCMFailback.json):
 * `{properties:{providerSpecificDetails:{instanceType:"InMageRcmFailback",recoveryPointType:"ApplicationConsistent"}}}`,
 * no failoverDirection. The spec's PlannedFailoverInputProperties makes failoverDirection optional; a
 * failback only goes from the item's primary (Azure, once reprotected) to its recovery site (vSphere).
 */
export const PlannedFailoverBody = z.strictObject({
  properties: z.strictObject({
    failoverDirection: z
      .literal("PrimaryToRecovery", { error: "must be 'PrimaryToRecovery' or absent (a failback goes to the item's recovery site)" })
      .optional(),
    providerSpecificDetails: ProviderInstance,
  }),
});

/** InMageRcmFailbackPlannedFailoverProviderInput: recoveryPointType is required, one of the spec's InMageRcmFailbackRecoveryPointType values. */
export const FailbackPlannedFailoverProviderInput = z.strictObject({
  instanceType: z.literal("InMageRcmFailback"),
  recoveryPointType: z.enum(["ApplicationConsistent", "CrashConsistent"], { error: "must be 'ApplicationConsistent' or 'CrashConsistent'" }),
});
