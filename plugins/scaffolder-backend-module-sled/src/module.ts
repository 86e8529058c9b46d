import { createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { sledServiceRef } from '@internal/plugin-sled-node';
import { createSledDeployAction } from './actions/deploy';
import { createSledReleaseAction } from './actions/release';

/**
 * Adds `sled:deploy` and `sled:release` to the scaffolder. Both call SLeD's
 * REST API as the user who started the task, so SLeD's permissions decide
 * exactly as for that user's own requests.
 *
 * @public
 */
export const scaffolderModuleSled = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'sled',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        sled: sledServiceRef,
      },
      async init({ scaffolder, sled }) {
        scaffolder.addActions(
          createSledDeployAction({ sled }),
          createSledReleaseAction({ sled }),
        );
      },
    });
  },
});
