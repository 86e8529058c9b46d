import { ConflictError, NotAllowedError } from '@backstage/errors';
import { ApprovalList, Deploy } from '@internal/plugin-sled-common';
import { ApprovalStore } from '../database/ApprovalStore';
import { DeployQueue } from '../database/DeployQueue';
import { DeployChanges } from '../service/DeployChanges';
import { ApprovalNotifier } from './ApprovalNotifier';
import { ApprovalRules, ApprovalSubject, Approver } from './ApprovalRules';

/** A deploy, as what approvals are asked for. */
const subjectOf = (deploy: Deploy): ApprovalSubject => ({
  kind: 'deploy',
  id: deploy.id,
  environment: deploy.environment,
  status: deploy.status,
  requestedBy: deploy.requestedBy,
  ownerRef: deploy.ownerRef,
});

/**
 * Approvals of deploys to environments that require them: the n-th
 * distinct approval queues the deploy, a rejection ends it `rejected`, and
 * one whose approvals do not come in time ends `expired`. Approvers are the
 * environment's (`owners` is the service's owning group) and must hold
 * sled.deploy.approve; the requester approves their own deploy only where
 * the environment allows it. Every decision is kept.
 */
export class DeployApprovals {
  constructor(
    private readonly options: {
      queue: Pick<
        DeployQueue,
        'approve' | 'endAwaiting' | 'expireAwaiting' | 'getDeploy'
      >;
      approvals: ApprovalStore;
      /** the decisions on releases: a release's member deploys show its approvals */
      releaseApprovals?: ApprovalStore;
      rules: ApprovalRules;
      changes: DeployChanges;
      notifier: ApprovalNotifier;
      now?: () => Date;
    },
  ) {
    options.changes.subscribe(deploy => {
      if (deploy.status !== 'awaiting_approval') return;
      const config = this.configOf(deploy);
      if (!config) return;
      void options.notifier.awaiting(
        deploy,
        options.rules.recipients(subjectOf(deploy)),
        config.required,
      );
    });
  }

  async list(deploy: Deploy, caller?: Approver): Promise<ApprovalList> {
    const own = await this.options.approvals.listDecisions(deploy.id);
    // a release's member was approved once, with its release
    const items =
      !own.length && deploy.releaseId && this.options.releaseApprovals
        ? await this.options.releaseApprovals.listDecisions(deploy.releaseId)
        : own;
    return this.options.rules.list(
      subjectOf(deploy),
      items,
      caller,
      deploy.approvalExpiresAt,
    );
  }

  async decide(
    deploy: Deploy,
    caller: Approver,
    input: { decision: 'approve' | 'reject'; comment?: string },
  ): Promise<Deploy> {
    const { queue, approvals, changes, notifier } = this.options;
    const current = await this.expireIfDue(deploy);
    if (current.status !== 'awaiting_approval') {
      throw new ConflictError(
        `Deploy ${current.id} is not awaiting approval: it is ${current.status}`,
      );
    }
    const decided = await approvals.listDecisions(current.id);
    const { rules } = this.options;
    const refusal = rules.refusal(
      subjectOf(current),
      caller,
      decided.map(d => d.approver),
    );
    if (refusal) {
      throw caller.permitted && rules.isApprover(subjectOf(current), caller)
        ? new ConflictError(refusal)
        : new NotAllowedError(refusal);
    }
    const comment = input.comment?.trim() || undefined;
    await approvals.addDecision(current.id, {
      approver: caller.userEntityRef,
      decision: input.decision,
      comment,
    });
    changes.decided(current);
    if (input.decision === 'reject') {
      const rejected = await queue.endAwaiting(current.id, {
        status: 'rejected',
        message: `Rejected by ${caller.userEntityRef}${
          comment ? `: ${comment}` : ''
        }`,
      });
      if (rejected) {
        changes.notify(rejected);
        await notifier.decided(rejected, 'rejected');
        return rejected;
      }
      return (await queue.getDeploy(current.id))!;
    }
    const required = this.configOf(current)?.required ?? 1;
    const approved = await approvals.countApprovals(current.id);
    if (approved < required) return current;
    const queued = await queue.approve(current.id);
    if (queued) {
      // the dispatcher hears it and starts it when its target is free
      changes.notify(queued);
      await notifier.decided(
        queued,
        `approved by ${approved} approver${approved === 1 ? '' : 's'}`,
      );
      return queued;
    }
    return (await queue.getDeploy(current.id))!;
  }

  /** Ends `expired` what waited too long; a scheduled pass of every replica. */
  async expireDue(): Promise<Deploy[]> {
    const expired = await this.options.queue.expireAwaiting(this.now());
    for (const deploy of expired) {
      this.options.changes.notify(deploy);
      await this.options.notifier.decided(deploy, 'expired');
    }
    return expired;
  }

  private async expireIfDue(deploy: Deploy): Promise<Deploy> {
    if (
      deploy.status === 'awaiting_approval' &&
      deploy.approvalExpiresAt &&
      Date.parse(deploy.approvalExpiresAt) <= this.now().getTime()
    ) {
      await this.expireDue();
      return (await this.options.queue.getDeploy(deploy.id))!;
    }
    return deploy;
  }

  private configOf(deploy: Deploy) {
    return this.options.rules.configOf(deploy);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}
