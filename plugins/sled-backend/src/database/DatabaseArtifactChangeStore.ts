import { NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  ArtifactChangeStore,
  ArtifactRange,
  VersionOrder,
} from './ArtifactChangeStore';
import { toArtifact } from './deployRows';

/** An artifact's place in its service's version order. */
interface Place {
  entityRef: string;
  key: string;
  seq: number;
}

/**
 * The Knex implementation of {@link ArtifactChangeStore}, for SQLite and
 * PostgreSQL: ranges of `sled_artifacts` by `(version_key, seq)`, the key
 * being {@link versionOrderKey} of the version (registration order only
 * breaks ties of equal versions such as `1.4.0` and `v1.4.0`). One indexed
 * range query and one count, whatever the length of the history.
 */
export class DatabaseArtifactChangeStore implements ArtifactChangeStore {
  static create(db: Knex): DatabaseArtifactChangeStore {
    return new DatabaseArtifactChangeStore(db);
  }

  private constructor(private readonly db: Knex) {}

  async findRunning(options: {
    entityRef: string;
    environment: string;
    beforeDeployId?: string;
  }): Promise<string | undefined> {
    const qb = this.db('sled_deploys')
      .where({
        entity_ref: options.entityRef,
        environment: options.environment,
        status: 'succeeded',
        dry_run: false,
      })
      .orderBy('seq', 'desc')
      .first('artifact_id');
    if (options.beforeDeployId) {
      qb.where(
        'seq',
        '<',
        this.db('sled_deploys')
          .select('seq')
          .where('id', options.beforeDeployId),
      );
    }
    const row = await qb;
    return row?.artifact_id;
  }

  async compareVersions(id: string, other: string): Promise<VersionOrder> {
    const [a, b] = await Promise.all([this.placeOf(id), this.placeOf(other)]);
    const order = compare(a, b);
    if (order === 0) return 'same';
    return order < 0 ? 'before' : 'after';
  }

  async listBetween(options: {
    entityRef: string;
    after?: string;
    upTo: string;
    limit: number;
  }): Promise<ArtifactRange> {
    const upTo = await this.placeOf(options.upTo);
    const after = options.after ? await this.placeOf(options.after) : undefined;
    const range = () => {
      const qb = this.db('sled_artifacts')
        .where('entity_ref', options.entityRef)
        // the plain bound is the index range; the tie on the key comes after
        .where('version_key', '<=', upTo.key)
        .where(q =>
          q.where('version_key', '<', upTo.key).orWhere('seq', '<=', upTo.seq),
        );
      if (after) {
        qb.where('version_key', '>=', after.key).where(q =>
          q.where('version_key', '>', after.key).orWhere('seq', '>', after.seq),
        );
      }
      return qb;
    };
    const [rows, [{ count }]] = await Promise.all([
      range()
        .orderBy([
          { column: 'version_key', order: 'desc' },
          { column: 'seq', order: 'desc' },
        ])
        .limit(options.limit),
      range().count({ count: '*' }),
    ]);
    return { artifacts: rows.map(toArtifact), total: Number(count) };
  }

  private async placeOf(id: string): Promise<Place> {
    const row = await this.db('sled_artifacts')
      .where({ id })
      .first('entity_ref', 'version_key', 'seq');
    if (!row?.version_key) throw new NotFoundError(`No artifact '${id}'`);
    return {
      entityRef: row.entity_ref,
      key: row.version_key,
      seq: Number(row.seq),
    };
  }
}

function compare(a: Place, b: Place): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.seq - b.seq;
}
