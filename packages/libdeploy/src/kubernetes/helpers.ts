/**
 * High-level typed resources with sane defaults, built on kubernetes-models:
 * a stateless service (Deployment + Service + PodDisruptionBudget), a
 * stateful service (StatefulSet + headless Service + volume claims +
 * PodDisruptionBudget), a cron job, config maps and secret references.
 *
 * Defaults: the artifact's image (pinned by digest: validation refuses a
 * tag), labels naming the service, environment and version, resource
 * requests, HTTP readiness and liveness probes, a rolling update that keeps
 * every replica serving, a disruption budget, no privilege escalation.
 */
import { createHash } from 'crypto';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVarSource } from 'kubernetes-models/v1/EnvVarSource';
import type { IEnvFromSource } from 'kubernetes-models/v1/EnvFromSource';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { DeployContract } from '../contract.ts';
import { podLabels, selectorLabels } from './labels.ts';

/**
 * An environment variable's value: text, or a reference ({@link secretRef},
 * {@link configMapRef}).
 *
 * @public
 */
export type EnvValue = string | IEnvVarSource;

/**
 * Everything of a config map or secret as environment variables: a
 * {@link ConfigMap} of the plan, or {@link secretEnv}.
 *
 * @public
 */
export type EnvFrom = ConfigMap | IEnvFromSource;

/** @public */
export interface ResourceOptions {
  /** requested CPU; default `100m` */
  cpu?: string;
  /** requested memory; default `128Mi` */
  memory?: string;
  /** limits; default memory `256Mi`, no CPU limit (throttling hurts latency more than it saves) */
  limits?: { cpu?: string; memory?: string };
}

/** @public */
export interface ProbeOptions {
  /** the HTTP path both probes GET; default `/healthz` */
  path?: string;
  /** a separate path for liveness */
  livenessPath?: string;
  /** seconds before the first liveness probe; default 10 */
  initialDelaySeconds?: number;
}

/** What every helper's container takes. @public */
export interface ContainerOptions {
  /** default: the artifact's image (`SLED_ARTIFACT_IMAGE`) */
  image?: string;
  command?: string[];
  args?: string[];
  env?: Record<string, EnvValue>;
  envFrom?: EnvFrom[];
  resources?: ResourceOptions;
  /** extra labels on the objects and pods */
  labels?: Record<string, string>;
  /** annotations on the pods */
  podAnnotations?: Record<string, string>;
  /** the pods' service account; default none, and no API token mounted */
  serviceAccountName?: string;
}

/** @public */
export interface StatelessServiceOptions extends ContainerOptions {
  /** default: the service's name from the contract */
  name?: string;
  /** the port the container listens on (named `http`); default 8080 */
  port?: number;
  /** the Service's port; default 80 */
  servicePort?: number;
  /** default 2 */
  replicas?: number;
  /** HTTP probes on `port`; `false` for none */
  probes?: ProbeOptions | false;
  /** default `{ maxUnavailable: 1 }` with 2 or more replicas; `false` for none */
  disruptionBudget?:
    | { maxUnavailable?: number | string; minAvailable?: number | string }
    | false;
}

/** @public */
export interface VolumeClaimOptions {
  /** the claim's name (and the volume's) */
  name: string;
  mountPath: string;
  /** e.g. `10Gi` */
  size: string;
  /** default: the cluster's default storage class */
  storageClassName?: string;
  /** default `['ReadWriteOnce']` */
  accessModes?: Array<
    'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod'
  >;
}

/** @public */
export interface StatefulServiceOptions extends StatelessServiceOptions {
  /** one claim per pod for each (kept when the StatefulSet is scaled down or deleted) */
  volumes: VolumeClaimOptions[];
  /** default 3 */
  replicas?: number;
}

/** @public */
export interface CronJobOptions extends ContainerOptions {
  name: string;
  /** cron syntax, e.g. `0 3 * * *` */
  schedule: string;
  /** IANA time zone of the schedule; default the cluster's (UTC) */
  timeZone?: string;
  /** default `Forbid`: a run does not start while the last one runs */
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  /** retries of a failed run; default 1 */
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  suspend?: boolean;
}

const DEFAULT_PORT = 8080;

/** A reference to one key of a secret, for `env`. @public */
export function secretRef(name: string, key: string): IEnvVarSource {
  return { secretKeyRef: { name, key } };
}

/** A reference to one key of a config map, for `env`. @public */
export function configMapRef(name: string, key: string): IEnvVarSource {
  return { configMapKeyRef: { name, key } };
}

/** Every key of a secret as environment variables, for `envFrom`. @public */
export function secretEnv(name: string): IEnvFromSource {
  return { secretRef: { name } };
}

/**
 * A config map. Pods whose `envFrom` names it roll when its data changes.
 *
 * @public
 */
