import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import { STATE_TABLES } from "../config/names.js";
import { DrError } from "../ports/errors.js";
import type { ArmUsage } from "../ports/armBudget.js";
import type { RunDecisions, RunRecord, RunStore, StepRecord, Versioned } from "../ports/runStore.js";
import { callAzure } from "./azureErrors.js";
import { absentWhenEmpty, emptyWhenAbsent, openTable, readRow, releaseRow, type StateTablesOptions, type TableRow } from "./stateTables.js";

export const TABLE_NAMES = { runs: STATE_TABLES.runs, steps: STATE_TABLES.steps, locks: STATE_TABLES.locks } as const;
const RUN_ROW = "run";
const LOCK_ROW = "active-run";
const BATCH_LIMIT = 100;

/**
 * Run state in Azure Table Storage: `runs` (one row per run), `steps` (partition = run id, so a
 * run's steps are written in batches and listed with one query) and `locks` (one row per estate).
 * Complex values are stored as JSON strings; every update is conditional on the ETag read.
 */
export async function createTableRunStore(options: StateTablesOptions): Promise<RunStore> {
  const [runs, steps, locks] = await Promise.all([
    openTable(options, TABLE_NAMES.runs),
    openTable(options, TABLE_NAMES.steps),
    openTable(options, TABLE_NAMES.locks),
  ]);

  async function updateStep(step: StepRecord, etag: string): Promise<string> {
    const result = await callAzure(`update step ${step.step.id}`, () => steps.updateEntity(stepToEntity(step), "Replace", { etag }));
    return result.etag ?? "";
  }

  const stepChanges = createStepChanges(async (runId, stepId) => {
    const entity = await readRow(steps, runId, stepId);
    return entity && { value: entityToStep(entity), etag: entity.etag };
  }, updateStep);

  return {
    changeStep: stepChanges,

    async createRun(run, stepRecords) {
      for (let i = 0; i < stepRecords.length; i += BATCH_LIMIT) {
        const batch = stepRecords.slice(i, i + BATCH_LIMIT).map(stepToEntity);
        await createAll(steps, batch);
      }
      // The run row goes last: its presence means the run and all its steps exist.
      await createAll(runs, [runToEntity(run)]);
    },

    async getRun(runId) {
      const entity = await readRow(runs, runId, RUN_ROW);
      return entity && { value: entityToRun(entity), etag: entity.etag };
    },

    async updateRun(run, etag) {
      const result = await callAzure(`update run ${run.runId}`, () => runs.updateEntity(runToEntity(run), "Replace", { etag }));
      return result.etag ?? "";
    },

    async listRuns(estate) {
      const found: RunRecord[] = [];
      const query = runs.listEntities<TableRow>({ queryOptions: { filter: odata`RowKey eq ${RUN_ROW} and estate eq ${estate}` } });
      for await (const entity of query) found.push(entityToRun(entity));
      return found.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    },

    async getStep(runId, stepId) {
      const entity = await readRow(steps, runId, stepId);
      return entity && { value: entityToStep(entity), etag: entity.etag };
    },

    updateStep,

    async listSteps(runId) {
      const found: StepRecord[] = [];
      const query = steps.listEntities<TableRow>({ queryOptions: { filter: odata`PartitionKey eq ${runId}` } });
      for await (const entity of query) found.push(entityToStep(entity));
      return found;
    },

    async listStepsFollowingJobs(runId, vault) {
      // Only steps parked on a job carry jobVault; the filter keeps the answer to them (one partition scan).
      const filter = odata`PartitionKey eq ${runId} and status eq ${"waiting"} and jobVault eq ${vault}`;
      const found: Versioned<StepRecord>[] = [];
      for await (const entity of steps.listEntities<TableRow>({ queryOptions: { filter } })) found.push({ value: entityToStep(entity), etag: entity.etag });
      return found;
    },

    async getVersionedSteps(runId, stepIds) {
      if (stepIds.length === 0) return [];
      const rows = stepIds.map((id) => odata`RowKey eq ${id}`).join(" or ");
      const found: Versioned<StepRecord>[] = [];
      const query = steps.listEntities<TableRow>({ queryOptions: { filter: `${odata`PartitionKey eq ${runId}`} and (${rows})` } });
      for await (const entity of query) found.push({ value: entityToStep(entity), etag: entity.etag });
      return found;
    },

    async listVersionedSteps(runId) {
      const found: Versioned<StepRecord>[] = [];
      const query = steps.listEntities<TableRow>({ queryOptions: { filter: odata`PartitionKey eq ${runId}` } });
      for await (const entity of query) found.push({ value: entityToStep(entity), etag: entity.etag });
      return found;
    },

    async updateSteps(versioned) {
      const etags: string[] = [];
      for (let i = 0; i < versioned.length; i += BATCH_LIMIT) {
        const batch = versioned.slice(i, i + BATCH_LIMIT);
        if (batch.length === 1) {
          const [only] = batch as [Versioned<StepRecord>];
          etags.push(await updateStep(only.value, only.etag));
          continue;
        }
        const actions: TransactionAction[] = batch.map(({ value, etag }) => ["update", stepToEntity(value), "Replace", { etag }]);
        const result = await submitSteps(steps, actions, batch[0]?.value.runId ?? "");
        etags.push(...batch.map((_, j) => result.subResponses[j]?.etag ?? ""));
      }
      return etags;
    },

    acquireRunLock: (estate, runId) => acquireLock(locks, estate, runId),

    releaseRunLock: (estate, runId) => releaseRow(locks, estate, LOCK_ROW, (holder) => holder.runId === runId, "run lock"),

    async runLockHolder(estate) {
      const holder = await readRow(locks, estate, LOCK_ROW);
      return holder ? String(holder.runId) : undefined;
    },
  };
}

