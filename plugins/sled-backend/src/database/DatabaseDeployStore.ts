import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  Artifact,
  Deploy,
  DeployExecution,
  DeployStatus,
  Lock,
  Page,
  RegisterArtifactRequest,
} from '@internal/plugin-sled-common';

import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import {
  ClaimedDeploy,
  DeployStore,
  ListLocksOptions,
  IdempotencyRecord,
  ListArtifactsOptions,
  ListDeploysOptions,
  NewDeploy,
  PastDeploy,
  NewLock,
} from './DeployStore';
import { DeployLaunch, DeployOutcome } from '@internal/plugin-sled-node';
import { hashOf } from './contentHash';
import {
  deployRow,
  Row,
  toArtifact,
  toDeploy,
  toLaunch,
  toLock,
} from './deployRows';
import { isUniqueViolation } from './isUniqueViolation';
import { decodeCursor, page } from './keysetPage';
import { applyTargetFilter } from './targetFilter';
import {
  TakeOverOptions,
  forgetSilentRunners,
  heartbeat,
  isPostgres,
  takeOverRunning,
} from './runners';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-sled-backend',
  'migrations',
);

/** How many artifacts {@link DatabaseDeployStore} keeps in memory. */
const ARTIFACT_CACHE_SIZE = 2000;

