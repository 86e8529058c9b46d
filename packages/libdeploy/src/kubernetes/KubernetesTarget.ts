/**
 * The `kubernetes` target: validates with the kinds' schemas, renders YAML,
 * and through @kubernetes/client-node applies server-side (field manager
 * `sled`), waits for rollouts, prunes by label and diffs for `--dry-run`.
 */
import { createHash } from 'crypto';
import { setTimeout as sleep } from 'timers/promises';
import type {
  DeployTarget,
  TargetContext,
  TargetSession,
  ValidationIssue,
} from '../target.ts';
import { ApiError, Cluster, clusterSource } from './cluster.ts';
import { unifiedDiff } from './diff.ts';
import {
  applyOrder,
  defaultPrunedKinds,
  keyOf,
  kindOf,
  refOf,
} from './kinds.ts';
import type { KubernetesObject } from './kinds.ts';
import {
  ANNOTATIONS,
  FIELD_MANAGER,
  LABELS,
  objectAnnotations,
  objectLabels,
  pruneSelector,
} from './labels.ts';
import { renderYaml, toYaml } from './render.ts';
import { eventLines, podProblem, rolloutState, selectorOf } from './rollout.ts';
import { validateObjects } from './validate.ts';

type Obj = Record<string, any>;

/**
 * A Kubernetes object: a kubernetes-models instance (`new Deployment({...})`,
 * what the helpers return) or the same as plain data.
 *
 * @public
 */
export type KubernetesResource = KubernetesObject | { toJSON(): unknown };

/** @public */
export interface KubernetesTargetOptions {
  /** where objects without `metadata.namespace` go; default the kubeconfig context's, else `default` */
  namespace?: string;
  /** how long a rollout may take; default 300 s */
  rolloutTimeoutSeconds?: number;
  /** between looks at a rollout; default 2000 ms */
  pollIntervalMs?: number;
  /** one API call's limit; default 30 s */
  requestTimeoutSeconds?: number;
  /** prune what this service applied before and no longer declares; default true */
  prune?: boolean;
  /** kinds prune also looks for (it always looks for the kinds the helpers make and those declared) */
  pruneKinds?: Array<{ apiVersion: string; kind: string }>;
}

function isKubernetesResource(value: unknown): value is KubernetesResource {
  if (!value || typeof value !== 'object') return false;
  const v = value as Obj;
  return typeof v.apiVersion === 'string' && typeof v.kind === 'string';
}

function toPlain(resource: KubernetesResource): KubernetesObject {
  const data =
    typeof (resource as Obj).toJSON === 'function'
      ? (resource as { toJSON(): unknown }).toJSON()
      : resource;
  // a copy without undefined values: what is sent and hashed is what is rendered
  return JSON.parse(JSON.stringify(data));
}

/** The hash of what is applied, without the deploy id (which changes every deploy). */
function appliedHash(obj: KubernetesObject): string {
  const copy = structuredClone(obj);
  delete copy.metadata?.labels?.[LABELS.deployId];
  delete copy.metadata?.annotations?.[ANNOTATIONS.appliedHash];
  return createHash('sha256')
    .update(JSON.stringify(copy))
    .digest('hex')
    .slice(0, 32);
}

/** What the server adds, left out of a diff. */
function forDiff(obj: Obj | undefined): string {
  if (!obj) return '';
  const copy = structuredClone(obj);
  delete copy.status;
  for (const key of [
    'managedFields',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'uid',
    'selfLink',
  ]) {
    delete copy.metadata?.[key];
  }
  return toYaml(copy);
}

const isManagedBySled = (obj: Obj) =>
  (obj.metadata?.managedFields ?? []).some(
    (f: Obj) => f.manager === FIELD_MANAGER,
  );

class KubernetesSession implements TargetSession<KubernetesObject> {
  readonly description: string;
  private readonly cluster: Cluster;
  private readonly context: TargetContext;
  private readonly options: KubernetesTargetOptions;
  /** what apply answered, by object: the generation the rollout must reach */
  private readonly applied = new Map<string, Obj>();

  constructor(
    cluster: Cluster,
    version: string,
    context: TargetContext,
    options: KubernetesTargetOptions,
  ) {
    this.cluster = cluster;
    this.context = context;
    this.options = options;
    this.description = `cluster ${cluster.server} (Kubernetes ${version}), namespace ${cluster.namespace}`;
  }

  private withNamespace(objects: KubernetesObject[]): KubernetesObject[] {
    return objects.map(o =>
      o.metadata?.namespace
        ? o
        : {
            ...o,
            metadata: { ...o.metadata, namespace: this.cluster.namespace },
          },
    );
  }

