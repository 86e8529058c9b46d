import { Deploy } from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import { toDeploy } from './deployRows';
import { RunnerStore, TakeOverOptions } from './RunnerStore';
import { forgetSilentRunners, heartbeat, takeOverRunning } from './runners';

/**
 * The Knex implementation of {@link RunnerStore} (table `sled_runners`), for
 * SQLite and PostgreSQL. Its schema ships in the plugin's migrations, which
 * `createDeployStores` runs.
 */
export class DatabaseRunnerStore implements RunnerStore {
  static create(db: Knex): DatabaseRunnerStore {
    return new DatabaseRunnerStore(db);
  }

  private constructor(private readonly db: Knex) {}

  async heartbeat(runner: string): Promise<void> {
    await heartbeat(this.db, runner);
  }

  async removeRunner(runner: string): Promise<void> {
    await this.db('sled_runners').where({ id: runner }).delete();
  }

  /**
   * Writes only the `runner` column of sled_deploys, each row with a
   * compare-and-set on its previous runner; the queue writes the rest.
   */
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
}
