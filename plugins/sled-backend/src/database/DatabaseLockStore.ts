import { Lock } from '@internal/plugin-sled-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { toLock } from './deployRows';
import { ListLocksOptions, LockStore, NewLock } from './LockStore';
import { applyTargetFilter } from './targetFilter';

/**
 * The Knex implementation of {@link LockStore} (table `sled_locks`), for
 * SQLite and PostgreSQL. Its schema ships in the plugin's migrations, which
 * `createDeployStores` runs.
 */
export class DatabaseLockStore implements LockStore {
  static create(db: Knex): DatabaseLockStore {
    return new DatabaseLockStore(db);
  }

  private constructor(private readonly db: Knex) {}

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
