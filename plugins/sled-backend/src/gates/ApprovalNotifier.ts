import { parseEntityRef } from '@backstage/catalog-model';
import { Deploy, Release } from '@internal/plugin-sled-common';
import { deployLink, entityLink } from '../notifications/deployLink';
import { SledNotifications } from '../notifications/SledNotifications';

/** The topic users mute in the notification settings to stop approval news. */
export const APPROVAL_TOPIC = 'sled-approvals';

/**
 * Tells people about approvals through Backstage notifications: approvers
 * when a deploy waits for them, the requester when it is approved,
 * rejected or expires. Best effort: a notification that cannot be sent is
 * logged and never fails the deploy.
 */
export class ApprovalNotifier {
  constructor(private readonly sender: SledNotifications) {}

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

  async releaseAwaiting(
    release: Release,
    approvers: string[],
    required: number,
  ) {
    const name = parseEntityRef(release.deployGroup).name;
    await this.send(approvers, release.requestedBy, {
      title: `Approve the release of ${name} to ${release.environment}?`,
      description: `${release.requestedBy} asks to release ${
        release.members.length
      } service${
        release.members.length === 1 ? '' : 's'
      } of ${name} (${release.members
        .map(m => `${parseEntityRef(m.entityRef).name} ${m.artifactVersion}`)
        .join(', ')}) to ${release.environment}${
        release.reason ? `: ${release.reason}` : ''
      }. It needs ${required} approval${
        required === 1 ? '' : 's'
      }, once for the whole release.`,
      link: entityLink(release.deployGroup, 'sled-release'),
      severity: release.environment === 'production' ? 'high' : 'normal',
      topic: APPROVAL_TOPIC,
    });
  }

  async releaseDecided(release: Release, what: string) {
    await this.send([release.requestedBy], undefined, {
      title: `The release of ${parseEntityRef(release.deployGroup).name} to ${
        release.environment
      }: ${what}`,
      description: release.message ?? what,
      link: entityLink(release.deployGroup, 'sled-release'),
      severity: release.status === 'running' ? 'normal' : 'high',
      topic: APPROVAL_TOPIC,
    });
  }

  private async send(
    recipients: string[],
    exclude: string | undefined,
    payload: Parameters<SledNotifications['send']>[1],
  ) {
    await this.sender.send(recipients, payload, { exclude });
  }
}
