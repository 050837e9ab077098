import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import { STATE_TABLES } from "../config/names.js";
import { DrError } from "../ports/errors.js";
import type { RunDecisions, RunRecord, RunStore, StepRecord } from "../ports/runStore.js";
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

  return {
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

    async updateStep(step, etag) {
      const result = await callAzure(`update step ${step.step.id}`, () => steps.updateEntity(stepToEntity(step), "Replace", { etag }));
      return result.etag ?? "";
    },

    async listSteps(runId) {
      const found: StepRecord[] = [];
      const query = steps.listEntities<TableRow>({ queryOptions: { filter: odata`PartitionKey eq ${runId}` } });
      for await (const entity of query) found.push(entityToStep(entity));
      return found;
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
const RUN_OPTIONAL = ["finishedAt", "failureReason", "requestedBy"] as const;
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
    ...absentWhenEmpty(e, STEP_OPTIONAL),
  };
}
