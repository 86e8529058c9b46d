import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  Release,
  ReleaseMember,
  ReleaseMemberStatus,
  ReleaseStatus,
} from '@internal/plugin-sled-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { iso, orUndefined } from './rowValues';
import { applyTargetFilter, SledTargetFilter } from './targetFilter';
import { NewRelease, ReleaseMemberUpdate, ReleaseStore } from './ReleaseStore';
import { TakeOverOptions } from './RunnerStore';
import { takeOverRunning } from './runners';

/**
 * Knex store of releases. The schema ships in the plugin's migrations, which
 * `createDeployStores` runs.
 */
export class DatabaseReleaseStore implements ReleaseStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseReleaseStore> {
    return new DatabaseReleaseStore(await options.database.getClient());
  }

  private constructor(private readonly db: Knex) {}

  async createRelease(input: NewRelease): Promise<Release> {
    const id = randomUUID();
    await this.db.transaction(async tx => {
      await tx('sled_releases').insert({
        id,
        deploy_group: input.deployGroup,
        environment: input.environment,
        status: input.approvalExpiresAt ? 'awaiting_approval' : 'running',
        runner: input.runner,
        approval_expires_at: input.approvalExpiresAt ?? null,
        dry_run: input.dryRun,
        requested_by: input.requestedBy,
        reason: input.reason ?? null,
        rollback_of: input.rollbackOf ?? null,
        created_at: new Date().toISOString(),
      });
      if (input.members.length) {
        await tx.batchInsert(
          'sled_release_members',
          input.members.map((m, position) => ({
            release_id: id,
            position,
            entity_ref: m.entityRef,
            wave: m.wave,
            artifact_id: m.artifactId,
            artifact_version: m.artifactVersion,
            status: 'pending',
          })),
          200,
        );
      }
    });
    return (await this.getRelease(id))!;
  }

  async getRelease(
    id: string,
    options: { filter?: SledTargetFilter } = {},
  ): Promise<Release | undefined> {
    const q = this.db('sled_releases').where({ id }).first();
    if (options.filter) this.whereReadable(q, options.filter);
    const row = await q;
    if (!row) return undefined;
    return (await this.withMembers([row], options.filter))[0];
  }

  async listReleases(options: {
    filter?: SledTargetFilter;
    deployGroup?: string;
    environment?: string;
    status?: ReleaseStatus[];
    limit: number;
  }): Promise<Release[]> {
    const q = this.db('sled_releases')
      .orderBy('seq', 'desc')
      .limit(options.limit);
    if (options.deployGroup) q.where('deploy_group', options.deployGroup);
    if (options.environment) q.where('environment', options.environment);
    if (options.status?.length) q.whereIn('status', options.status);
    if (options.filter) this.whereReadable(q, options.filter);
    return this.withMembers(await q, options.filter);
  }

  /** Releases with at least one member the read filter matches. */
  private whereReadable(q: Knex.QueryBuilder, filter: SledTargetFilter) {
    q.whereExists(sub =>
      this.readableMembers(
        sub
          .select(this.db.raw('1'))
          .from('sled_release_members')
          .whereRaw('sled_release_members.release_id = sled_releases.id'),
        filter,
        'sled_releases.environment',
      ),
    );
  }

  /**
   * Applies a read filter to a query of `sled_release_members`: the member's
   * service, in `environmentColumn`, owned as its artifact recorded.
   */
  private readableMembers(
    q: Knex.QueryBuilder,
    filter: SledTargetFilter,
    environmentColumn: string,
  ): Knex.QueryBuilder {
    q.leftJoin(
      'sled_artifacts',
      'sled_artifacts.id',
      'sled_release_members.artifact_id',
    );
    applyTargetFilter(q, filter, false, [], {
      entity_ref: 'sled_release_members.entity_ref',
      environment: environmentColumn,
      owner_ref: 'sled_artifacts.owner_ref',
    });
    return q;
  }

  async updateMember(
    releaseId: string,
    entityRef: string,
    update: ReleaseMemberUpdate,
  ): Promise<void> {
    await this.db('sled_release_members')
      .where({ release_id: releaseId, entity_ref: entityRef })
      .update({
        status: update.status,
        ...(update.deployId ? { deploy_id: update.deployId } : {}),
        ...(update.message !== undefined ? { message: update.message } : {}),
      });
  }

  async takeOverRunning(
    runner: string,
    options: TakeOverOptions,
  ): Promise<Release[]> {
    return this.withMembers(
      await takeOverRunning(this.db, 'sled_releases', runner, options),
    );
  }

  async approveRelease(
    id: string,
    runner: string,
  ): Promise<Release | undefined> {
    const count = await this.db('sled_releases')
      .where({ id, status: 'awaiting_approval' })
      .update({ status: 'running', runner, approval_expires_at: null });
    return count > 0 ? this.getRelease(id) : undefined;
  }

  async endAwaitingRelease(
    id: string,
    outcome: { status: 'rejected' | 'expired' | 'cancelled'; message: string },
  ): Promise<Release | undefined> {
    const finishedAt = new Date().toISOString();
    const count = await this.db('sled_releases')
      .where({ id, status: 'awaiting_approval' })
      .update({
        status: outcome.status,
        message: outcome.message,
        finished_at: finishedAt,
      });
    if (!count) return undefined;
    await this.db('sled_release_members')
      .where({ release_id: id, status: 'pending' })
      .update({ status: 'not-started', message: outcome.message });
    return this.getRelease(id);
  }

  async expireAwaitingReleases(now: Date): Promise<Release[]> {
    const due = await this.db('sled_releases')
      .where({ status: 'awaiting_approval' })
      .where('approval_expires_at', '<=', now.toISOString())
      .select('id', 'approval_expires_at');
    const expired: Release[] = [];
    for (const row of due) {
      const release = await this.endAwaitingRelease(row.id, {
        status: 'expired',
        message: 'Its approvals did not come in time',
      });
      if (release) expired.push(release);
    }
    return expired;
  }

  async finishRelease(
    id: string,
    outcome: { status: 'succeeded' | 'failed' | 'cancelled'; message?: string },
  ): Promise<boolean> {
    const count = await this.db('sled_releases')
      .where({ id, status: 'running' })
      .update({
        status: outcome.status,
        message: outcome.message ?? null,
        finished_at: new Date().toISOString(),
      });
    return count > 0;
  }

  private async withMembers(
    rows: any[],
    filter?: SledTargetFilter,
  ): Promise<Release[]> {
    if (!rows.length) return [];
    const q = this.db('sled_release_members')
      .select('sled_release_members.*')
      .whereIn(
        'sled_release_members.release_id',
        rows.map(r => r.id),
      )
      .orderBy([
        'sled_release_members.release_id',
        'sled_release_members.position',
      ]);
    if (filter) {
      q.join(
        'sled_releases',
        'sled_releases.id',
        'sled_release_members.release_id',
      );
      this.readableMembers(q, filter, 'sled_releases.environment');
    }
    const members = await q;
    const byRelease = new Map<string, ReleaseMember[]>();
    for (const m of members) {
      const list = byRelease.get(m.release_id) ?? [];
      list.push({
        entityRef: m.entity_ref,
        wave: Number(m.wave),
        artifactId: m.artifact_id,
        artifactVersion: m.artifact_version,
        deployId: orUndefined(m.deploy_id),
        status: m.status as ReleaseMemberStatus,
        message: orUndefined(m.message),
      });
      byRelease.set(m.release_id, list);
    }
    return rows.map(row => ({
      id: row.id,
      deployGroup: row.deploy_group,
      environment: row.environment,
      status: row.status,
      dryRun: Boolean(row.dry_run),
      requestedBy: row.requested_by,
      reason: orUndefined(row.reason),
      rollbackOf: orUndefined(row.rollback_of),
      message: orUndefined(row.message),
      ...(row.approval_expires_at
        ? { approvalExpiresAt: iso(row.approval_expires_at) }
        : {}),
      members: byRelease.get(row.id) ?? [],
      createdAt: iso(row.created_at)!,
      finishedAt: iso(row.finished_at),
    }));
  }
}
