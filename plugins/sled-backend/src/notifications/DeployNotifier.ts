import { parseEntityRef } from '@backstage/catalog-model';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { Deploy, DeployStatus } from '@internal/plugin-sled-common';
import { deployLink } from './deployLink';
import { SledNotifications } from './SledNotifications';

/** The topic of a requester's news about their own deploys (mutable in the notification settings). */
export const DEPLOY_TOPIC = 'sled-deploys';
/** The topic of a team's news about an environment marked `notify: true`. */
export const environmentTopic = (environment: string) => `sled-${environment}`;

type NotificationSeverity = NonNullable<
  NotificationSendOptions['payload']['severity']
>;

/** How loudly each end is told: failures and lost deploys ask for attention. */
const SEVERITY: Partial<Record<DeployStatus, NotificationSeverity>> = {
  succeeded: 'normal',
  skipped: 'low',
  cancelled: 'normal',
  failed: 'high',
  lost: 'high',
};

const WHAT: Partial<Record<DeployStatus, string>> = {
  succeeded: 'succeeded',
  skipped: 'skipped (already running there)',
  cancelled: 'was cancelled',
  failed: 'failed',
  lost: 'was lost (its outcome is unknown)',
};

/**
 * Tells people a deploy ended: its requester always (succeeded, skipped,
 * failed, cancelled, lost), and the owning group of the service when it
 * reached, or failed in, an environment marked `notify: true`. Approval
 * news (rejected, expired) is the ApprovalNotifier's. Listens to the
 * deploy changes this backend writes, so each end is told once, by the
 * backend that wrote it.
 */
export class DeployNotifier {
  constructor(
    private readonly options: {
      sender: SledNotifications;
      /** environments whose news reaches the owning team */
      notifyEnvironments: Set<string>;
    },
  ) {}

  /** A deploy's change, as DeployChanges tells it. */
  async changed(deploy: Deploy): Promise<void> {
    const severity = SEVERITY[deploy.status];
    if (!severity) return;
    const { sender, notifyEnvironments } = this.options;
    const name = parseEntityRef(deploy.entityRef).name;
    const what = WHAT[deploy.status]!;
    const title = `${deploy.dryRun ? 'Dry run of ' : ''}${
      deploy.artifactVersion
    } of ${name} to ${deploy.environment} ${what}`;
    const description =
      deploy.message ??
      `${deploy.requestedBy} deployed ${deploy.artifactVersion} to ${
        deploy.environment
      }${deploy.reason ? `: ${deploy.reason}` : ''}`;
    const link = deployLink(deploy);
    await sender.send([deploy.requestedBy], {
      title,
      description,
      link,
      severity,
      topic: DEPLOY_TOPIC,
    });
    const teamNews =
      notifyEnvironments.has(deploy.environment) &&
      !deploy.dryRun &&
      ['succeeded', 'failed', 'lost'].includes(deploy.status);
    if (teamNews && deploy.ownerRef) {
      await sender.send(
        [deploy.ownerRef],
        {
          title,
          description: `${description} (requested by ${deploy.requestedBy})`,
          link,
          severity,
          topic: environmentTopic(deploy.environment),
        },
        // the requester heard already
        { exclude: deploy.requestedBy },
      );
    }
  }
}
