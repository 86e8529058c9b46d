import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Deploy } from '@internal/plugin-sled-common';
import { NotificationService } from '@backstage/plugin-notifications-node';

/** The topic users mute in the notification settings to stop approval news. */
export const APPROVAL_TOPIC = 'sled-approvals';

/** Where a deploy is seen in the app: its service's Deploy tab. */
export function deployLink(deploy: Deploy): string {
  const ref = parseEntityRef(deploy.entityRef);
  return `/catalog/${ref.namespace}/${ref.kind.toLocaleLowerCase('en-US')}/${
    ref.name
  }/sled-deploy?deploy=${deploy.id}`;
}

/**
 * Tells people about approvals through Backstage notifications: approvers
 * when a deploy waits for them, the requester when it is approved,
 * rejected or expires. Best effort: a notification that cannot be sent is
 * logged and never fails the deploy.
 */
export class ApprovalNotifier {
  constructor(
    private readonly options: {
      notifications?: NotificationService;
      logger: LoggerService;
    },
  ) {}

  async awaiting(deploy: Deploy, approvers: string[], required: number) {
    await this.send(approvers, deploy.requestedBy, {
      title: `Approve ${deploy.artifactVersion} of ${
        parseEntityRef(deploy.entityRef).name
      } to ${deploy.environment}?`,
      description: `${deploy.requestedBy} asks to deploy ${
        deploy.artifactVersion
      } to ${deploy.environment}${
        deploy.reason ? `: ${deploy.reason}` : ''
      }. It needs ${required} approval${required === 1 ? '' : 's'}.`,
      link: deployLink(deploy),
      severity: deploy.environment === 'production' ? 'high' : 'normal',
      topic: APPROVAL_TOPIC,
    });
  }

  async decided(deploy: Deploy, what: string) {
    await this.send([deploy.requestedBy], undefined, {
      title: `${deploy.artifactVersion} of ${
        parseEntityRef(deploy.entityRef).name
      } to ${deploy.environment}: ${what}`,
      description: deploy.message ?? what,
      link: deployLink(deploy),
      severity: deploy.status === 'queued' ? 'normal' : 'high',
      topic: APPROVAL_TOPIC,
    });
  }

  private async send(
    recipients: string[],
    exclude: string | undefined,
    payload: {
      title: string;
      description: string;
      link: string;
      severity: 'high' | 'normal';
      topic: string;
    },
  ) {
    const entityRef = recipients.filter(r => !r.startsWith('service:'));
    if (!this.options.notifications || !entityRef.length) return;
    try {
      await this.options.notifications.send({
        recipients: {
          type: 'entity',
          entityRef,
          ...(exclude ? { excludeEntityRef: exclude } : {}),
        },
        payload,
      });
    } catch (error) {
      this.options.logger.warn(
        `Could not send the notification "${payload.title}": ${error}`,
      );
    }
  }
}
