import { parseEntityRef } from '@backstage/catalog-model';
import { ReleaseChange } from '../releases/ReleaseChanges';
import { entityLink } from './deployLink';
import { SledNotifications } from './SledNotifications';

/** The topic of release news (mutable in the notification settings). */
export const RELEASE_TOPIC = 'sled-releases';

/**
 * Tells a deploy group's owners, and the release's requester, that a
 * release ended: normal when it succeeded, high when it failed, with a
 * link to the group's Release tab.
 */
export class ReleaseNotifier {
  constructor(
    private readonly options: {
      sender: SledNotifications;
      /** the owning group of a deploy group (catalog), if any */
      ownerOf: (deployGroup: string) => Promise<string | undefined>;
    },
  ) {}

  async changed(change: ReleaseChange): Promise<void> {
    // rejected and expired releases are the ApprovalNotifier's news
    if (
      change.kind !== 'ended' ||
      change.status === 'rejected' ||
      change.status === 'expired'
    ) {
      return;
    }
    const owner = await this.options
      .ownerOf(change.deployGroup)
      .catch(() => undefined);
    const name = parseEntityRef(change.deployGroup).name;
    await this.options.sender.send([owner, change.requestedBy], {
      title: `${
        change.dryRun ? 'Dry run of the ' : 'The '
      }release of ${name} to ${change.environment} ${
        change.status === 'cancelled' ? 'was cancelled' : change.status
      }`,
      description:
        change.message ??
        `Every member of ${name} was released to ${change.environment}.`,
      link: entityLink(change.deployGroup, 'sled-release'),
      severity: change.status === 'failed' ? 'high' : 'normal',
      topic: RELEASE_TOPIC,
    });
  }
}
