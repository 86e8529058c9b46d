import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  Release,
  ReleaseMember,
  ReleaseMemberStatus,
  ReleaseStatus,
} from '@internal/plugin-sled-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { NewRelease, ReleaseMemberUpdate, ReleaseStore } from './ReleaseStore';
import { TakeOverOptions, takeOverRunning } from './runners';

function iso(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  return new Date(value as string).toISOString();
}
const orUndefined = <T>(value: T | null): T | undefined =>
  value === null ? undefined : value;

/**
 * Knex store of releases. The schema ships in the plugin's migrations, which
 * `DatabaseDeployStore.create` runs.
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
        status: 'running',
        runner: input.runner,
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

  async getRelease(id: string): Promise<Release | undefined> {
    const row = await this.db('sled_releases').where({ id }).first();
    if (!row) return undefined;
    return (await this.withMembers([row]))[0];
  }

  async listReleases(options: {
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
    return this.withMembers(await q);
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

  async finishRelease(
    id: string,
    outcome: { status: Exclude<ReleaseStatus, 'running'>; message?: string },
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

  private async withMembers(rows: any[]): Promise<Release[]> {
    if (!rows.length) return [];
    const members = await this.db('sled_release_members')
      .whereIn(
        'release_id',
        rows.map(r => r.id),
      )
      .orderBy(['release_id', 'position']);
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
      members: byRelease.get(row.id) ?? [],
      createdAt: iso(row.created_at)!,
      finishedAt: iso(row.finished_at),
    }));
  }
}
