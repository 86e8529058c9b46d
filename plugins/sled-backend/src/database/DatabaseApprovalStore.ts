import { ConflictError } from '@backstage/errors';
import { Approval } from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import { ApprovalStore } from './ApprovalStore';
import { isUniqueViolation } from './isUniqueViolation';
import { iso, orUndefined } from './rowValues';

/** Where the decisions on one kind of subject live. */
interface ApprovalTable {
  table: string;
  idColumn: string;
  /** the subject, in messages */
  noun: 'deploy' | 'release';
}

/**
 * The Knex implementation of {@link ApprovalStore}: of deploys
 * (`sled_deploy_approvals`) or of releases (`sled_release_approvals`).
 */
export class DatabaseApprovalStore implements ApprovalStore {
  /** The decisions on deploys. */
  static create(db: Knex): DatabaseApprovalStore {
    return new DatabaseApprovalStore(db, {
      table: 'sled_deploy_approvals',
      idColumn: 'deploy_id',
      noun: 'deploy',
    });
  }

  /** The decisions on releases, asked once for a whole release. */
  static forReleases(db: Knex): DatabaseApprovalStore {
    return new DatabaseApprovalStore(db, {
      table: 'sled_release_approvals',
      idColumn: 'release_id',
      noun: 'release',
    });
  }

  private constructor(
    private readonly db: Knex,
    private readonly subject: ApprovalTable,
  ) {}

  async addDecision(
    subjectId: string,
    decision: Omit<Approval, 'createdAt'>,
  ): Promise<Approval> {
    const { table, idColumn, noun } = this.subject;
    const createdAt = new Date().toISOString();
    try {
      await this.db(table).insert({
        [idColumn]: subjectId,
        approver: decision.approver,
        decision: decision.decision,
        comment: decision.comment ?? null,
        created_at: createdAt,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          `${decision.approver} already decided on ${noun} ${subjectId}`,
        );
      }
      throw error;
    }
    return { ...decision, createdAt };
  }

  async listDecisions(subjectId: string): Promise<Approval[]> {
    const rows = await this.db(this.subject.table)
      .where({ [this.subject.idColumn]: subjectId })
      .orderBy('created_at', 'asc');
    return rows.map(row => ({
      approver: row.approver,
      decision: row.decision,
      comment: orUndefined(row.comment),
      createdAt: iso(row.created_at)!,
    }));
  }

  async countApprovals(subjectId: string): Promise<number> {
    const [{ count }] = await this.db(this.subject.table)
      .where({ [this.subject.idColumn]: subjectId, decision: 'approve' })
      .count({ count: '*' });
    return Number(count);
  }
}
