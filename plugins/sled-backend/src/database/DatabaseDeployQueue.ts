import { ConflictError } from '@backstage/errors';
import {
  Deploy,
  DeployExecution,
  DeployStatus,
  Page,
} from '@internal/plugin-sled-common';
import { DeployLaunch, DeployOutcome } from '@internal/plugin-sled-node';
import { Knex } from 'knex';
import {
  ClaimedDeploy,
  DeployQueue,
  IdempotencyRecord,
  ListDeploysOptions,
  NewDeploy,
  PastDeploy,
} from './DeployQueue';
import {
  deployRow,
  Row,
  toDeploy,
  toLaunch,
  toLaunchArtifact,
} from './deployRows';
import { clockNotBefore, isPostgres } from './dialect';
import { isUniqueViolation } from './isUniqueViolation';
import { decodeCursor, page } from './keysetPage';
import { applyTargetFilter } from './targetFilter';

/**
 * The Knex implementation of {@link DeployQueue} (tables `sled_deploys` and
 * `sled_idempotency`), for SQLite and PostgreSQL. Its schema ships in the
 * plugin's migrations, which `createDeployStores` runs.
 */
export class DatabaseDeployQueue implements DeployQueue {
  static create(db: Knex): DatabaseDeployQueue {
    return new DatabaseDeployQueue(db);
  }

  private constructor(private readonly db: Knex) {}

  async createDeploy(
    input: NewDeploy,
    idempotency?: IdempotencyRecord,
  ): Promise<{ deploy: Deploy; replayed: boolean }> {
    const now = new Date().toISOString();
    const final = input.status === 'skipped';
    const row = deployRow(input, {
      createdAt: now,
      startedAt: final ? now : null,
      finishedAt: final ? now : null,
    });
    try {
      if (!idempotency) {
        await this.db('sled_deploys').insert(row);
      } else {
        await this.insertWithKey(row, {
          principal: idempotency.principal,
          key: idempotency.key,
          request_hash: idempotency.requestHash,
          deploy_id: row.id,
          created_at: now,
        });
      }
    } catch (error) {
      if (!idempotency || !isUniqueViolation(error)) throw error;
      // the same key won a race: answer with that deploy
      const earlier = await this.findIdempotent(
        idempotency.principal,
        idempotency.key,
      );
      if (!earlier) throw error;
      if (earlier.requestHash !== idempotency.requestHash) {
        throw new ConflictError(
          `Idempotency-Key '${idempotency.key}' was already used for a different request`,
        );
      }
      return {
        deploy: (await this.getDeploy(earlier.deployId))!,
        replayed: true,
      };
    }
    return { deploy: toDeploy(row), replayed: false };
  }

