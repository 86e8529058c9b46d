import { Knex } from 'knex';
import { PromotionFacts, PromotionLedger } from './PromotionLedger';
import { iso } from './rowValues';

/**
 * The Knex implementation of {@link PromotionLedger}: one round trip of two
 * indexed reads (`sled_deploys_target_artifact_seq_idx`, then a short range
 * of the target's deploys after it), whatever the size of the ledger.
 */
export class DatabasePromotionLedger implements PromotionLedger {
  static create(db: Knex): DatabasePromotionLedger {
    return new DatabasePromotionLedger(db);
  }

  private constructor(private readonly db: Knex) {}

  async promotionFacts(query: {
    entityRef: string;
    environment: string;
    artifactId: string;
  }): Promise<PromotionFacts> {
    const { db } = this;
    // the artifact's newest final deploy to the environment ...
    const latest = db('sled_deploys')
      .where({
        entity_ref: query.entityRef,
        environment: query.environment,
        artifact_id: query.artifactId,
        dry_run: false,
      })
      .whereIn('status', ['succeeded', 'failed', 'lost'])
      .orderBy('seq', 'desc')
      .limit(1)
      .select('id', 'seq', 'status', 'finished_at');
    // ... and, when it succeeded, a later success of an older artifact there
    // (a rollback): one round trip for both, the second a short range of the
    // target's deploys after the first
    const older = db('sled_deploys as d')
      .join('sled_artifacts as a', 'a.id', 'd.artifact_id')
      .where('d.entity_ref', query.entityRef)
      .where('d.environment', query.environment)
      .where('d.seq', '>', db.ref('l.seq'))
      .where('l.status', 'succeeded')
      .where('d.status', 'succeeded')
      .where('d.dry_run', false)
      .where(
        'a.seq',
        '<',
        db('sled_artifacts').select('seq').where('id', query.artifactId),
      )
      .orderBy('d.seq', 'desc')
      .limit(1)
      // the deploy id (a uuid, no spaces) and its version, in one value
      .select(db.raw("d.id || ' ' || d.artifact_version"));
    const row = await db
      .from(latest.as('l'))
      .first('l.id', 'l.status', 'l.finished_at', older.as('older'));
    if (!row) return {};
    const facts: PromotionFacts = {
      latest: {
        deployId: row.id,
        status: row.status,
        finishedAt: new Date(iso(row.finished_at)!),
      },
    };
    if (row.older) {
      const space = row.older.indexOf(' ');
      facts.replacedByOlder = {
        deployId: row.older.slice(0, space),
        artifactVersion: row.older.slice(space + 1),
      };
    }
    return facts;
  }
}
