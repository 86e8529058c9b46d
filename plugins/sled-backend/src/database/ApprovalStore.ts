import { Approval } from '@internal/plugin-sled-common';

/** The approval decisions on deploys (or releases) awaiting approval, by the subject's id. */
export interface ApprovalStore {
  /** Records one approver's decision; a second decision of the same approver is a ConflictError. */
  addDecision(
    subjectId: string,
    decision: Omit<Approval, 'createdAt'>,
  ): Promise<Approval>;
  /** The decisions on a subject, oldest first. */
  listDecisions(subjectId: string): Promise<Approval[]>;
  /** Distinct approvers who approved the subject. */
  countApprovals(subjectId: string): Promise<number>;
}