/** The Knex implementation of {@link DeployStore}, for SQLite and PostgreSQL. */
export class DatabaseDeployStore implements DeployStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseDeployStore> {
    const client = await options.database.getClient();
    if (client.client.config.client === 'better-sqlite3') {
      // Each deploy is several small writes; with the default rollback journal
      // every one waits for an fsync while blocking the event loop. WAL keeps
      // committed deploys across a crash of the backend.
      await client.raw('PRAGMA journal_mode = WAL');
      await client.raw('PRAGMA synchronous = NORMAL');
    }
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseDeployStore(client);
  }

  private constructor(private readonly db: Knex) {}

  // ---------------------------------------------------------------- artifacts

  async registerArtifact(
    request: RegisterArtifactRequest,
    ownerRef?: string,
  ): Promise<{ artifact: Artifact; created: boolean }> {
    const contentHash = hashOf(request);
    const existing = await this.db('sled_artifacts')
      .where({ entity_ref: request.entityRef, version: request.version })
      .first();
    if (existing) return this.replayArtifact(existing, contentHash);
    const row = {
      id: randomUUID(),
      entity_ref: request.entityRef,
      owner_ref: ownerRef ?? null,
      version: request.version,
      spec: JSON.stringify(request),
      content_hash: contentHash,
      created_at: new Date().toISOString(),
    };
    try {
      await this.db('sled_artifacts').insert(row);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // registered concurrently: same rules as a replay
      const raced = await this.db('sled_artifacts')
        .where({ entity_ref: request.entityRef, version: request.version })
        .first();
      return this.replayArtifact(raced, contentHash);
    }
    return { artifact: toArtifact(row), created: true };
  }

  private replayArtifact(row: Row, contentHash: string) {
    if (row.content_hash !== contentHash) {
      throw new ConflictError(
        `Artifact ${row.version} of ${row.entity_ref} is already registered with different content (artifact ${row.id}); versions are immutable`,
      );
    }
    return { artifact: toArtifact(row), created: false };
  }

  /**
   * Artifacts never change once registered (a different body is a 409), so
   * the newest ones are kept in memory: every deploy reads its artifact
   * when it is requested and again when it starts.
   */
  private readonly artifactCache = new Map<string, Artifact>();

  async getArtifact(id: string): Promise<Artifact | undefined> {
    const cached = this.artifactCache.get(id);
    if (cached) return cached;
    const row = await this.db('sled_artifacts').where({ id }).first();
    if (!row) return undefined;
    const artifact = toArtifact(row);
    if (this.artifactCache.size >= ARTIFACT_CACHE_SIZE) {
      // forget the oldest entry (Map keeps insertion order)
      this.artifactCache.delete(this.artifactCache.keys().next().value!);
    }
    this.artifactCache.set(id, artifact);
    return artifact;
  }

  async listArtifacts(options: ListArtifactsOptions): Promise<Page<Artifact>> {
    const after = decodeCursor(options.cursor);
    const qb = this.db('sled_artifacts')
      .orderBy('seq', 'desc')
      .limit(options.limit + 1);
    if (options.entityRef) qb.where('entity_ref', options.entityRef);
    if (options.ids?.length) qb.whereIn('id', options.ids);
    if (after) qb.where('seq', '<', after);
    if (options.filter)
      applyTargetFilter(qb, options.filter, false, ['environment']);
    const rows = await qb;
    return page(rows, options.limit, toArtifact);
  }

  // ------------------------------------------------------------------ deploys

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
          started_at: this.clockNotBefore('created_at'),
          runner,
        })
        .returning('*');
      return claimed
        ? { deploy: toDeploy(claimed), launch: toLaunch(claimed) }
        : undefined;
    } catch (error) {
      // the one-running-per-target index: something else runs there
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  /**
   * The database's clock when the statement runs, but not before the row's
   * own earlier stamps. Stamped in SQL, a deploy claimed right after its
   * predecessor finished never starts before that one finished: a stamp taken
   * in JavaScript would be as old as the wait for a pooled connection, and
   * replicas' clocks differ.
   */
  private clockNotBefore(...columns: string[]): Knex.Raw {
    const placeholders = columns.map(() => '??').join(', ');
    const earlier =
      columns.length > 1 ? `coalesce(${placeholders})` : placeholders;
    return isPostgres(this.db)
      ? this.db.raw(`greatest(clock_timestamp(), ${earlier})`, columns)
      : this.db.raw(
          `max(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ${earlier})`,
          columns,
        );
  }

  async getLaunch(id: string): Promise<DeployLaunch | undefined> {
    const row = await this.db('sled_deploys').where({ id }).first('launch');
    return row ? toLaunch(row) : undefined;
  }

  async setExecution(id: string, execution: DeployExecution): Promise<boolean> {
    const [row] = await this.db('sled_deploys')
      .where({ id })
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
      .whereIn('status', ['queued', 'running']);
    if (runner) query.where('runner', runner);
    const [finished] = await query
      .update({
        status: outcome.status,
        message: outcome.message ?? null,
        exit_code: outcome.exitCode ?? null,
        finished_at: this.clockNotBefore('started_at', 'created_at'),
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

  async heartbeat(runner: string): Promise<void> {
    await heartbeat(this.db, runner);
  }

  async removeRunner(runner: string): Promise<void> {
    await this.db('sled_runners').where({ id: runner }).delete();
  }

  async takeOverRunning(
    runner: string,
    options: TakeOverOptions,
  ): Promise<Deploy[]> {
    await forgetSilentRunners(this.db, options.timeoutMs);
    const rows = await takeOverRunning(
      this.db,
      'sled_deploys',
      runner,
      options,
    );
    return rows.map(toDeploy);
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

  // --------------------------------------------------------------------- logs

  async appendLog(
    deployId: string,
    chunk: number,
    text: string,
    runner?: string,
  ): Promise<boolean> {
    const createdAt = new Date().toISOString();
    if (!runner) {
      await this.db('sled_deploy_logs').insert({
        deploy_id: deployId,
        chunk,
        text,
        created_at: createdAt,
      });
      return true;
    }
    // one statement: the runner is checked as the chunk is written (on
    // PostgreSQL the parameters take the types of the columns they fill, and
    // FOR SHARE makes a take-over in flight either wait for this chunk, and
    // then read it, or win and refuse it)
    const result = await this.db.raw(
      `INSERT INTO sled_deploy_logs (deploy_id, chunk, text, created_at)
       SELECT id, ?, ?, ? FROM sled_deploys WHERE id = ? AND runner = ?${
         isPostgres(this.db) ? ' FOR SHARE' : ''
       }
       RETURNING chunk`,
      [chunk, text, createdAt, deployId, runner],
    );
    const rows: unknown[] = isPostgres(this.db) ? result.rows : result;
    return rows.length > 0;
  }

  async readLog(deployId: string, afterChunk = -1) {
    const rows = await this.db('sled_deploy_logs')
      .where('deploy_id', deployId)
      .where('chunk', '>', afterChunk)
      .orderBy('chunk', 'asc')
      .select('chunk', 'text');
    return rows.map((r: Row) => ({
      chunk: Number(r.chunk),
      text: r.text as string,
    }));
  }

  // -------------------------------------------------------------------- locks

  async createLock(lock: NewLock): Promise<Lock> {
    const row = {
      id: randomUUID(),
      environment: lock.environment,
      entity_ref: lock.entityRef ?? null,
      deploy_group: lock.deployGroup ?? null,
      owner_ref: lock.ownerRef ?? null,
      reason: lock.reason,
      created_by: lock.createdBy,
      created_at: new Date().toISOString(),
      expires_at: lock.expiresAt
        ? new Date(lock.expiresAt).toISOString()
        : null,
    };
    await this.db('sled_locks').insert(row);
    return toLock(row);
  }

  async listLocks(options: ListLocksOptions) {
    const now = new Date().toISOString();
    const qb = this.db('sled_locks')
      .where(b => b.whereNull('expires_at').orWhere('expires_at', '>', now))
      .orderBy('created_at', 'asc');
    if (options.environment) qb.where('environment', options.environment);
    if (options.environments) qb.whereIn('environment', options.environments);
    if (options.filter) applyTargetFilter(qb, options.filter);
    const { entityRef, deployGroup } = options;
    if (entityRef || deployGroup) {
      // locks that apply to this service or group: its own, its group's and
      // environment-wide ones
      qb.where(b => {
        b.where(w => w.whereNull('entity_ref').whereNull('deploy_group'));
        if (entityRef) b.orWhere('entity_ref', entityRef);
        if (deployGroup) b.orWhere('deploy_group', deployGroup);
      });
    }
    return (await qb).map(toLock);
  }

  async getLock(id: string) {
    const row = await this.db('sled_locks').where({ id }).first();
    return row ? toLock(row) : undefined;
  }

  async deleteLock(id: string) {
    return (await this.db('sled_locks').where({ id }).delete()) > 0;
  }
}
