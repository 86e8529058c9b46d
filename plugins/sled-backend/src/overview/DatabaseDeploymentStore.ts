import { Knex } from 'knex';
import { iso } from '../database/rowValues';
import { applyTargetFilter, SledTargetFilter } from '../database/targetFilter';
import { CurrentDeploy, DeploymentStore, OpenDeploys } from './DeploymentStore';

/**
 * The Knex implementation of {@link DeploymentStore} over `sled_deploys`
 * (SQLite and PostgreSQL): one grouped query each, the caller's read
 * decision applied as a WHERE clause.
 */
export class DatabaseDeploymentStore implements DeploymentStore {
  static create(db: Knex): DatabaseDeploymentStore {
    return new DatabaseDeploymentStore(db);
  }

  private constructor(private readonly db: Knex) {}

  async listCurrentDeploys(
    filter?: SledTargetFilter,
  ): Promise<CurrentDeploy[]> {
    // the newest successful deploy of each target (seq grows with time),
    // then its row
    const latest = this.db('sled_deploys')
      .max({ seq: 'seq' })
      .where({ status: 'succeeded', dry_run: false })
      .groupBy('entity_ref', 'environment');
    if (filter) applyTargetFilter(latest, filter);
    const rows = await this.db('sled_deploys as d')
      .join(latest.as('latest'), 'latest.seq', 'd.seq')
      .select(
        'd.entity_ref',
        'd.environment',
        'd.id',
        'd.artifact_id',
        'd.artifact_version',
        'd.finished_at',
      );
    return rows.map(row => ({
      entityRef: row.entity_ref,
      environment: row.environment,
      deployId: row.id,
      artifactId: row.artifact_id,
      version: row.artifact_version,
      ...(row.finished_at ? { finishedAt: iso(row.finished_at) } : {}),
    }));
  }

  async listOpenDeploys(filter?: SledTargetFilter): Promise<OpenDeploys[]> {
    const qb = this.db('sled_deploys')
      .select('entity_ref', 'environment', 'status')
      .count({ count: '*' })
      .whereIn('status', ['awaiting_approval', 'queued', 'running'])
      .groupBy('entity_ref', 'environment', 'status');
    if (filter) applyTargetFilter(qb, filter);
    const byTarget = new Map<string, OpenDeploys>();
    for (const row of (await qb) as Array<Record<string, any>>) {
      const key = `${row.entity_ref}#${row.environment}`;
      const open = byTarget.get(key) ?? {
        entityRef: row.entity_ref,
        environment: row.environment,
        awaitingApproval: 0,
        inProgress: 0,
      };
      if (row.status === 'awaiting_approval') {
        open.awaitingApproval += Number(row.count);
      } else {
        open.inProgress += Number(row.count);
      }
      byTarget.set(key, open);
    }
    return [...byTarget.values()];
  }
}