  /**
   * Inserts a deploy and its idempotency key, both or neither. On PostgreSQL
   * that is one statement (a data-modifying WITH), which saves the
   * transaction's round trips on every keyed request; SQLite, in-process,
   * uses a transaction.
   */
  private async insertWithKey(deploy: Row, key: Row) {
    if (isPostgres(this.db)) {
      const insertDeploy = this.db('sled_deploys').insert(deploy).toSQL();
      const columns = Object.keys(key);
      await this.db.raw(
        `WITH deploy AS (${insertDeploy.sql}) INSERT INTO ?? (${columns
          .map(() => '??')
          .join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        [
          ...insertDeploy.bindings,
          'sled_idempotency',
          ...columns,
          ...columns.map(c => key[c]),
        ],
      );
      return;
    }
    await this.db.transaction(async tx => {
      await tx('sled_deploys').insert(deploy);
      await tx('sled_idempotency').insert(key);
    });
  }

  /**
   * Also writes the deploy's log, in the same transaction: the deploy is the
   * main record, so this lives here rather than in the log store.
   */
  async recordPastDeploy(input: PastDeploy): Promise<Deploy> {
    const row = deployRow(
      { ...input, dryRun: false, force: false },
      {
        createdAt: input.createdAt.toISOString(),
        startedAt: input.createdAt.toISOString(),
        finishedAt: input.finishedAt.toISOString(),
      },
    );
    await this.db.transaction(async tx => {
      await tx('sled_deploys').insert(row);
      await tx('sled_deploy_logs').insert({
        deploy_id: row.id,
        chunk: 0,
        text: input.log,
        created_at: row.finished_at,
      });
    });
    return toDeploy(row);
  }

  async findIdempotent(principal: string, key: string) {
    const row = await this.db('sled_idempotency')
      .where({ principal, key })
      .first();
    return row
      ? {
          requestHash: row.request_hash as string,
          deployId: row.deploy_id as string,
        }
      : undefined;
  }

  async getDeploy(id: string): Promise<Deploy | undefined> {
    const row = await this.db('sled_deploys').where({ id }).first();
    return row ? toDeploy(row) : undefined;
  }

  async listDeploys(options: ListDeploysOptions): Promise<Page<Deploy>> {
    const after = decodeCursor(options.cursor);
    const qb = this.db('sled_deploys')
      .orderBy('seq', 'desc')
      .limit(options.limit + 1);
    if (options.entityRef) qb.where('entity_ref', options.entityRef);
    if (options.environment) qb.where('environment', options.environment);
    if (options.status?.length) qb.whereIn('status', options.status);
    if (options.createdAfter) {
      // created_at is written as an ISO string (SQLite compares it as text)
      qb.where(
        'created_at',
        '>=',
        new Date(options.createdAfter).toISOString(),
      );
    }
    if (after) qb.where('seq', '<', after);
    if (options.filter) applyTargetFilter(qb, options.filter);
    return page(await qb, options.limit, toDeploy);
  }

  async claimNext(
    entityRef: string,
    environment: string,
    runner: string,
  ): Promise<ClaimedDeploy | undefined> {
    const target = { entity_ref: entityRef, environment };
    // One statement: the oldest queued deploy of the target, unless something
    // runs there. It claims nothing when that deploy was cancelled or claimed
    // meanwhile; whoever did that dispatches the target again.
    try {
      const [claimed] = await this.db('sled_deploys')
        .where(
          'id',
          '=',
          this.db('sled_deploys')
            .select('id')
            .where({ ...target, status: 'queued' })
            .orderBy('seq', 'asc')
            .limit(1),
        )
        .andWhere('status', 'queued')
        .whereNotExists(
          this.db('sled_deploys')
            .select(this.db.raw('1'))
            .where({ ...target, status: 'running' }),
        )
        .update({
          status: 'running',
          started_at: clockNotBefore(this.db, 'created_at'),
          runner,
        })
        .returning('*');
      return claimed
        ? {
            deploy: toDeploy(claimed),
            launch: toLaunch(claimed),
            artifact: toLaunchArtifact(claimed),
          }
        : undefined;
    } catch (error) {
      // the one-running-per-target index: something else runs there
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  async getLaunch(id: string): Promise<DeployLaunch | undefined> {
    const row = await this.db('sled_deploys').where({ id }).first('launch');
    return row ? toLaunch(row) : undefined;
  }

  async setExecution(
    id: string,
    execution: DeployExecution,
    runner: string,
  ): Promise<boolean> {
    const [row] = await this.db('sled_deploys')
      .where({ id, runner })
      .update({ execution: JSON.stringify(execution) })
      .returning('status');
    return row?.status === 'running';
  }

  async finishDeploy(
    id: string,
    outcome: DeployOutcome,
    runner?: string,
  ): Promise<Deploy | undefined> {
    const query = this.db('sled_deploys')
      .where({ id })
      .whereIn('status', ['awaiting_approval', 'queued', 'running']);
    if (runner) query.where('runner', runner);
    const [finished] = await query
      .update({
        status: outcome.status,
        message: outcome.message ?? null,
        exit_code: outcome.exitCode ?? null,
        finished_at: clockNotBefore(this.db, 'started_at', 'created_at'),
      })
      .returning('*');
    return finished ? toDeploy(finished) : undefined;
  }

  async listStalledTargets() {
    const rows = await this.db('sled_deploys as q')
      .distinct('q.entity_ref', 'q.environment')
      .where('q.status', 'queued')
      .whereNotExists(
        this.db('sled_deploys as r')
          .select(this.db.raw('1'))
          .whereRaw('r.entity_ref = q.entity_ref')
          .whereRaw('r.environment = q.environment')
          .where('r.status', 'running'),
      );
    return rows.map((r: Row) => ({
      entityRef: r.entity_ref as string,
      environment: r.environment as string,
    }));
  }

  async listRunning(options: { runner?: string } = {}): Promise<Deploy[]> {
    const query = this.db('sled_deploys').where('status', 'running');
    if (options.runner) query.where('runner', options.runner);
    const rows = await query.orderBy('seq', 'asc');
    return rows.map(toDeploy);
  }

  async findLatest(
    entityRef: string,
    environment: string,
    options: {
      statuses?: DeployStatus[];
      includeDryRun?: boolean;
      excludeArtifactId?: string;
    },
  ): Promise<Deploy | undefined> {
    const qb = this.db('sled_deploys')
      .where({ entity_ref: entityRef, environment })
      .orderBy('seq', 'desc')
      .first();
    if (options.statuses) qb.whereIn('status', options.statuses);
    if (!options.includeDryRun) qb.where('dry_run', false);
    if (options.excludeArtifactId) {
      qb.whereNot('artifact_id', options.excludeArtifactId);
    }
    const row = await qb;
    return row ? toDeploy(row) : undefined;
  }

  async countActive(entityRef: string, environment: string): Promise<number> {
    const [{ count }] = await this.db('sled_deploys')
      .where({ entity_ref: entityRef, environment })
      .whereIn('status', ['queued', 'running'])
      .count({ count: '*' });
    return Number(count);
  }

  async approve(id: string): Promise<Deploy | undefined> {
    const [row] = await this.db('sled_deploys')
      .where({ id, status: 'awaiting_approval' })
      .update({ status: 'queued', approval_expires_at: null })
      .returning('*');
    return row ? toDeploy(row) : undefined;
  }

  async endAwaiting(
    id: string,
    outcome: { status: 'rejected' | 'expired'; message: string },
  ): Promise<Deploy | undefined> {
    const [row] = await this.db('sled_deploys')
      .where({ id, status: 'awaiting_approval' })
      .update({
        status: outcome.status,
        message: outcome.message,
        finished_at: clockNotBefore(this.db, 'created_at'),
      })
      .returning('*');
    return row ? toDeploy(row) : undefined;
  }

  async expireAwaiting(now: Date): Promise<Deploy[]> {
    const rows = await this.db('sled_deploys')
      .where('status', 'awaiting_approval')
      .where('approval_expires_at', '<=', now.toISOString())
      .update({
        status: 'expired',
        message: 'Its approvals did not come in time',
        finished_at: clockNotBefore(this.db, 'created_at'),
      })
      .returning('*');
    return rows.map(toDeploy);
  }
}
