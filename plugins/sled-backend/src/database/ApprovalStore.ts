import { Approval } from '@internal/plugin-sled-common';

/** The approval decisions on deploys awaiting approval. */
export interface ApprovalStore {
  /** Records one approver's decision; a second decision of the same approver is a ConflictError. */
  addDecision(
    deployId: string,
    decision: Omit<Approval, 'createdAt'>,
  ): Promise<Approval>;
  /** The decisions on a deploy, oldest first. */
  listDecisions(deployId: string): Promise<Approval[]>;
  /** Distinct approvers who approved the deploy. */
  countApprovals(deployId: string): Promise<number>;
}