export function configMap(
  contract: DeployContract,
  name: string,
  data: Record<string, string>,
  options: { labels?: Record<string, string> } = {},
): ConfigMap {
  void contract; // labels of every object are added when the plan is applied
  return new ConfigMap({
    metadata: { name, ...(options.labels ? { labels: options.labels } : {}) },
    data,
  });
}

function envVars(env: Record<string, EnvValue> | undefined) {
  if (!env) return undefined;
  return Object.entries(env).map(([name, value]) =>
    typeof value === 'string' ? { name, value } : { name, valueFrom: value },
  );
}

function envFromSources(envFrom: EnvFrom[] | undefined) {
  if (!envFrom?.length) return undefined;
  return envFrom.map(source =>
    source instanceof ConfigMap
      ? { configMapRef: { name: source.metadata?.name ?? '' } }
      : source,
  );
}

/** A hash of the config maps the pods read: in a pod annotation, a change rolls them. */
function configHash(envFrom: EnvFrom[] | undefined): string | undefined {
  const maps = (envFrom ?? []).filter(
    (s): s is ConfigMap => s instanceof ConfigMap,
  );
  if (!maps.length) return undefined;
  const hash = createHash('sha256');
  for (const m of maps) {
    hash.update(JSON.stringify([m.metadata?.name, m.data, m.binaryData]));
  }
  return hash.digest('hex').slice(0, 16);
}

function resources(options: ResourceOptions | undefined) {
  const limits: Record<string, string> = {
    memory: options?.limits?.memory ?? '256Mi',
  };
  if (options?.limits?.cpu) limits.cpu = options.limits.cpu;
  return {
    requests: {
      cpu: options?.cpu ?? '100m',
      memory: options?.memory ?? '128Mi',
    },
    limits,
  };
}

function probes(
  options: ProbeOptions | false | undefined,
  port: number | undefined,
): { readinessProbe?: IProbe; livenessProbe?: IProbe } {
  if (options === false || port === undefined) return {};
  const path = options?.path ?? '/healthz';
  return {
    readinessProbe: {
      httpGet: { path, port: 'http' },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: options?.livenessPath ?? path, port: 'http' },
      initialDelaySeconds: options?.initialDelaySeconds ?? 10,
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
  };
}

function container(
  contract: DeployContract,
  name: string,
  options: ContainerOptions & { probes?: ProbeOptions | false },
  port: number | undefined,
  volumeMounts?: IVolumeMount[],
): IContainer {
  return {
    name,
    // undefined when the artifact has none: validation names the field
    image: options.image ?? contract.artifact.image,
    ...(options.command ? { command: options.command } : {}),
    ...(options.args ? { args: options.args } : {}),
    ...(port !== undefined
      ? { ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }] }
      : {}),
    env: envVars(options.env),
    envFrom: envFromSources(options.envFrom),
    resources: resources(options.resources),
    ...probes(options.probes, port),
    ...(volumeMounts?.length ? { volumeMounts } : {}),
    securityContext: { allowPrivilegeEscalation: false },
  } as IContainer;
}

function podTemplate(
  contract: DeployContract,
  name: string,
  options: ContainerOptions,
  spec: IPodSpec,
) {
  const hash = configHash(options.envFrom);
  const annotations = {
    ...(hash ? { 'sled.dev/config-hash': hash } : {}),
    ...options.podAnnotations,
  };
  return {
    metadata: {
      labels: { ...podLabels(contract, name), ...options.labels },
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: {
      ...(options.serviceAccountName
        ? { serviceAccountName: options.serviceAccountName }
        : { automountServiceAccountToken: false }),
      ...spec,
    },
  };
}

function disruptionBudget(
  contract: DeployContract,
  name: string,
  replicas: number,
  options: StatelessServiceOptions['disruptionBudget'],
  labels: Record<string, string> | undefined,
): PodDisruptionBudget | undefined {
  if (options === false || (options === undefined && replicas < 2)) {
    return undefined;
  }
  const budget =
    options &&
    (options.minAvailable !== undefined || options.maxUnavailable !== undefined)
      ? options
      : { maxUnavailable: 1 };
  return new PodDisruptionBudget({
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: {
      ...budget,
      selector: { matchLabels: selectorLabels(contract, name) },
    },
  });
}

/**
 * A stateless service: a Deployment, a Service in front of it, and a
 * PodDisruptionBudget (with two or more replicas).
 *
 * @public
 */
export function statelessService(
  contract: DeployContract,
  options: StatelessServiceOptions = {},
): Array<Deployment | Service | PodDisruptionBudget> {
  const name = options.name ?? contract.serviceName;
  const port = options.port ?? DEFAULT_PORT;
  const replicas = options.replicas ?? 2;
  const labels = options.labels;
  const deployment = new Deployment({
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: {
      replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(contract, name) },
      // a new pod is ready before an old one goes: every replica keeps serving
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
      },
      template: podTemplate(contract, name, options, {
        containers: [container(contract, name, options, port)],
        terminationGracePeriodSeconds: 30,
      }),
    },
  });
  const service = new Service({
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(contract, name),
      ports: [
        {
          name: 'http',
          port: options.servicePort ?? 80,
          targetPort: 'http',
          protocol: 'TCP',
        },
      ],
    },
  });
  const budget = disruptionBudget(
    contract,
    name,
    replicas,
    options.disruptionBudget,
    labels,
  );
  return budget ? [deployment, service, budget] : [deployment, service];
}

