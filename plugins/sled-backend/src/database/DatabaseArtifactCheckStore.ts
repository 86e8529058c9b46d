import { ArtifactCheck } from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import { ArtifactCheckStore } from './ArtifactCheckStore';
import { orUndefined } from './rowValues';

/** The Knex implementation of {@link ArtifactCheckStore} (`sled_artifact_checks`). */
export class DatabaseArtifactCheckStore implements ArtifactCheckStore {
  static create(db: Knex): DatabaseArtifactCheckStore {
    return new DatabaseArtifactCheckStore(db);
  }

  private constructor(private readonly db: Knex) {}

  async recordChecks(artifactId: string, checks: ArtifactCheck[]) {
    if (!checks.length) return;
    const updatedAt = new Date().toISOString();
    await this.db('sled_artifact_checks')
      .insert(
        checks.map(check => ({
          artifact_id: artifactId,
          name: check.name,
          status: check.status,
          url: check.url ?? null,
          updated_at: updatedAt,
        })),
      )
      .onConflict(['artifact_id', 'name'])
      .merge(['status', 'url', 'updated_at']);
  }

  async listChecks(artifactId: string): Promise<ArtifactCheck[]> {
    const rows = await this.db('sled_artifact_checks')
      .where({ artifact_id: artifactId })
      .orderBy('name', 'asc');
    return rows.map(row => ({
      name: row.name,
      status: row.status,
      ...(orUndefined(row.url) ? { url: row.url } : {}),
    }));
  }
}
