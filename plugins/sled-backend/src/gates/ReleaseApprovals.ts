import { ConflictError, NotAllowedError } from '@backstage/errors';
import { ApprovalList, Release } from '@internal/plugin-sled-common';
import { ApprovalStore } from '../database/ApprovalStore';
import { ReleaseStore } from '../database/ReleaseStore';
import { ReleaseChanges } from '../releases/ReleaseChanges';
import { BackendRunner } from '../service/BackendRunner';
import { ApprovalNotifier } from './ApprovalNotifier';
import { ApprovalRules, ApprovalSubject, Approver } from './ApprovalRules';

/**
 * Approvals of releases into environments that require them, asked once for
 * the whole release: it waits `awaiting_approval`, the n-th distinct
 * approval starts it (its member deploys then run without asking again), a
 * rejection ends it `rejected`, and one whose approvals do not come in time
 * ends `expired`. `owners` is the deploy group's owner; the approver needs
 * sled.deploy.approve on every member (checked by the caller). The rules
 * are the deploys' ({@link ApprovalRules}).
 */
export class ReleaseApprovals {
  constructor(
    private readonly options: {
      releases: Pick<
        ReleaseStore,
        | 'getRelease'
        | 'approveRelease'
        | 'endAwaitingRelease'
        | 'expireAwaitingReleases'
      >;
      approvals: ApprovalStore;
      rules: ApprovalRules;
      changes: ReleaseChanges;
      notifier: ApprovalNotifier;
      /** this backend, which runs the releases approved here */
      runner: BackendRunner;
      /** the deploy group's owner (catalog), whom `owners` names */
      ownerOf: (deployGroup: string) => Promise<string | undefined>;
      now?: () => Date;
    },
  ) {
    options.changes.subscribe(change => {
      if (change.kind === 'created') void this.requested(change.release);
    });
  }

  /** Asks the approvers of a release just created awaiting approval. */
  private async requested(release: Release): Promise<void> {
    const config = this.options.rules.configOf(release);
    if (!config || release.status !== 'awaiting_approval') return;
    const subject = await this.subjectOf(release).catch(() => undefined);
    if (!subject) return;
    await this.options.notifier.releaseAwaiting(
      release,
      this.options.rules.recipients(subject),
      config.required,
    );
  }

  async list(release: Release, caller?: Approver): Promise<ApprovalList> {
    const items = await this.options.approvals.listDecisions(release.id);
    return this.options.rules.list(
      await this.subjectOf(release),
      items,
      caller,
      release.approvalExpiresAt,
    );
  }

  async decide(
    release: Release,
    caller: Approver,
    input: { decision: 'approve' | 'reject'; comment?: string },
  ): Promise<Release> {
    const { releases, approvals, rules, notifier } = this.options;
    const current = await this.expireIfDue(release);
    const subject = await this.subjectOf(current);
    if (current.status !== 'awaiting_approval') {
      throw new ConflictError(
        rules.refusal(subject, caller, []) ??
          `Release ${current.id} is not awaiting approval`,
      );
    }
    const decided = await approvals.listDecisions(current.id);
    const refusal = rules.refusal(
      subject,
      caller,
      decided.map(d => d.approver),
    );
    if (refusal) {
      throw caller.permitted && rules.isApprover(subject, caller)
        ? new ConflictError(refusal)
        : new NotAllowedError(refusal);
    }
    const comment = input.comment?.trim() || undefined;
    await approvals.addDecision(current.id, {
      approver: caller.userEntityRef,
      decision: input.decision,
      comment,
    });
    this.options.changes.notify({
      kind: 'decided',
      releaseId: current.id,
      deployGroup: current.deployGroup,
      environment: current.environment,
    });
    if (input.decision === 'reject') {
      const rejected = await releases.endAwaitingRelease(current.id, {
        status: 'rejected',
        message: `Rejected by ${caller.userEntityRef}${
          comment ? `: ${comment}` : ''
        }`,
      });
      if (!rejected) return (await releases.getRelease(current.id))!;
      this.ended(rejected);
      await notifier.releaseDecided(rejected, 'rejected');
      return rejected;
    }
    const required = rules.configOf(current)?.required ?? 1;
    const approved = await approvals.countApprovals(current.id);
    if (approved < required) return current;
    const running = await releases.approveRelease(
      current.id,
      this.options.runner.id,
    );
    if (!running) return (await releases.getRelease(current.id))!;
    // the release service hears it and runs the release on this backend
    this.options.changes.notify({
      kind: 'approved',
      releaseId: running.id,
      deployGroup: running.deployGroup,
      environment: running.environment,
      release: running,
    });
    await notifier.releaseDecided(
      running,
      `approved by ${approved} approver${approved === 1 ? '' : 's'}`,
    );
    return running;
  }

  /** Ends `expired` what waited too long; a scheduled pass of every replica. */
  async expireDue(): Promise<Release[]> {
    const expired = await this.options.releases.expireAwaitingReleases(
      this.now(),
    );
    for (const release of expired) {
      this.ended(release);
      await this.options.notifier.releaseDecided(release, 'expired');
    }
    return expired;
  }

  private async expireIfDue(release: Release): Promise<Release> {
    if (
      release.status === 'awaiting_approval' &&
      release.approvalExpiresAt &&
      Date.parse(release.approvalExpiresAt) <= this.now().getTime()
    ) {
      await this.expireDue();
      return (await this.options.releases.getRelease(release.id))!;
    }
    return release;
  }

  private ended(release: Release) {
    this.options.changes.notify({
      kind: 'ended',
      releaseId: release.id,
      deployGroup: release.deployGroup,
      environment: release.environment,
      status: release.status as 'rejected' | 'expired',
      message: release.message,
      requestedBy: release.requestedBy,
      dryRun: release.dryRun,
    });
  }

  private async subjectOf(release: Release): Promise<ApprovalSubject> {
    return {
      kind: 'release',
      id: release.id,
      environment: release.environment,
      status: release.status,
      requestedBy: release.requestedBy,
      ownerRef: await this.options.ownerOf(release.deployGroup),
    };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}