/**
 * A stateful service: a StatefulSet with a volume claim per pod for each of
 * `volumes`, the headless Service that gives its pods stable names
 * (`<name>-0.<name>`), and a PodDisruptionBudget. Claims are kept when the
 * StatefulSet is scaled down or deleted: data is never pruned.
 *
 * @public
 */
export function statefulService(
  contract: DeployContract,
  options: StatefulServiceOptions,
): Array<StatefulSet | Service | PodDisruptionBudget> {
  const name = options.name ?? contract.serviceName;
  const port = options.port ?? DEFAULT_PORT;
  const replicas = options.replicas ?? 3;
  const labels = options.labels;
  const statefulSet = new StatefulSet({
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: {
      replicas,
      serviceName: name,
      revisionHistoryLimit: 5,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate' },
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: 'Retain',
        whenScaled: 'Retain',
      },
      selector: { matchLabels: selectorLabels(contract, name) },
      template: podTemplate(contract, name, options, {
        containers: [
          container(
            contract,
            name,
            options,
            port,
            options.volumes.map(v => ({
              name: v.name,
              mountPath: v.mountPath,
            })),
          ),
        ],
        terminationGracePeriodSeconds: 30,
      }),
      volumeClaimTemplates: options.volumes.map(v => ({
        metadata: { name: v.name },
        spec: {
          accessModes: v.accessModes ?? ['ReadWriteOnce'],
          ...(v.storageClassName
            ? { storageClassName: v.storageClassName }
            : {}),
          resources: { requests: { storage: v.size } },
        },
      })),
    },
  });
  const headless = new Service({
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: {
      clusterIP: 'None',
      selector: selectorLabels(contract, name),
      ports: [
        {
          name: 'http',
          port: options.servicePort ?? port,
          targetPort: 'http',
          protocol: 'TCP',
        },
      ],
    },
  });
  const budget = disruptionBudget(
    contract,
    name,
    replicas,
    options.disruptionBudget,
    labels,
  );
  return budget ? [statefulSet, headless, budget] : [statefulSet, headless];
}

/**
 * A cron job running the artifact's image (by default) with `command`.
 *
 * @public
 */
export function cronJob(
  contract: DeployContract,
  options: CronJobOptions,
): CronJob {
  const { name } = options;
  return new CronJob({
    metadata: {
      name,
      ...(options.labels ? { labels: options.labels } : {}),
    },
    spec: {
      schedule: options.schedule,
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      concurrencyPolicy: options.concurrencyPolicy ?? 'Forbid',
      ...(options.suspend !== undefined ? { suspend: options.suspend } : {}),
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: options.backoffLimit ?? 1,
          ...(options.activeDeadlineSeconds
            ? { activeDeadlineSeconds: options.activeDeadlineSeconds }
            : {}),
          template: podTemplate(contract, name, options, {
            restartPolicy: 'Never',
            containers: [
              container(
                contract,
                name,
                { ...options, probes: false },
                undefined,
              ),
            ],
          }),
        },
      },
    },
  });
}

/**
 * The helpers with the contract filled in, as a deploy script's `k8s`.
 *
 * @public
 */
export interface KubernetesHelpers {
  statelessService(
    options?: StatelessServiceOptions,
  ): Array<Deployment | Service | PodDisruptionBudget>;
  statefulService(
    options: StatefulServiceOptions,
  ): Array<StatefulSet | Service | PodDisruptionBudget>;
  cronJob(options: CronJobOptions): CronJob;
  configMap(
    name: string,
    data: Record<string, string>,
    options?: { labels?: Record<string, string> },
  ): ConfigMap;
  secretRef(name: string, key: string): IEnvVarSource;
  configMapRef(name: string, key: string): IEnvVarSource;
  secretEnv(name: string): IEnvFromSource;
}

/** @public */
export function kubernetesHelpers(contract: DeployContract): KubernetesHelpers {
  return {
    statelessService: options => statelessService(contract, options),
    statefulService: options => statefulService(contract, options),
    cronJob: options => cronJob(contract, options),
    configMap: (name, data, options) =>
      configMap(contract, name, data, options),
    secretRef,
    configMapRef,
    secretEnv,
  };
}
