import { Knex } from 'knex';
import { Row } from './deployRows';
import { DeployLogStore } from './DeployLogStore';
import { isPostgres } from './dialect';

/**
 * The Knex implementation of {@link DeployLogStore} (table
 * `sled_deploy_logs`), for SQLite and PostgreSQL. Its schema ships in the
 * plugin's migrations, which `createDeployStores` runs.
 */
export class DatabaseDeployLogStore implements DeployLogStore {
  static create(db: Knex): DatabaseDeployLogStore {
    return new DatabaseDeployLogStore(db);
  }

  private constructor(private readonly db: Knex) {}

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
    // then read it, or win and refuse it). The deploy row is only read here.
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
}
