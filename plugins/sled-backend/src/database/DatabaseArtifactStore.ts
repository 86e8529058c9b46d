import { ConflictError } from '@backstage/errors';
import {
  Artifact,
  Page,
  RegisterArtifactRequest,
} from '@internal/plugin-sled-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { ArtifactStore, ListArtifactsOptions } from './ArtifactStore';
import { hashOf } from './contentHash';
import { Row, toArtifact } from './deployRows';
import { isUniqueViolation } from './isUniqueViolation';
import { decodeCursor, page } from './keysetPage';
import { applyTargetFilter } from './targetFilter';
import { versionOrderKey } from './versionOrderKey';

/** How many artifacts {@link DatabaseArtifactStore} keeps in memory. */
const ARTIFACT_CACHE_SIZE = 2000;

/**
 * The Knex implementation of {@link ArtifactStore} (table `sled_artifacts`),
 * for SQLite and PostgreSQL. Its schema ships in the plugin's migrations,
 * which `createDeployStores` runs.
 */
export class DatabaseArtifactStore implements ArtifactStore {
  static create(db: Knex): DatabaseArtifactStore {
    return new DatabaseArtifactStore(db);
  }

  private constructor(private readonly db: Knex) {}

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
      version_key: versionOrderKey(request.version),
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
}