  /** The object to send: a replay of what runs keeps the deploy id of the deploy that made it. */
  private keepDeployId(obj: KubernetesObject, live: Obj | undefined) {
    const liveAnnotations = live?.metadata?.annotations ?? {};
    const liveId = live?.metadata?.labels?.[LABELS.deployId];
    if (
      liveId &&
      liveAnnotations[ANNOTATIONS.appliedHash] ===
        obj.metadata?.annotations?.[ANNOTATIONS.appliedHash]
    ) {
      return {
        ...obj,
        metadata: {
          ...obj.metadata,
          labels: { ...obj.metadata?.labels, [LABELS.deployId]: liveId },
        },
      };
    }
    return obj;
  }

  async serverValidate(resources: KubernetesObject[]) {
    const issues: ValidationIssue[] = [];
    for (const obj of applyOrder(this.withNamespace(resources))) {
      try {
        await this.cluster.apply(obj, { dryRun: true });
      } catch (error) {
        if (error instanceof ApiError && error.causes.length) {
          for (const cause of error.causes) {
            issues.push({
              resource: refOf(obj),
              field: cause.field ?? '',
              message: `${
                cause.message ?? cause.reason ?? 'invalid'
              } (API server)`,
              severity: 'error',
            });
          }
        } else {
          issues.push({
            resource: refOf(obj),
            field: '',
            message: `${(error as Error).message} (API server)`,
            severity: 'error',
          });
        }
      }
    }
    return issues;
  }

  async diff(resources: KubernetesObject[]) {
    const lines: string[] = [];
    for (const declared of applyOrder(this.withNamespace(resources))) {
      const live = await this.cluster.read(declared);
      const obj = this.keepDeployId(declared, live);
      const wouldBe = await this.cluster.apply(obj, { dryRun: true });
      const changes = unifiedDiff(forDiff(live), forDiff(wouldBe));
      if (!live) {
        lines.push(`diff: ${refOf(obj)}: would be created`);
      } else if (!changes.length) {
        lines.push(`diff: ${refOf(obj)}: unchanged`);
        continue;
      } else {
        lines.push(`diff: ${refOf(obj)}: would change`);
      }
      lines.push(...changes.map(l => `  ${l}`));
    }
    return lines;
  }

  async apply(resources: KubernetesObject[]) {
    for (const declared of applyOrder(this.withNamespace(resources))) {
      const live = await this.cluster.read(declared);
      const obj = this.keepDeployId(declared, live);
      const result = await this.cluster.apply(obj, { dryRun: false });
      this.applied.set(keyOf(obj), result);
      const before = live?.metadata?.resourceVersion;
      const after = result.metadata?.resourceVersion;
      let what: string;
      if (!live) what = 'created';
      else if (before === after) what = 'unchanged';
      else what = 'configured';
      this.context.log(`apply: ${refOf(obj)} ${what}`);
    }
  }

  async waitUntilReady(resources: KubernetesObject[]) {
    const workloads = this.withNamespace(resources).filter(
      o => kindOf(o)?.rollout,
    );
    if (!workloads.length) return;
    const timeoutMs = (this.options.rolloutTimeoutSeconds ?? 300) * 1000;
    const pollMs = this.options.pollIntervalMs ?? 2000;
    const deadline = Date.now() + timeoutMs;
    const pending = new Map(workloads.map(w => [keyOf(w), w]));
    let polls = 0;
    const said = new Map<string, string>();
    const summaries = new Map<string, string>();
    const problems = new Map<string, Set<string>>();
    const latestProblems = new Map<string, string[]>();
    const say = (key: string, line: string) => {
      if (said.get(key) === line) return;
      said.set(key, line);
      this.context.log(line);
    };

    for (;;) {
      for (const [key, workload] of [...pending]) {
        const live = await this.cluster.read(workload);
        if (!live) {
          throw new Error(
            `rollout: ${refOf(workload)} disappeared while rolling out`,
          );
        }
        const state = rolloutState(live);
        summaries.set(key, state.summary);
        say(key, `rollout: ${refOf(workload)}: ${state.summary}`);
        if (state.failed) {
          throw new Error(
            `rollout of ${refOf(workload)} failed: ${state.failed}`,
          );
        }
        if (state.ready) {
          pending.delete(key);
          continue;
        }
        latestProblems.set(key, await this.podProblems(live, key, problems));
      }
      if (!pending.size) return;
      if (Date.now() >= deadline) {
        const parts = [...pending].map(([key, w]) => {
          const pods = latestProblems.get(key) ?? [];
          return `${refOf(w)} (${summaries.get(key)})${
            pods.length ? `: ${pods.join('; ')}` : ''
          }`;
        });
        throw new Error(
          `rollout not ready after ${timeoutMs / 1000} s: ${parts.join('; ')}`,
        );
      }
      // quick looks first (most rollouts are quick), then every pollIntervalMs
      const delay = Math.min(pollMs, 100 * 2 ** polls++);
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    }
  }

