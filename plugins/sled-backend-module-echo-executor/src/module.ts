import { createBackendModule } from '@backstage/backend-plugin-api';
import { sledExecutorsExtensionPoint } from '@internal/plugin-sled-node';
import { EchoExecutor } from './EchoExecutor';
import { readEchoSettings } from './EchoSettings';

/**
 * Adds the `echo` executor to SLeD: environments with `executor: echo`.
 *
 * @public
 */
export const sledModuleEchoExecutor = createBackendModule({
  pluginId: 'sled',
  moduleId: 'echo-executor',
  register(env) {
    env.registerInit({
      deps: { executors: sledExecutorsExtensionPoint },
      async init({ executors }) {
        executors.addExecutor({
          kind: 'echo',
          readEnvironment: readEchoSettings,
          createExecutor: context => new EchoExecutor(context),
        });
      },
    });
  },
});