async function acquireLock(locks: TableClient, estate: string, runId: string): Promise<string> {
  for (;;) {
    try {
      await callAzure("acquire run lock", () => locks.createEntity({ partitionKey: estate, rowKey: LOCK_ROW, runId }));
      return runId;
    } catch (error) {
      if (!(error instanceof DrError && error.code === "Conflict")) throw error;
    }
    const holder = await readRow(locks, estate, LOCK_ROW);
    // Released between our create and read: try again rather than report a phantom holder.
    if (holder) return String(holder.runId);
  }
}

/** Rounds of read, change and conditional write before a contended step gives up. */
const MAX_CHANGE_ROUNDS = 50;

interface PendingChange {
  readonly change: (step: StepRecord) => StepRecord;
  readonly resolve: (step: StepRecord) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit of changes to one step row: while a round (read, apply every waiting change, write on
 * the ETag) is in flight, new changes wait for the next round, which takes them all at once. Another
 * writer (another instance) is met with 412 and the round starts over from a fresh read.
 */
function createStepChanges(
  read: (runId: string, stepId: string) => Promise<Versioned<StepRecord> | undefined>,
  write: (step: StepRecord, etag: string) => Promise<string>,
): RunStore["changeStep"] {
  const waiting = new Map<string, PendingChange[]>();
  const busy = new Set<string>();

  async function round(runId: string, stepId: string, key: string): Promise<void> {
    busy.add(key);
    try {
      for (;;) {
        const batch = waiting.get(key) ?? [];
        waiting.delete(key);
        if (batch.length === 0) return;
        try {
          const stored = await applyAll(runId, stepId, batch);
          for (const pending of batch) pending.resolve(stored);
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      busy.delete(key);
    }
  }

  async function applyAll(runId: string, stepId: string, batch: readonly PendingChange[]): Promise<StepRecord> {
    for (let attempt = 0; attempt < MAX_CHANGE_ROUNDS; attempt++) {
      const entry = await read(runId, stepId);
      if (!entry) throw new DrError("NotFound", `step ${stepId} of run ${runId} is missing`);
      const changed = batch.reduce((step, pending) => pending.change(step), entry.value);
      if (changed === entry.value) return changed;
      try {
        await write(changed, entry.etag);
        return changed;
      } catch (error) {
        if (!(error instanceof DrError && error.code === "PreconditionFailed")) throw error;
      }
    }
    throw new DrError("PreconditionFailed", `step ${stepId} of run ${runId}: too much contention`);
  }

  return (runId, stepId, change) =>
    new Promise<StepRecord>((resolve, reject) => {
      const key = `${runId}\u0000${stepId}`;
      const list = waiting.get(key) ?? [];
      list.push({ change, resolve, reject });
      waiting.set(key, list);
      if (!busy.has(key)) void round(runId, stepId, key);
    });
}

/**
 * One entity-group transaction of step updates. A row changed since it was read fails the whole
 * batch with 412, which the SDK reports on the transaction (RestError 412), or as a 412 sub-response.
 */
async function submitSteps(table: TableClient, actions: TransactionAction[], runId: string) {
  const result = await callAzure(`update steps of run ${runId}`, () => table.submitTransaction(actions));
  if (result.status >= 300 || result.subResponses.some((r) => r.status >= 300)) {
    const status = result.subResponses.find((r) => r.status >= 300)?.status ?? result.status;
    throw new DrError(status === 412 ? "PreconditionFailed" : "Unknown", `update steps of run ${runId}: HTTP ${status}`);
  }
  return result;
}

/** Inserts rows, leaving alone those that already exist (a repeated creation changes nothing). */
async function createAll(table: TableClient, entities: readonly TableRow[]): Promise<void> {
  if (entities.length === 0) return;
  const actions: TransactionAction[] = entities.map((e) => ["create", e]);
  try {
    await callAzure(`create rows in ${table.tableName}`, () => table.submitTransaction(actions));
  } catch (error) {
    if (!(error instanceof DrError && error.code === "Conflict")) throw error;
    for (const entity of entities) {
      try {
        await callAzure(`create row in ${table.tableName}`, () => table.createEntity(entity));
      } catch (rowError) {
        if (!(rowError instanceof DrError && rowError.code === "Conflict")) throw rowError;
      }
    }
  }
}

/** Run and step columns that stay empty until the run or step gets that far. */
const RUN_OPTIONAL = ["finishedAt", "failureReason", "requestedBy", "detectedAt"] as const;
const STEP_OPTIONAL = ["wakeAt", "detail", "startedAt", "finishedAt", "error"] as const;

function runToEntity(run: RunRecord): TableRow {
  return {
    partitionKey: run.runId,
    rowKey: RUN_ROW,
    estate: run.estate,
    mode: run.mode,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.startedAt,
    request: JSON.stringify(run.request),
    notes: JSON.stringify(run.notes),
    decisions: run.decisions ? JSON.stringify(run.decisions) : "",
    armUsage: run.armUsage ? JSON.stringify(run.armUsage) : "",
    ...emptyWhenAbsent(run, RUN_OPTIONAL),
  };
}

function entityToRun(e: TableRow): RunRecord {
  return {
    runId: e.partitionKey,
    estate: String(e.estate),
    mode: e.mode as RunRecord["mode"],
    trigger: String(e.trigger),
    status: e.status as RunRecord["status"],
    startedAt: String(e.startedAt),
    request: JSON.parse(String(e.request)) as RunRecord["request"],
    notes: JSON.parse(String(e.notes)) as string[],
    ...(typeof e.decisions === "string" && e.decisions !== "" ? { decisions: JSON.parse(e.decisions) as RunDecisions } : {}),
    ...(typeof e.armUsage === "string" && e.armUsage !== "" ? { armUsage: JSON.parse(e.armUsage) as ArmUsage } : {}),
    ...absentWhenEmpty(e, RUN_OPTIONAL),
  };
}

function stepToEntity(s: StepRecord): TableRow {
  return {
    partitionKey: s.runId,
    rowKey: s.step.id,
    step: JSON.stringify(s.step),
    status: s.status,
    successors: JSON.stringify(s.successors),
    satisfied: JSON.stringify(s.satisfied),
    seq: s.seq,
    retries: s.retries,
    journal: JSON.stringify(s.journal),
    // The job a parked step waits for; jobVault lets its vault's watch find it with a filtered query.
    jobVault: s.followsJob?.vault ?? "",
    followsJob: s.followsJob ? JSON.stringify(s.followsJob) : "",
    arm: s.arm ? JSON.stringify(s.arm) : "",
    ...emptyWhenAbsent(s, STEP_OPTIONAL),
  };
}

function entityToStep(e: TableRow): StepRecord {
  return {
    runId: e.partitionKey,
    step: JSON.parse(String(e.step)) as StepRecord["step"],
    status: e.status as StepRecord["status"],
    successors: JSON.parse(String(e.successors)) as string[],
    satisfied: JSON.parse(String(e.satisfied)) as string[],
    seq: Number(e.seq),
    retries: Number(e.retries),
    journal: JSON.parse(String(e.journal)) as StepRecord["journal"],
    ...(typeof e.followsJob === "string" && e.followsJob !== "" ? { followsJob: JSON.parse(e.followsJob) as StepRecord["followsJob"] } : {}),
    ...(typeof e.arm === "string" && e.arm !== "" ? { arm: JSON.parse(e.arm) as ArmUsage } : {}),
    ...absentWhenEmpty(e, STEP_OPTIONAL),
  };
}