  /** Pods of a workload that are not ready, with why; new reasons are logged once. */
  private async podProblems(
    workload: Obj,
    key: string,
    seen: Map<string, Set<string>>,
  ): Promise<string[]> {
    const selector = selectorOf(workload);
    if (!selector) return [];
    const pods = await this.cluster.list(
      'v1',
      'Pod',
      workload.metadata.namespace,
      {
        labelSelector: selector,
      },
    );
    const out: string[] = [];
    for (const pod of pods) {
      const problem = podProblem(pod);
      if (!problem) continue;
      const events = await this.cluster
        .list('v1', 'Event', workload.metadata.namespace, {
          fieldSelector: `involvedObject.name=${pod.metadata.name}`,
        })
        .then(eventLines)
        .catch(() => [] as string[]);
      const reasons = [problem, ...events.filter(e => !problem.includes(e))];
      const text = `pod ${pod.metadata.name}: ${reasons.join('; ')}`;
      out.push(text);
      const known = seen.get(key) ?? new Set();
      seen.set(key, known);
      if (!known.has(text)) {
        known.add(text);
        this.context.log(
          `rollout: ${refOf(workload as KubernetesObject)}: ${text}`,
        );
      }
    }
    return out;
  }

  async prune(resources: KubernetesObject[], options: { dryRun: boolean }) {
    if (this.options.prune === false) return [];
    const objects = this.withNamespace(resources);
    const declared = new Set(objects.map(keyOf));
    const kinds = new Map<string, { apiVersion: string; kind: string }>();
    for (const k of [
      ...defaultPrunedKinds(),
      ...(this.options.pruneKinds ?? []),
      ...objects.map(o => ({ apiVersion: o.apiVersion, kind: o.kind })),
    ]) {
      kinds.set(`${k.apiVersion} ${k.kind}`, k);
    }
    const namespaces = new Set(
      objects.map(o => o.metadata!.namespace!).concat(this.cluster.namespace),
    );
    const selector = pruneSelector(this.context.contract);
    const lines: string[] = [];
    for (const namespace of namespaces) {
      for (const { apiVersion, kind } of kinds.values()) {
        const items = await this.cluster.list(apiVersion, kind, namespace, {
          labelSelector: selector,
        });
        for (const item of items) {
          if (
            declared.has(keyOf(item as KubernetesObject)) ||
            !isManagedBySled(item)
          ) {
            continue;
          }
          const ref = refOf(item as KubernetesObject);
          if (options.dryRun) {
            lines.push(`prune: ${ref} would be deleted (no longer declared)`);
          } else {
            await this.cluster.delete(item as KubernetesObject);
            lines.push(`prune: ${ref} deleted (no longer declared)`);
          }
        }
      }
    }
    return lines;
  }
}

/**
 * The Kubernetes target.
 *
 * @public
 */
export function kubernetes(
  options: KubernetesTargetOptions = {},
): DeployTarget<KubernetesResource> {
  return {
    name: 'kubernetes',
    accepts: isKubernetesResource,
    prepare(resources: KubernetesResource[], context: TargetContext) {
      const labels = objectLabels(context.contract);
      const annotations = objectAnnotations(context.contract);
      return resources.map(resource => {
        const obj = toPlain(resource);
        obj.metadata = {
          ...obj.metadata,
          ...(options.namespace && !obj.metadata?.namespace
            ? { namespace: options.namespace }
            : {}),
          // libdeploy's labels win: prune finds a service's objects by them
          labels: { ...obj.metadata?.labels, ...labels },
          annotations: { ...obj.metadata?.annotations, ...annotations },
        };
        obj.metadata.annotations![ANNOTATIONS.appliedHash] = appliedHash(obj);
        return obj;
      });
    },
    validate(resources, context) {
      let unpinnedImage: 'ignore' | 'warning' | 'error' = 'error';
      if (context.allowUnpinnedImages) unpinnedImage = 'ignore';
      else if (context.mode === 'dry-run') unpinnedImage = 'warning';
      return validateObjects(resources as KubernetesObject[], {
        unpinnedImage,
      });
    },
    render(resources) {
      return renderYaml(resources as KubernetesObject[]);
    },
    async connect(context) {
      const source = clusterSource(context.env);
      if (source.kind === 'none') {
        return { unavailable: source.reason, configured: false };
      }
      if (source.kind === 'broken') {
        return { unavailable: source.reason, configured: true };
      }
      try {
        const { cluster, version } = await Cluster.connect(source, {
          namespace: options.namespace,
          timeoutMs: (options.requestTimeoutSeconds ?? 30) * 1000,
        });
        return {
          session: new KubernetesSession(
            cluster,
            version,
            context,
            options,
          ) as unknown as TargetSession<KubernetesResource>,
        };
      } catch (error) {
        return { unavailable: (error as Error).message, configured: true };
      }
    },
  };
}
