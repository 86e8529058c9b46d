/*
 * The fake Kubernetes API server's generic resources. TEST-ONLY.
 *
 * What a deploy script (libdeploy) needs of an API server, over the real REST
 * protocol: discovery (`/api/v1`, `/apis/apps/v1`, …, `/version`), core
 * Services, ConfigMaps, Secrets, ServiceAccounts, PersistentVolumeClaims and
 * Events, apps/v1 Deployments and StatefulSets, batch/v1 CronJobs and
 * policy/v1 PodDisruptionBudgets: get, list (label and field selectors),
 * create, delete, and server-side apply (PATCH `application/apply-patch+yaml`
 * with `fieldManager`, `force`, `dryRun=All`, managed fields, and no new
 * resourceVersion when an apply changes nothing). The API server's
 * validation answers 422 `Invalid` with causes naming the field. A small
 * controller rolls Deployments and StatefulSets out: it makes pods, which
 * become ready (or never do, with a waiting reason and a Warning event),
 * and writes the rollout status.
 */
import { createHash, randomUUID } from 'crypto';
import { ServerResponse } from 'http';
import { parse as parseYaml } from 'yaml';
import { matches, matchesFields, parseSelector } from './selectors';
import { kubernetesStatus } from './kubernetesStatus';

type Obj = Record<string, any>;

/** What the fake controller does with a rollout of a Deployment or StatefulSet. */
export interface RolloutBehaviour {
  /** until the new pods are ready; default 20 ms */
  readyAfterMs?: number;
  /** the new pods become ready once this resolves (and `readyAfterMs` passed) */
  readyWhen?: Promise<void>;
  /** the new pods never become ready: their container waits with this reason and a Warning event says so */
  failing?: {
    reason: string;
    message: string;
    event?: { reason: string; message: string };
  };
}

interface ResourceType {
  group: string;
  version: string;
  /** the plural in the path */
  resource: string;
  kind: string;
}

