import { Approval, ApprovalList } from '@internal/plugin-sled-common';
import { DeployGates } from './DeployGates';

/** Who decides: their entity ref and the refs they own through (themselves, their groups). */
export interface Approver {
  userEntityRef: string;
  ownershipEntityRefs: string[];
  /** sled.deploy.approve on the subject's target(s) */
  permitted: boolean;
}

/** What approvals are asked for: a deploy, or a whole release. */
export interface ApprovalSubject {
  kind: 'deploy' | 'release';
  id: string;
  environment: string;
  status: string;
  requestedBy: string;
  /** whom `owners` names: the service's owner, or the deploy group's */
  ownerRef?: string;
}

const capitalized = (kind: string) => kind[0].toUpperCase() + kind.slice(1);

/**
 * Who may approve what, by an environment's `approvals` config: approvers
 * are the environment's (`owners` is the subject's owning group) and must
 * hold sled.deploy.approve; the requester approves their own request only
 * where the environment allows it; nobody decides twice. The same rules for
 * deploys and for releases, which ask once for all their members.
 */
export class ApprovalRules {
  constructor(private readonly gates: Pick<DeployGates, 'configOf'>) {}

  /** The environment's approvals config, when it asks for approvals. */
  configOf(subject: Pick<ApprovalSubject, 'environment'>) {
    return this.gates.configOf(subject.environment).approvals;
  }

  /**
   * The decisions on a subject as the caller sees them: how many are
   * required, when they expire, and whether the caller may decide (and if
   * not, why).
   */
  list(
    subject: ApprovalSubject,
    items: Approval[],
    caller: Approver | undefined,
    expiresAt: string | undefined,
  ): ApprovalList {
    const refusal = caller
      ? this.refusal(
          subject,
          caller,
          items.map(i => i.approver),
        )
      : 'not signed in as a user';
    return {
      required: this.configOf(subject)?.required ?? 0,
      items,
      ...(expiresAt ? { expiresAt } : {}),
      canDecide: !refusal,
      ...(refusal ? { refusal } : {}),
    };
  }

  /** Why the caller may not decide now, or undefined. */
  refusal(
    subject: ApprovalSubject,
    caller: Approver,
    decidedBy: string[],
  ): string | undefined {
    const { kind, id, environment } = subject;
    if (subject.status !== 'awaiting_approval') {
      return `${capitalized(kind)} ${id} is not awaiting approval: it is ${
        subject.status
      }`;
    }
    const config = this.configOf(subject);
    if (!config) {
      return `${environment} does not require approvals`;
    }
    if (!caller.permitted || !this.isApprover(subject, caller)) {
      const who = config.approvers.length
        ? config.approvers
            .map(a => (a === 'owners' ? subject.ownerRef ?? 'owners' : a))
            .join(' or ')
        : 'those allowed to approve';
      return `Only ${who} may approve ${kind}s to ${environment}`;
    }
    if (
      caller.userEntityRef === subject.requestedBy &&
      !config.allowSelfApproval
    ) {
      return `You requested this ${kind}; ${environment} needs another person's approval`;
    }
    if (decidedBy.includes(caller.userEntityRef)) {
      return `You already decided on ${kind} ${id}`;
    }
    return undefined;
  }

  /** Whether the caller is among the environment's approvers of the subject. */
  isApprover(subject: ApprovalSubject, caller: Approver): boolean {
    const config = this.configOf(subject);
    if (!config) return false;
    if (!config.approvers.length) return true;
    return config.approvers.some(approver =>
      approver === 'owners'
        ? !!subject.ownerRef &&
          caller.ownershipEntityRefs.includes(subject.ownerRef)
        : caller.ownershipEntityRefs.includes(approver) ||
          caller.userEntityRef === approver,
    );
  }

  /** Whom to ask: the environment's approvers, `owners` resolved. */
  recipients(subject: ApprovalSubject): string[] {
    const approvers = this.configOf(subject)?.approvers ?? [];
    const refs = approvers.length ? approvers : ['owners'];
    return [
      ...new Set(
        refs
          .map(a => (a === 'owners' ? subject.ownerRef : a))
          .filter((r): r is string => !!r),
      ),
    ];
  }
}
