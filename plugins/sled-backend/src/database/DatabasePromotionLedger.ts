import { Knex } from 'knex';
import { PromotionFacts, PromotionLedger } from './PromotionLedger';
import { iso } from './rowValues';

/**
 * The Knex implementation of {@link PromotionLedger}: two indexed reads
 * (`sled_deploys_target_artifact_seq_idx`, then a short range of the
 * target's deploys after it), whatever the size of the ledger.
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
    const target = {
      entity_ref: query.entityRef,
      environment: query.environment,
    };
    const latest = await this.db('sled_deploys')
      .where({ ...target, artifact_id: query.artifactId, dry_run: false })
      .whereIn('status', ['succeeded', 'failed', 'lost'])
      .orderBy('seq', 'desc')
      .first('id', 'seq', 'status', 'finished_at');
    if (!latest) return {};
    const facts: PromotionFacts = {
      latest: {
        deployId: latest.id,
        status: latest.status,
        finishedAt: new Date(iso(latest.finished_at)!),
      },
    };
    if (latest.status !== 'succeeded') return facts;
    const older = await this.db('sled_deploys as d')
      .join('sled_artifacts as a', 'a.id', 'd.artifact_id')
      .where({ 'd.entity_ref': query.entityRef })
      .where({ 'd.environment': query.environment })
      .where('d.seq', '>', latest.seq)
      .where('d.status', 'succeeded')
      .where('d.dry_run', false)
      .where(
        'a.seq',
        '<',
        this.db('sled_artifacts').select('seq').where('id', query.artifactId),
      )
      .orderBy('d.seq', 'desc')
      .first('d.id', 'd.artifact_version');
    if (older) {
      facts.replacedByOlder = {
        deployId: older.id,
        artifactVersion: older.artifact_version,
      };
    }
    return facts;
  }
}
