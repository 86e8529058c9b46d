import { ConflictError } from '@backstage/errors';
import { Approval } from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import { ApprovalStore } from './ApprovalStore';
import { isUniqueViolation } from './isUniqueViolation';
import { iso, orUndefined } from './rowValues';

/** The Knex implementation of {@link ApprovalStore} (`sled_deploy_approvals`). */
export class DatabaseApprovalStore implements ApprovalStore {
  static create(db: Knex): DatabaseApprovalStore {
    return new DatabaseApprovalStore(db);
  }

  private constructor(private readonly db: Knex) {}

  async addDecision(
    deployId: string,
    decision: Omit<Approval, 'createdAt'>,
  ): Promise<Approval> {
    const createdAt = new Date().toISOString();
    try {
      await this.db('sled_deploy_approvals').insert({
        deploy_id: deployId,
        approver: decision.approver,
        decision: decision.decision,
        comment: decision.comment ?? null,
        created_at: createdAt,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          `${decision.approver} already decided on deploy ${deployId}`,
        );
      }
      throw error;
    }
    return { ...decision, createdAt };
  }

  async listDecisions(deployId: string): Promise<Approval[]> {
    const rows = await this.db('sled_deploy_approvals')
      .where({ deploy_id: deployId })
      .orderBy('created_at', 'asc');
    return rows.map(row => ({
      approver: row.approver,
      decision: row.decision,
      comment: orUndefined(row.comment),
      createdAt: iso(row.created_at)!,
    }));
  }

  async countApprovals(deployId: string): Promise<number> {
    const [{ count }] = await this.db('sled_deploy_approvals')
      .where({ deploy_id: deployId, decision: 'approve' })
      .count({ count: '*' });
    return Number(count);
  }
}