/** Kinds this store serves (Jobs and Pods are FakeKubernetesApi's own). */
const TYPES: ResourceType[] = [
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret' },
  { group: '', version: 'v1', resource: 'services', kind: 'Service' },
  {
    group: '',
    version: 'v1',
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
  },
  {
    group: '',
    version: 'v1',
    resource: 'persistentvolumeclaims',
    kind: 'PersistentVolumeClaim',
  },
  { group: '', version: 'v1', resource: 'events', kind: 'Event' },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment' },
  {
    group: 'apps',
    version: 'v1',
    resource: 'statefulsets',
    kind: 'StatefulSet',
  },
  { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob' },
  {
    group: 'policy',
    version: 'v1',
    resource: 'poddisruptionbudgets',
    kind: 'PodDisruptionBudget',
  },
];

/** Discovery also lists what FakeKubernetesApi serves itself. */
const DISCOVERY: ResourceType[] = [
  ...TYPES,
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod' },
  { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job' },
];

const apiVersionOf = (t: ResourceType) =>
  t.group ? `${t.group}/${t.version}` : t.version;

/** What the store needs of the server it lives in. */
export interface ResourceHost {
  /** the next resourceVersion (shared with Jobs and Pods) */
  nextResourceVersion(): string;
  /** the current resourceVersion, for lists */
  currentResourceVersion(): string;
  send(res: ServerResponse, code: number, body: Obj): void;
  /** adds or replaces a pod (ADDED / MODIFIED for pod watchers) */
  putPod(pod: Obj): void;
  removePod(namespace: string, name: string): void;
  podsOf(namespace: string, selector: Record<string, string>): Obj[];
  rollout(workload: Obj): RolloutBehaviour;
}

interface Entry {
  type: ResourceType;
  obj: Obj;
  /** the last configuration each field manager applied */
  applied: Record<string, Obj>;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

const isPlain = (v: unknown): v is Obj =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** JSON with sorted keys: equal objects, equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlain(value)) {
    return `{${Object.keys(value)
      .sort()
      .map(k => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const status = kubernetesStatus;

/** Removes what `manager` applied before and applies no more (maps recursively; lists are atomic). */
function removeDropped(target: Obj, before: Obj | undefined, now: Obj) {
  for (const key of Object.keys(before ?? {})) {
    if (!(key in now)) {
      delete target[key];
    } else if (
      isPlain(before![key]) &&
      isPlain(now[key]) &&
      isPlain(target[key])
    ) {
      removeDropped(target[key], before![key], now[key]);
    }
  }
}

function mergeInto(target: Obj, source: Obj) {
  for (const [key, value] of Object.entries(source)) {
    if (isPlain(value) && isPlain(target[key])) mergeInto(target[key], value);
    else target[key] = clone(value);
  }
}

/** Managed fields in the FieldsV1 shape (lists as atomic). */
function fieldsV1(value: Obj): Obj {
  const out: Obj = {};
  for (const [key, v] of Object.entries(value)) {
    out[`f:${key}`] = isPlain(v) ? fieldsV1(v) : {};
  }
  return out;
}

const shortHash = (value: unknown) =>
  createHash('sha256').update(canonical(value)).digest('hex').slice(0, 10);

const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** The API server's validation, for what a deploy script can get wrong. */
function validate(
  kind: string,
  obj: Obj,
): Array<{
  reason: string;
  message: string;
  field: string;
}> {
  const causes: Array<{ reason: string; message: string; field: string }> = [];
  const required = (field: string) =>
    causes.push({
      reason: 'FieldValueRequired',
      message: 'Required value',
      field,
    });
  const invalid = (field: string, value: unknown, why: string) =>
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
      field,
    });
  const port = (field: string, value: unknown) => {
    if (
      typeof value === 'number' &&
      (!Number.isInteger(value) || value < 1 || value > 65535)
    )
      invalid(field, value, 'must be between 1 and 65535, inclusive');
  };
  const name = obj.metadata?.name;
  if (!name) required('metadata.name');
  else if (
    kind === 'Service' ? !DNS_1035.test(name) : !DNS_SUBDOMAIN.test(name)
  )
    invalid(
      'metadata.name',
      name,
      kind === 'Service'
        ? "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"
        : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    );
  const podSpec = (spec: Obj | undefined, path: string) => {
    const containers: Obj[] = spec?.containers ?? [];
    if (!containers.length) required(`${path}.containers`);
    containers.forEach((c, i) => {
      const at = `${path}.containers[${i}]`;
      if (!c.name) required(`${at}.name`);
      if (!c.image) required(`${at}.image`);
      (c.ports ?? []).forEach((p: Obj, j: number) =>
        port(`${at}.ports[${j}].containerPort`, p.containerPort),
      );
    });
  };
  const workload = () => {
    const spec = obj.spec ?? {};
    if (typeof spec.replicas === 'number' && spec.replicas < 0)
      invalid(
        'spec.replicas',
        spec.replicas,
        'must be greater than or equal to 0',
      );
    const selector = spec.selector?.matchLabels;
    if (!selector) required('spec.selector');
    const labels = spec.template?.metadata?.labels ?? {};
    if (selector && Object.entries(selector).some(([k, v]) => labels[k] !== v))
      invalid(
        'spec.template.metadata.labels',
        labels,
        '`selector` does not match template `labels`',
      );
    podSpec(spec.template?.spec, 'spec.template.spec');
  };
  switch (kind) {
    case 'Deployment':
      workload();
      break;
    case 'StatefulSet':
      workload();
      if (!obj.spec?.serviceName) required('spec.serviceName');
      break;
    case 'CronJob':
      if (!obj.spec?.schedule) required('spec.schedule');
      podSpec(
        obj.spec?.jobTemplate?.spec?.template?.spec,
        'spec.jobTemplate.spec.template.spec',
      );
      break;
    case 'Service':
      (obj.spec?.ports ?? []).forEach((p: Obj, i: number) => {
        if (p.port === undefined) required(`spec.ports[${i}].port`);
        port(`spec.ports[${i}].port`, p.port);
        port(`spec.ports[${i}].targetPort`, p.targetPort);
        // the cluster's service-node-port-range: only the server knows it
        if (
          p.nodePort !== undefined &&
          (p.nodePort < 30000 || p.nodePort > 32767)
        )
          invalid(
            `spec.ports[${i}].nodePort`,
            p.nodePort,
            'provided port is not in the valid range. The range of valid ports is 30000-32767',
          );
      });
      break;
    default:
  }
  return causes;
}

/** Defaults the API server fills in (stable: applying again adds the same). */
function applyDefaults(kind: string, obj: Obj, existing: Obj | undefined) {
  const spec = obj.spec;
  const containers = (podSpec: Obj | undefined) => {
    for (const c of podSpec?.containers ?? []) {
      c.imagePullPolicy ??= String(c.image ?? '').endsWith(':latest')
        ? 'Always'
        : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      for (const p of c.ports ?? []) p.protocol ??= 'TCP';
    }
    if (podSpec) {
      podSpec.restartPolicy ??= 'Always';
      podSpec.dnsPolicy ??= 'ClusterFirst';
    }
  };
  switch (kind) {
    case 'Deployment':
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.strategy ??= {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
      };
      containers(spec.template?.spec);
      break;
    case 'StatefulSet':
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.podManagementPolicy ??= 'OrderedReady';
      spec.updateStrategy ??= { type: 'RollingUpdate' };
      containers(spec.template?.spec);
      break;
    case 'CronJob':
      spec.suspend ??= false;
      spec.concurrencyPolicy ??= 'Allow';
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      break;
    case 'Service':
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.clusterIP === undefined) {
        spec.clusterIP =
          existing?.spec?.clusterIP ??
          `10.96.${Math.floor(Math.random() * 250)}.${
            1 + Math.floor(Math.random() * 250)
          }`;
      }
      for (const p of spec.ports ?? []) p.protocol ??= 'TCP';
      break;
    default:
  }
}

/** What the comparison of "did anything change" leaves out. */
function withoutServerFields(obj: Obj): Obj {
  const copy = clone(obj);
  delete copy.status;
  for (const key of ['resourceVersion', 'managedFields', 'generation'])
    delete copy.metadata?.[key];
  return copy;
}

export class FakeResources {
  private readonly entries = new Map<string, Entry>();
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  private readonly host: ResourceHost;

  constructor(host: ResourceHost) {
    this.host = host;
  }

  stop() {
    for (const timers of this.timers.values()) timers.forEach(clearTimeout);
    this.timers.clear();
  }

  // ---------------------------------------------------------------- inspection

  /** Objects of a plural resource (`deployments`), of a namespace or all. */
  list(resource: string, namespace?: string): Obj[] {
    return [...this.entries.values()]
      .filter(
        e =>
          e.type.resource === resource &&
          (!namespace || e.obj.metadata.namespace === namespace),
      )
      .map(e => clone(e.obj));
  }

  get(resource: string, namespace: string, name: string): Obj | undefined {
    const e = this.entries.get(`${resource}/${namespace}/${name}`);
    return e && clone(e.obj);
  }

  /** Puts an object straight into the store, as if `manager` had created it (kubectl create). */
  seed(obj: Obj, manager = 'kubectl-create'): Obj {
    const type = TYPES.find(
      t => apiVersionOf(t) === obj.apiVersion && t.kind === obj.kind,
    );
    if (!type) throw new Error(`no such kind: ${obj.apiVersion} ${obj.kind}`);
    return clone(
      this.store(type, obj.metadata.namespace ?? 'default', clone(obj), {
        manager,
        operation: 'Update',
      }),
    );
  }

  // ---------------------------------------------------------------- HTTP

  /** Handles the request if it is the store's; false when it is not. */
  handle(
    method: string,
    parts: string[],
    url: URL,
    contentType: string | undefined,
    body: unknown,
    res: ServerResponse,
  ): boolean {
    const send = (code: number, b: Obj) => this.host.send(res, code, b);
    if (method === 'GET' && parts.length === 1 && parts[0] === 'version') {
      send(200, {
        major: '1',
        minor: '34',
        gitVersion: 'v1.34.1-fake',
        platform: 'linux/amd64',
      });
      return true;
    }
    if (method === 'GET' && parts.length === 1 && parts[0] === 'api') {
      send(200, { kind: 'APIVersions', versions: ['v1'] });
      return true;
    }
    if (method === 'GET' && parts.length === 1 && parts[0] === 'apis') {
      const groups = [
        ...new Set(DISCOVERY.filter(t => t.group).map(t => t.group)),
      ];
      send(200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map(name => ({
          name,
          versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
          preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
        })),
      });
      return true;
    }
    // discovery: /api/v1, /apis/:group/:version
    const core = parts[0] === 'api' && parts[1] === 'v1';
    const grouped = parts[0] === 'apis' && parts.length >= 3;
    const group = core ? '' : grouped ? parts[1] : undefined;
    const version = core ? 'v1' : grouped ? parts[2] : undefined;
    if (group === undefined || version === undefined) return false;
    const rest = parts.slice(core ? 2 : 3);
    if (method === 'GET' && rest.length === 0) {
      const resources = DISCOVERY.filter(
        t => t.group === group && t.version === version,
      );
      if (!resources.length) return false;
      send(200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources: resources.map(t => ({
          name: t.resource,
          singularName: t.kind.toLowerCase(),
          namespaced: true,
          kind: t.kind,
          verbs: [
            'create',
            'delete',
            'get',
            'list',
            'patch',
            'update',
            'watch',
          ],
        })),
      });
      return true;
    }
    // /…/namespaces/:ns/:resource[/:name]
    if (rest[0] !== 'namespaces' || rest.length < 3 || rest.length > 4)
      return false;
    const type = TYPES.find(
      t => t.group === group && t.version === version && t.resource === rest[2],
    );
    if (!type) return false;
    const ns = rest[1];
    const name = rest[3];
    const query = url.searchParams;
    if (method === 'GET' && !name) {
      this.listHttp(type, ns, query, send);
    } else if (method === 'GET') {
      const e = this.entries.get(`${type.resource}/${ns}/${name}`);
      if (e) send(200, clone(e.obj));
      else send(404, this.notFound(type, name));
    } else if (method === 'POST' && !name) {
      this.create(type, ns, this.parseBody(body), query, send);
    } else if (method === 'PATCH' && name) {
      this.apply(
        type,
        ns,
        name,
        contentType,
        this.parseBody(body),
        query,
        send,
      );
    } else if (method === 'DELETE' && name) {
      this.deleteHttp(type, ns, name, query, send);
    } else {
      send(
        405,
        status(405, 'MethodNotAllowed', `${method} is not supported here`),
      );
    }
    return true;
  }

  private parseBody(body: unknown): Obj | undefined {
    if (typeof body === 'string') {
      try {
        return parseYaml(body);
      } catch {
        return undefined;
      }
    }
    return body as Obj | undefined;
  }

  private notFound(type: ResourceType, name: string) {
    const what = type.group ? `${type.resource}.${type.group}` : type.resource;
    return status(404, 'NotFound', `${what} "${name}" not found`, {
      name,
      group: type.group || undefined,
      kind: type.resource,
    });
  }

  private invalid(
    type: ResourceType,
    name: string,
    causes: Array<{ reason: string; message: string; field: string }>,
  ) {
    const kind = type.group ? `${type.kind}.${type.group}` : type.kind;
    return status(
      422,
      'Invalid',
      `${kind} "${name}" is invalid: ${causes
        .map(c => `${c.field}: ${c.message}`)
        .join(', ')}`,
      { name, group: type.group || undefined, kind: type.kind, causes },
    );
  }

  private listHttp(
    type: ResourceType,
    ns: string,
    query: URLSearchParams,
    send: (code: number, body: Obj) => void,
  ) {
    const labels = parseSelector(query.get('labelSelector'));
    const fields = parseSelector(query.get('fieldSelector'));
    const items = [...this.entries.values()]
      .filter(
        e =>
          e.type === type &&
          e.obj.metadata.namespace === ns &&
          matches(labels, e.obj) &&
          matchesFields(fields, e.obj),
      )
      .map(e => clone(e.obj));
    send(200, {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: this.host.currentResourceVersion() },
      items,
    });
  }

  private create(
    type: ResourceType,
    ns: string,
    body: Obj | undefined,
    query: URLSearchParams,
    send: (code: number, body: Obj) => void,
  ) {
    const name = body?.metadata?.name;
    if (!body || !name) {
      send(
        422,
        this.invalid(type, '', [
          {
            reason: 'FieldValueRequired',
            message: 'Required value',
            field: 'metadata.name',
          },
        ]),
      );
      return;
    }
    if (this.entries.has(`${type.resource}/${ns}/${name}`)) {
      send(
        409,
        status(
          409,
          'AlreadyExists',
          `${type.resource} "${name}" already exists`,
          {
            name,
            kind: type.resource,
          },
        ),
      );
      return;
    }
    const obj = clone(body);
    applyDefaults(type.kind, obj, undefined);
    const causes = validate(type.kind, obj);
    if (causes.length) {
      send(422, this.invalid(type, name, causes));
      return;
    }
    if (query.get('dryRun') === 'All') {
      send(201, { ...obj, metadata: { ...obj.metadata, namespace: ns } });
      return;
    }
    send(
      201,
      clone(
        this.store(type, ns, obj, {
          manager: query.get('fieldManager') ?? 'unknown',
          operation: 'Update',
        }),
      ),
    );
  }

  /** A new object into the store: server fields, managed fields, the controller. */
  private store(
    type: ResourceType,
    ns: string,
    obj: Obj,
    by: { manager: string; operation: 'Apply' | 'Update'; applied?: Obj },
  ): Obj {
    obj.apiVersion = apiVersionOf(type);
    obj.kind = type.kind;
    obj.metadata = {
      ...obj.metadata,
      namespace: ns,
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString(),
      generation: 1,
      resourceVersion: this.host.nextResourceVersion(),
      managedFields: [
        {
          manager: by.manager,
          operation: by.operation,
          apiVersion: obj.apiVersion,
          time: new Date().toISOString(),
          fieldsType: 'FieldsV1',
          fieldsV1: fieldsV1(by.applied ?? withoutServerFields(obj)),
        },
      ],
    };
    const entry: Entry = {
      type,
      obj,
      applied: by.applied ? { [by.manager]: clone(by.applied) } : {},
    };
    this.entries.set(`${type.resource}/${ns}/${obj.metadata.name}`, entry);
    this.changed(entry, true);
    return obj;
  }

  private apply(
    type: ResourceType,
    ns: string,
    name: string,
    contentType: string | undefined,
    body: Obj | undefined,
    query: URLSearchParams,
    send: (code: number, body: Obj) => void,
  ) {
    const path = `${type.resource}/${name}`;
    if (!contentType?.startsWith('application/apply-patch+yaml')) {
      send(
        415,
        status(
          415,
          'UnsupportedMediaType',
          `the fake API server takes only server-side apply patches, not ${contentType}`,
        ),
      );
      return;
    }
    const manager = query.get('fieldManager');
    if (!manager) {
      send(
        400,
        status(
          400,
          'BadRequest',
          `PATCH ${path} is invalid: fieldManager: Required value: is required for apply patch`,
        ),
      );
      return;
    }
    if (
      !body ||
      body.apiVersion !== apiVersionOf(type) ||
      body.kind !== type.kind ||
      body.metadata?.name !== name
    ) {
      send(
        400,
        status(
          400,
          'BadRequest',
          `the body of an apply patch to ${path} must be a ${apiVersionOf(
            type,
          )} ${type.kind} named ${name}`,
        ),
      );
      return;
    }
    const applied = clone(body);
    delete applied.status;
    const key = `${type.resource}/${ns}/${name}`;
    const existing = this.entries.get(key);
    const dryRun = query.get('dryRun') === 'All';

    const next: Obj = existing ? clone(existing.obj) : {};
    if (existing) removeDropped(next, existing.applied[manager], applied);
    mergeInto(next, applied);
    next.metadata = { ...next.metadata, namespace: ns };
    applyDefaults(type.kind, next, existing?.obj);
    const causes = validate(type.kind, next);
    if (causes.length) {
      send(422, this.invalid(type, name, causes));
      return;
    }
    if (!existing) {
      if (dryRun) {
        send(201, {
          ...next,
          metadata: {
            ...next.metadata,
            uid: randomUUID(),
            creationTimestamp: new Date().toISOString(),
            generation: 1,
          },
        });
        return;
      }
      send(
        201,
        clone(
          this.store(type, ns, next, {
            manager,
            operation: 'Apply',
            applied,
          }),
        ),
      );
      return;
    }
    const unchanged =
      canonical(withoutServerFields(existing.obj)) ===
      canonical(withoutServerFields(next));
    if (unchanged) {
      // the real API server writes nothing for an apply that changes nothing
      if (!dryRun) existing.applied[manager] = applied;
      send(200, clone(existing.obj));
      return;
    }
    const specChanged = canonical(existing.obj.spec) !== canonical(next.spec);
    next.metadata.generation =
      (existing.obj.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    next.metadata.managedFields = [
      ...(existing.obj.metadata.managedFields ?? []).filter(
        (f: Obj) => !(f.manager === manager && f.operation === 'Apply'),
      ),
      {
        manager,
        operation: 'Apply',
        apiVersion: apiVersionOf(type),
        time: new Date().toISOString(),
        fieldsType: 'FieldsV1',
        fieldsV1: fieldsV1(applied),
      },
    ];
    next.status = existing.obj.status;
    if (dryRun) {
      send(200, next);
      return;
    }
    next.metadata.resourceVersion = this.host.nextResourceVersion();
    existing.obj = next;
    existing.applied[manager] = applied;
    send(200, clone(next));
    this.changed(existing, specChanged);
  }

  private deleteHttp(
    type: ResourceType,
    ns: string,
    name: string,
    query: URLSearchParams,
    send: (code: number, body: Obj) => void,
  ) {
    const key = `${type.resource}/${ns}/${name}`;
    const entry = this.entries.get(key);
    if (!entry) {
      send(404, this.notFound(type, name));
      return;
    }
    if (query.get('dryRun') !== 'All') {
      this.entries.delete(key);
      (this.timers.get(key) ?? []).forEach(clearTimeout);
      this.timers.delete(key);
      if (type.kind === 'Deployment' || type.kind === 'StatefulSet') {
        for (const pod of this.host.podsOf(
          ns,
          entry.obj.spec?.selector?.matchLabels ?? {},
        ))
          this.host.removePod(ns, pod.metadata.name);
      }
    }
    send(200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name,
        group: type.group || undefined,
        kind: type.resource,
        uid: entry.obj.metadata.uid,
      },
    });
  }

  // ---------------------------------------------------------------- controller

  private setStatus(entry: Entry, status: Obj) {
    const key = `${entry.type.resource}/${entry.obj.metadata.namespace}/${entry.obj.metadata.name}`;
    if (this.entries.get(key) !== entry) return;
    if (canonical(entry.obj.status ?? {}) === canonical(status)) return;
    entry.obj.status = status;
    entry.obj.metadata.resourceVersion = this.host.nextResourceVersion();
  }

  private later(entry: Entry, ms: number, run: () => void) {
    const key = `${entry.type.resource}/${entry.obj.metadata.namespace}/${entry.obj.metadata.name}`;
    const timers = this.timers.get(key) ?? [];
    timers.push(setTimeout(run, ms));
    this.timers.set(key, timers);
  }

  private addEvent(pod: Obj, reason: string, message: string) {
    const now = new Date().toISOString();
    const ns = pod.metadata.namespace;
    const name = `${pod.metadata.name}.${Math.random()
      .toString(16)
      .slice(2, 10)}`;
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name,
        namespace: ns,
        uid: randomUUID(),
        resourceVersion: this.host.nextResourceVersion(),
        creationTimestamp: now,
      },
      involvedObject: {
        kind: 'Pod',
        name: pod.metadata.name,
        namespace: ns,
        uid: pod.metadata.uid,
      },
      reason,
      message,
      type: 'Warning',
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: 'kubelet' },
    };
    this.entries.set(`events/${ns}/${name}`, {
      type: TYPES.find(t => t.kind === 'Event')!,
      obj: event,
      applied: {},
    });
  }

  /** A Deployment or StatefulSet whose spec changed rolls out. */
  private changed(entry: Entry, specChanged: boolean) {
    const { kind } = entry.type;
    if (!specChanged || (kind !== 'Deployment' && kind !== 'StatefulSet'))
      return;
    const key = `${entry.type.resource}/${entry.obj.metadata.namespace}/${entry.obj.metadata.name}`;
    (this.timers.get(key) ?? []).forEach(clearTimeout);
    this.timers.delete(key);

    const obj = entry.obj;
    const ns = obj.metadata.namespace;
    const name = obj.metadata.name;
    const want: number = obj.spec.replicas ?? 1;
    const generation = obj.metadata.generation;
    const revision = shortHash(obj.spec.template);
    const selector: Record<string, string> =
      obj.spec.selector?.matchLabels ?? {};
    const behaviour = this.host.rollout(clone(obj));
    const old = this.host
      .podsOf(ns, selector)
      .filter(p => p.metadata.labels?.['sled-fake/revision'] !== revision);
    const oldReady = old.filter(isPodReady).length;

    const now = () => new Date().toISOString();
    const newPods: Obj[] = [];
    for (let i = 0; i < want; i++) {
      const podName =
        kind === 'StatefulSet'
          ? `${name}-${i}`
          : `${name}-${revision}-${Math.random().toString(36).slice(2, 7)}`;
      if (kind === 'StatefulSet') this.host.removePod(ns, podName);
      const container = obj.spec.template.spec.containers[0];
      const pod: Obj = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace: ns,
          uid: randomUUID(),
          labels: {
            ...(obj.spec.template.metadata?.labels ?? {}),
            'sled-fake/revision': revision,
          },
          creationTimestamp: now(),
          ownerReferences: [{ kind, name, uid: obj.metadata.uid }],
        },
        spec: clone(obj.spec.template.spec),
        status: {
          phase: 'Pending',
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
          ],
          containerStatuses: [
            {
              name: container.name,
              image: container.image,
              ready: false,
              restartCount: 0,
              state: behaviour.failing
                ? {
                    waiting: {
                      reason: behaviour.failing.reason,
                      message: behaviour.failing.message,
                    },
                  }
                : { waiting: { reason: 'ContainerCreating' } },
            },
          ],
        },
      };
      this.host.putPod(pod);
      newPods.push(pod);
      if (behaviour.failing) {
        const event = behaviour.failing.event ?? {
          reason: 'Failed',
          message: behaviour.failing.message,
        };
        this.addEvent(pod, event.reason, event.message);
      }
    }
    const progressing = (reason: string) => ({
      type: 'Progressing',
      status: 'True',
      reason,
      lastUpdateTime: now(),
      lastTransitionTime: now(),
    });
    if (kind === 'Deployment') {
      this.setStatus(entry, {
        observedGeneration: generation,
        replicas: want + old.length,
        updatedReplicas: want,
        readyReplicas: oldReady,
        availableReplicas: oldReady,
        unavailableReplicas: want,
        conditions: [progressing('ReplicaSetUpdated')],
      });
    } else {
      this.setStatus(entry, {
        observedGeneration: generation,
        replicas: want,
        readyReplicas: 0,
        availableReplicas: 0,
        currentReplicas: 0,
        updatedReplicas: want,
        currentRevision: obj.status?.currentRevision,
        updateRevision: `${name}-${revision}`,
      });
    }
    if (behaviour.failing) return;

    const becomeReady = () => {
      // a later rollout, or a delete, made this one moot
      if (
        this.entries.get(key) !== entry ||
        entry.obj.metadata.generation !== generation
      )
        return;
      for (const pod of newPods) {
        const ready = clone(pod);
        ready.status = {
          ...ready.status,
          phase: 'Running',
          startTime: now(),
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: 'True' },
          ],
          containerStatuses: ready.status.containerStatuses.map((s: Obj) => ({
            ...s,
            ready: true,
            started: true,
            state: { running: { startedAt: now() } },
          })),
        };
        this.host.putPod(ready);
      }
      if (kind === 'Deployment') {
        for (const pod of old) this.host.removePod(ns, pod.metadata.name);
        this.setStatus(entry, {
          observedGeneration: generation,
          replicas: want,
          updatedReplicas: want,
          readyReplicas: want,
          availableReplicas: want,
          conditions: [
            {
              type: 'Available',
              status: 'True',
              reason: 'MinimumReplicasAvailable',
              lastUpdateTime: now(),
              lastTransitionTime: now(),
            },
            progressing('NewReplicaSetAvailable'),
          ],
        });
      } else {
        for (const pod of old) {
          if (!newPods.some(p => p.metadata.name === pod.metadata.name))
            this.host.removePod(ns, pod.metadata.name);
        }
        this.setStatus(entry, {
          observedGeneration: generation,
          replicas: want,
          readyReplicas: want,
          availableReplicas: want,
          currentReplicas: want,
          updatedReplicas: want,
          currentRevision: `${name}-${revision}`,
          updateRevision: `${name}-${revision}`,
        });
      }
    };
    const wait = () =>
      this.later(entry, behaviour.readyAfterMs ?? 20, becomeReady);
    if (behaviour.readyWhen) behaviour.readyWhen.then(wait, () => {});
    else wait();
  }
}

function isPodReady(pod: Obj): boolean {
  return (pod.status?.conditions ?? []).some(
    (c: Obj) => c.type === 'Ready' && c.status === 'True',
  );
}
