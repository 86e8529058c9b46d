import { InputError } from '@backstage/errors';
import { EnvironmentConfig } from '@internal/plugin-sled-node';

/**
 * The configured environments (`sled.environments`), in their order, and
 * looking one up by name with an error that names the field.
 */
export class SledEnvironments {
  private readonly byName: Map<string, EnvironmentConfig>;

  constructor(readonly list: EnvironmentConfig[]) {
    this.byName = new Map(list.map(env => [env.name, env]));
  }

  /** The environment called `name`; a 400 naming `field` when there is none. */
  get(name: string, field = 'environment'): EnvironmentConfig {
    const env = this.byName.get(name);
    if (!env) {
      throw new InputError(
        `${field}: unknown environment '${name}'; configured: ${this.list
          .map(e => e.name)
          .join(', ')}`,
      );
    }
    return env;
  }

  /** The environment called `name`, if it is still configured. */
  find(name: string): EnvironmentConfig | undefined {
    return this.byName.get(name);
  }
}
