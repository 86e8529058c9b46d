import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  search?: {
    collators?: {
      /**
       * The SLeD recent-deploys collator (documents of type `sled-deploy`).
       */
      sledDeploys?: {
        /**
         * How often the deploys are re-indexed. Default: every 10 minutes,
         * first run 10 seconds after start-up, 15 minutes timeout.
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /**
         * Deploys created within this many days are indexed. Default: 30.
         */
        windowDays?: number;
      };
    };
  };
}
