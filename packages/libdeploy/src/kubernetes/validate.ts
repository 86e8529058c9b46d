/**
 * Validation without a cluster: the kind's OpenAPI schema (kubernetes-models
 * validates types and required fields at run time), then the rules the API
 * server applies that the schema does not carry (names, port ranges,
 * quantities, selectors) and libdeploy's own (an image pinned by digest).
 * Every issue names the resource and the field.
 */
import type { ValidationIssue } from '../target.ts';
import { imageProblem, isPinnedByDigest } from './image.ts';
import { kindOf, refOf } from './kinds.ts';
import type { KubernetesObject } from './kinds.ts';

type Obj = Record<string, any>;

export interface ValidateOptions {
  /** what an image not pinned by digest is: an error (default), a warning, or fine */
  unpinnedImage: 'error' | 'warning' | 'ignore';
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY =
  /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?\d+))?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

const NAME_RULES = {
  label: {
    pattern: DNS_LABEL,
    what: 'lowercase letters, digits and -, starting and ending with a letter or digit',
  },
  dns1035: {
    pattern: DNS_1035_LABEL,
    what: 'lowercase letters, digits and -, starting with a letter',
  },
  subdomain: {
    pattern: DNS_SUBDOMAIN,
    what: "lowercase letters, digits, - and '.', starting and ending with a letter or digit",
  },
};

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image` */
export function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => {
      if (/^\d+$/.test(part)) return `${path}[${part}]`;
      return path ? `${path}.${part}` : part;
    }, '');
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Obj;
}

/** The schema's verdict, one issue per field (the alternatives of a oneOf summed up). */
function schemaIssues(obj: KubernetesObject): ValidationIssue[] {
  const info = kindOf(obj);
  if (!info) return [];
  try {
    const Model = info.model;
    new Model(obj).validate();
    return [];
  } catch (error) {
    const errors: AjvError[] = (error as { errors?: AjvError[] }).errors ?? [];
    if (!errors.length) {
      return [
        {
          resource: refOf(obj),
          field: '',
          message: String((error as Error).message ?? error),
          severity: 'error',
        },
      ];
    }
    const fields = new Map<string, { types: string[]; messages: string[] }>();
    const at = (field: string) => {
      let entry = fields.get(field);
      if (!entry) fields.set(field, (entry = { types: [], messages: [] }));
      return entry;
    };
    for (const e of errors) {
      const field = pointerToField(e.instancePath);
      if (e.keyword === 'required') {
        const missing = String(e.params.missingProperty);
        at(field ? `${field}.${missing}` : missing).messages.push('required');
      } else if (e.keyword === 'type') {
        at(field).types.push(String(e.params.type));
      } else if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') {
        at(field).messages.push(e.message ?? e.keyword);
      }
    }
    return [...fields.entries()].map(([field, { types, messages }]) => ({
      resource: refOf(obj),
      field,
      message: [
        ...messages,
        ...(types.length
          ? [`must be ${[...new Set(types)].join(' or ')}`]
          : []),
      ].join('; '),
      severity: 'error' as const,
    }));
  }
}

class Checker {
  readonly issues: ValidationIssue[] = [];
  readonly resource: string;

  constructor(resource: string) {
    this.resource = resource;
  }

  error(field: string, message: string) {
    this.issues.push({
      resource: this.resource,
      field,
      message,
      severity: 'error',
    });
  }

  warn(field: string, message: string) {
    this.issues.push({
      resource: this.resource,
      field,
      message,
      severity: 'warning',
    });
  }

  port(field: string, value: unknown) {
    if (typeof value === 'number') {
      if (!Number.isInteger(value) || value < 1 || value > 65535) {
        this.error(field, `must be between 1 and 65535 (is ${value})`);
      }
    } else if (typeof value === 'string') {
      if (!PORT_NAME.test(value) || value.length > 15 || !/[a-z]/.test(value)) {
        this.error(
          field,
          `'${value}' is not a port name (at most 15 lowercase letters, digits and '-', with a letter)`,
        );
      }
    }
  }

  name(
    field: string,
    value: unknown,
    rule: 'label' | 'dns1035' | 'subdomain',
    max: number,
  ) {
    if (typeof value !== 'string' || value === '') {
      this.error(field, 'required');
      return;
    }
    const { pattern, what } = NAME_RULES[rule];
    if (!pattern.test(value)) {
      this.error(field, `'${value}' is not a valid name (${what})`);
    } else if (value.length > max) {
      this.error(field, `'${value}' is longer than ${max} characters`);
    }
  }

  labels(field: string, labels: unknown) {
    if (!labels || typeof labels !== 'object') return;
    for (const [key, value] of Object.entries(labels as Obj)) {
      const slash = key.lastIndexOf('/');
      const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
      const name = slash >= 0 ? key.slice(slash + 1) : key;
      if (
        !LABEL_NAME.test(name) ||
        name.length > 63 ||
        (prefix !== undefined &&
          (!DNS_SUBDOMAIN.test(prefix) || prefix.length > 253))
      ) {
        this.error(`${field}.${key}`, `'${key}' is not a valid label key`);
      }
      if (
        typeof value !== 'string' ||
        (value !== '' && (!LABEL_NAME.test(value) || value.length > 63))
      ) {
        this.error(
          `${field}.${key}`,
          `'${value}' is not a valid label value (at most 63 letters, digits, '-', '_' and '.', alphanumeric at both ends)`,
        );
      }
    }
  }

  quantities(field: string, values: unknown) {
    if (!values || typeof values !== 'object') return;
    for (const [key, value] of Object.entries(values as Obj)) {
      if (typeof value === 'string' && !QUANTITY.test(value)) {
        this.error(
          `${field}.${key}`,
          `'${value}' is not a quantity (such as 100m, 1, 128Mi)`,
        );
      }
    }
  }
}

function checkContainers(
  c: Checker,
  podSpec: Obj | undefined,
  path: string,
  options: ValidateOptions,
) {
  if (!podSpec) return;
  for (const list of ['initContainers', 'containers'] as const) {
    const containers: Obj[] = Array.isArray(podSpec[list]) ? podSpec[list] : [];
    containers.forEach((container, i) => {
      const at = `${path}.${list}[${i}]`;
      c.name(`${at}.name`, container.name, 'label', 63);
      const image = container.image;
      if (typeof image !== 'string' || image.trim() === '') {
        c.error(
          `${at}.image`,
          'required: the artifact has no image (SLED_ARTIFACT_IMAGE is empty) and none was given; pass `image` to the helper',
        );
      } else {
        const problem = imageProblem(image);
        if (problem) c.error(`${at}.image`, problem);
        else if (
          !isPinnedByDigest(image) &&
          options.unpinnedImage !== 'ignore'
        ) {
          const message = `'${image}' is not pinned by digest (@sha256:…): a tag can move, so the same deploy could run different code`;
          if (options.unpinnedImage === 'error')
            c.error(`${at}.image`, message);
          else c.warn(`${at}.image`, message);
        }
      }
      const portNames = new Set<string>();
      (Array.isArray(container.ports) ? container.ports : []).forEach(
        (port: Obj, j: number) => {
          c.port(`${at}.ports[${j}].containerPort`, port.containerPort);
          if (port.containerPort === undefined) {
            c.error(`${at}.ports[${j}].containerPort`, 'required');
          }
          if (port.name !== undefined) {
            c.port(`${at}.ports[${j}].name`, String(port.name));
            portNames.add(String(port.name));
          }
        },
      );
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const port =
          container[probe]?.httpGet?.port ?? container[probe]?.tcpSocket?.port;
        const field = `${at}.${probe}.${
          container[probe]?.httpGet ? 'httpGet' : 'tcpSocket'
        }.port`;
        if (port === undefined) continue;
        c.port(field, port);
        if (typeof port === 'string' && !portNames.has(port)) {
          c.error(field, `no port of the container is named '${port}'`);
        }
      }
      c.quantities(`${at}.resources.requests`, container.resources?.requests);
      c.quantities(`${at}.resources.limits`, container.resources?.limits);
    });
  }
  if (!Array.isArray(podSpec.containers) || podSpec.containers.length === 0) {
    c.error(`${path}.containers`, 'at least one container is required');
  }
}

function checkSelector(c: Checker, spec: Obj | undefined) {
  const selector = spec?.selector?.matchLabels;
  const labels = spec?.template?.metadata?.labels ?? {};
  if (!selector || typeof selector !== 'object') {
    c.error('spec.selector', 'required: a workload needs a label selector');
    return;
  }
  for (const [key, value] of Object.entries(selector as Obj)) {
    if (labels[key] !== value) {
      c.error(
        'spec.template.metadata.labels',
        `does not match the selector: spec.selector.matchLabels.${key} is '${value}', the pod template's label is ${
          labels[key] === undefined ? 'missing' : `'${labels[key]}'`
        }`,
      );
    }
  }
}

function checkReplicas(c: Checker, spec: Obj | undefined) {
  const replicas = spec?.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) {
    c.error('spec.replicas', `must be a whole number >= 0 (is ${replicas})`);
  }
}

/** The rules the API server (and libdeploy) apply beyond the schema. */
function ruleIssues(
  obj: KubernetesObject,
  options: ValidateOptions,
): ValidationIssue[] {
  const c = new Checker(refOf(obj));
  const o = obj as Obj;
  const name = o.metadata?.name;
  switch (o.kind) {
    case 'Service':
      c.name('metadata.name', name, 'dns1035', 63);
      break;
    case 'StatefulSet':
    case 'DaemonSet':
      c.name('metadata.name', name, 'label', 63);
      break;
    case 'CronJob':
      c.name('metadata.name', name, 'subdomain', 52);
      break;
    default:
      c.name('metadata.name', name, 'subdomain', 253);
  }
  if (o.metadata?.namespace !== undefined) {
    c.name('metadata.namespace', o.metadata.namespace, 'label', 63);
  }
  c.labels('metadata.labels', o.metadata?.labels);

  switch (o.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      checkReplicas(c, o.spec);
      checkSelector(c, o.spec);
      c.labels(
        'spec.template.metadata.labels',
        o.spec?.template?.metadata?.labels,
      );
      checkContainers(c, o.spec?.template?.spec, 'spec.template.spec', options);
      if (o.kind === 'StatefulSet' && !o.spec?.serviceName) {
        c.error(
          'spec.serviceName',
          'required: the headless Service that names the pods',
        );
      }
      (o.spec?.volumeClaimTemplates ?? []).forEach((t: Obj, i: number) => {
        c.name(
          `spec.volumeClaimTemplates[${i}].metadata.name`,
          t.metadata?.name,
          'label',
          63,
        );
        c.quantities(
          `spec.volumeClaimTemplates[${i}].spec.resources.requests`,
          t.spec?.resources?.requests,
        );
      });
      break;
    case 'Job':
      checkContainers(c, o.spec?.template?.spec, 'spec.template.spec', options);
      break;
    case 'CronJob': {
      const schedule = o.spec?.schedule;
      if (
        typeof schedule !== 'string' ||
        !(
          /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(
            schedule.trim(),
          ) || schedule.trim().split(/\s+/).length === 5
        )
      ) {
        c.error(
          'spec.schedule',
          `'${schedule}' is not a cron schedule (five fields, such as 0 3 * * *)`,
        );
      }
      checkContainers(
        c,
        o.spec?.jobTemplate?.spec?.template?.spec,
        'spec.jobTemplate.spec.template.spec',
        options,
      );
      break;
    }
    case 'Service':
      (o.spec?.ports ?? []).forEach((port: Obj, i: number) => {
        if (port.port === undefined)
          c.error(`spec.ports[${i}].port`, 'required');
        else c.port(`spec.ports[${i}].port`, port.port);
        if (port.targetPort !== undefined)
          c.port(`spec.ports[${i}].targetPort`, port.targetPort);
      });
      break;
    case 'ConfigMap':
    case 'Secret':
      for (const field of ['data', 'binaryData', 'stringData']) {
        for (const key of Object.keys(o[field] ?? {})) {
          if (!CONFIG_KEY.test(key)) {
            c.error(
              `${field}.${key}`,
              `'${key}' is not a valid key (letters, digits, '-', '_' and '.')`,
            );
          }
        }
      }
      break;
    case 'PodDisruptionBudget':
      if (
        o.spec?.minAvailable !== undefined &&
        o.spec?.maxUnavailable !== undefined
      ) {
        c.error('spec', 'minAvailable and maxUnavailable cannot both be set');
      }
      break;
    default:
  }
  return c.issues;
}

/**
 * Every problem of every resource: schema first, then rules, in plan order.
 * Objects of kinds libdeploy does not know get the generic rules only.
 */
export function validateObjects(
  objects: KubernetesObject[],
  options: ValidateOptions,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  objects.forEach((obj, i) => {
    if (!obj || typeof obj !== 'object' || !obj.kind || !obj.apiVersion) {
      issues.push({
        resource: `resource #${i + 1}`,
        field: !obj?.apiVersion ? 'apiVersion' : 'kind',
        message: 'required',
        severity: 'error',
      });
      return;
    }
    const key = `${obj.apiVersion} ${obj.kind} ${
      obj.metadata?.namespace ?? ''
    } ${obj.metadata?.name}`;
    if (seen.has(key)) {
      issues.push({
        resource: refOf(obj),
        field: 'metadata.name',
        message: `declared twice (resources #${seen.get(key)! + 1} and #${
          i + 1
        })`,
        severity: 'error',
      });
    }
    seen.set(key, i);
    // where a rule says what is wrong in its own words, the schema's words are left out
    const rules = ruleIssues(obj, options);
    const ruled = new Set(rules.map(r => r.field));
    issues.push(
      ...schemaIssues(obj).filter(s => !ruled.has(s.field)),
      ...rules,
    );
  });
  return issues;
}
