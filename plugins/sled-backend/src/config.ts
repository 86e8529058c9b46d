import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { EnvironmentConfig } from '@internal/plugin-sled-node';

export interface SledConfig {
  environments: EnvironmentConfig[];
  local: { timeoutSeconds: number };
  kubernetes: {
    defaultDeployerImage?: string;
    /** glob patterns of the deployer images an artifact may name (pinned by digest) */
    allowedImages: string[];
    /** the service account deploy Jobs run as (its Role decides what a deploy script may apply) */
    serviceAccountName?: string;
    ttlSecondsAfterFinished: number;
    activeDeadlineSeconds: number;
    /** container resources of deploy Jobs, e.g. `{ requests: { cpu: '100m' } }` */
    resources?: {
      requests?: Record<string, string>;
      limits?: Record<string, string>;
    };
    /** timeout of each Kubernetes API request */
    requestTimeoutSeconds: number;
    /** `timeoutSeconds` of each Job watch; SLeD re-watches after it */
    watchTimeoutSeconds: number;
  };
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** What the environments of `sled.environments` are checked against. */
export interface SledExtensions {
  executors: {
    /** Throws naming the key when no executor of the environment's kind is registered, or its own keys are wrong. */
    readEnvironment(
      environment: EnvironmentConfig,
      config: Config,
      path: string,
    ): void;
  };
  /** the names of the registered deploy checks */
  checks: string[];
}

/**
 * Reads and checks `sled.*`. Throws at start-up with the offending key named,
 * so a typo never becomes a runtime surprise.
 */
export function readSledConfig(config: Config): SledConfig {
  const envConfigs = config.getOptionalConfigArray('sled.environments') ?? [];
  const seen = new Set<string>();
  const environments = envConfigs.map((env, i) => {
    const key = `sled.environments[${i}]`;
    const name = env.getString('name');
    if (!NAME.test(name)) {
      throw new InputError(
        `Invalid config at ${key}.name: '${name}' must be lower-case letters, digits and dashes (at most 32)`,
      );
    }
    if (seen.has(name)) {
      throw new InputError(
        `Invalid config at ${key}.name: environment '${name}' is listed twice`,
      );
    }
    seen.add(name);
    const checks = env.getOptionalStringArray('checks') ?? [];
    const environment: EnvironmentConfig = {
      name,
      executor: env.getString('executor'),
      cluster: env.getOptionalString('cluster'),
      namespace: env.getOptionalString('namespace'),
      requireReason: env.getOptionalBoolean('requireReason') ?? false,
      checks: [...new Set(checks)],
    };
    return environment;
  });
  const positive = (key: string, fallback: number) => {
    const value = config.getOptionalNumber(key) ?? fallback;
    if (!Number.isInteger(value) || value <= 0) {
      throw new InputError(
        `Invalid config at ${key}: must be a positive integer`,
      );
    }
    return value;
  };
  return {
    environments,
    local: { timeoutSeconds: positive('sled.local.timeoutSeconds', 900) },
    kubernetes: {
      defaultDeployerImage: config.getOptionalString(
        'sled.kubernetes.defaultDeployerImage',
      ),
      allowedImages:
        config.getOptionalStringArray('sled.kubernetes.allowedImages') ?? [],
      serviceAccountName: readServiceAccountName(config),
      ttlSecondsAfterFinished: positive(
        'sled.kubernetes.ttlSecondsAfterFinished',
        604800,
      ),
      activeDeadlineSeconds: positive(
        'sled.kubernetes.activeDeadlineSeconds',
        900,
      ),
      resources: readResources(config),
      requestTimeoutSeconds: positive(
        'sled.kubernetes.requestTimeoutSeconds',
        10,
      ),
      watchTimeoutSeconds: positive('sled.kubernetes.watchTimeoutSeconds', 240),
    },
  };
}

/**
 * Checks each environment against what modules registered: its `executor:`
 * names a registered executor (which reads and checks its own keys), and
 * its `checks` name added deploy checks. Throws at start-up naming the key.
 */
export function checkEnvironmentExtensions(
  config: Config,
  environments: EnvironmentConfig[],
  extensions: SledExtensions,
) {
  const envConfigs = config.getOptionalConfigArray('sled.environments') ?? [];
  environments.forEach((environment, i) => {
    const key = `sled.environments[${i}]`;
    extensions.executors.readEnvironment(environment, envConfigs[i], key);
    environment.checks.forEach((check, j) => {
      if (!extensions.checks.includes(check)) {
        throw new InputError(
          `Invalid config at ${key}.checks[${j}]: unknown deploy check '${check}', registered: ${
            extensions.checks.join(', ') || 'none'
          }`,
        );
      }
    });
  });
}

function readResources(config: Config): SledConfig['kubernetes']['resources'] {
  const resources = config.getOptionalConfig('sled.kubernetes.resources');
  if (!resources) return undefined;
  const read = (key: 'requests' | 'limits') => {
    const block = resources.getOptionalConfig(key);
    if (!block) return undefined;
    const out: Record<string, string> = {};
    for (const name of block.keys()) {
      const value = block.get(name);
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new InputError(
          `Invalid config at sled.kubernetes.resources.${key}.${name}: must be a quantity such as '100m' or '256Mi'`,
        );
      }
      out[name] = String(value);
    }
    return out;
  };
  return { requests: read('requests'), limits: read('limits') };
}

/** A DNS subdomain name, as Kubernetes wants a service account's. */
function readServiceAccountName(config: Config): string | undefined {
  const key = 'sled.kubernetes.serviceAccountName';
  const name = config.getOptionalString(key);
  if (
    name !== undefined &&
    !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(
      name,
    )
  ) {
    throw new InputError(
      `Invalid config at ${key}: '${name}' must be a lower-case DNS name, e.g. sled-deployer`,
    );
  }
  return name;
}
