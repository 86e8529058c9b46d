import { LoggerService } from '@backstage/backend-plugin-api';
import {
  NotificationService,
  NotificationSendOptions,
} from '@backstage/plugin-notifications-node';

/** What sled tells people: a Backstage notification's payload. */
export type SledNotificationPayload = NotificationSendOptions['payload'] & {
  link: string;
  topic: string;
};

/**
 * Sends sled's Backstage notifications, best effort: one that cannot be sent
 * is logged and never fails what it tells about. Recipients are catalog
 * entity refs (a group reaches its members); service principals (CI tokens)
 * are nobody to tell. Users mute a `topic` in the notification settings.
 */
export class SledNotifications {
  constructor(
    private readonly options: {
      notifications?: NotificationService;
      logger: LoggerService;
    },
  ) {}

  async send(
    recipients: Array<string | undefined>,
    payload: SledNotificationPayload,
    options: { exclude?: string } = {},
  ): Promise<void> {
    const entityRef = [
      ...new Set(
        recipients.filter(
          (r): r is string => Boolean(r) && !r!.startsWith('service:'),
        ),
      ),
    ];
    if (!this.options.notifications || !entityRef.length) return;
    const exclude = options.exclude?.startsWith('service:')
      ? undefined
      : options.exclude;
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
