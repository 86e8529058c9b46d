/*
 * A fake Kubernetes API server for tests. TEST-ONLY.
 *
 * It speaks the real REST protocol over HTTPS (a throwaway self-signed CA made
 * at start with `selfsigned`), so the real @kubernetes/client-node drives it:
 * bearer-token check, jobs create/get/list/delete/watch, pods list/watch by
 * label selector, pod logs (with follow), resourceVersion and `410 Expired`,
 * `AlreadyExists` / `NotFound` Status bodies. A small job controller runs a pod
 * per Job, writes log lines over time and completes, fails or exceeds the
 * deadline. Knobs inject latency and failures.
 *
 * What deploy scripts (libdeploy) need lives in FakeResources: discovery,
 * Deployments, StatefulSets, Services, ConfigMaps, CronJobs,
 * PodDisruptionBudgets and Events, server-side apply with managed fields,
 * `dryRun=All`, and a rollout controller (the `rollout` knob).
 */
import https from 'https';
import { AddressInfo } from 'net';
import { IncomingMessage, ServerResponse } from 'http';
import { randomUUID } from 'crypto';
// eslint-disable-next-line @backstage/no-undeclared-imports
import selfsigned from 'selfsigned';
import { Selector, matches, parseSelector } from './selectors';
import { FakeResources, RolloutBehaviour } from './FakeResources';
import { kubernetesStatus } from './kubernetesStatus';

export type { RolloutBehaviour } from './FakeResources';

type Obj = Record<string, any>;

/** What the fake controller does with one Job. */
export interface JobBehaviour {
  /** log lines the container prints, one every `intervalMs` */
  lines?: string[];
  intervalMs?: number;
  /** delay before the pod starts running */
  startDelayMs?: number;
  /** exit code once the lines are written; default 0 */
  exitCode?: number;
  /** keep running after the lines until deleted or the deadline passes */
  runForever?: boolean;
  /** the deadline, instead of the Job's activeDeadlineSeconds */
  deadlineMs?: number;
}

interface WatchEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  kind: 'Job' | 'Pod';
  object: Obj;
}

interface Watcher {
  kind: 'Job' | 'Pod';
  namespace: string;
  selector: Selector;
  res: ServerResponse;
}

interface LogFollower {
  res: ServerResponse;
}

interface PodState {
  pod: Obj;
  log: string;
  followers: Set<LogFollower>;
  timers: NodeJS.Timeout[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: any;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

const status = kubernetesStatus;

export class FakeKubernetesApi {
  /** base64 PEM of the CA, for `caData` */
  readonly caData: string;
  url = '';
  token = 'token';

  // ---------------------------------------------------------------- knobs
  /** decides what each new Job does */
  behave: (job: Obj) => JobBehaviour = () => ({
    lines: ['deploying\n', 'done\n'],
    intervalMs: 20,
  });
  /** every request seen, in order */
  readonly requests: RecordedRequest[] = [];
  /** decides how each rollout of a Deployment or StatefulSet goes (default: ready after 20 ms) */
  rollout: (workload: Obj) => RolloutBehaviour = () => ({});
  /**
   * Deployments, StatefulSets, Services, ConfigMaps, … (what deploy scripts
   * apply): `list('deployments', ns)`, `get('services', ns, name)`, `seed(obj)`
   */
  readonly resources: FakeResources = new FakeResources({
    nextResourceVersion: () => String(++this.rv),
    currentResourceVersion: () => String(this.rv),
    send: (res, code, body) => this.send(res, code, body),
    putPod: pod => this.putPod(pod),
    removePod: (namespace, name) => this.removePod(namespace, name),
    podsOf: (namespace, selector) =>
      [...this.pods.values()]
        .map(p => p.pod)
        .filter(
          p =>
            p.metadata.namespace === namespace &&
            Object.entries(selector).every(
              ([k, v]) => p.metadata.labels?.[k] === v,
            ),
        )
        .map(clone),
    rollout: workload => this.rollout(workload),
  });

  /** called with each request before it is handled (after the token check) */
  intercept?: (r: RecordedRequest) => void;
  /** called with each Job created through the API (a 201 answer), after `createdJobs` counts it */
  onJobCreated?: (job: Obj) => void;
  /**
   * awaited before a Job POST is carried out (a slow create): the Job exists
   * and the answer is sent only once it resolves
   */
  beforeJobCreate?: (body: Obj) => Promise<void>;

  private failures: Array<{
    status?: number;
    hang?: boolean;
    /** close the connection without an answer (a reset) */
    reset?: boolean;
    /** carry the request out this much later (a slow API server) */
    delayMs?: number;
    /** handle the request, then answer `status` anyway (a lost response) */
    afterProcessing?: boolean;
    match?: (r: RecordedRequest) => boolean;
  }> = [];
  private readonly overridden = new WeakMap<ServerResponse, number>();
  private readonly server: https.Server;
  private readonly key: string;
  private readonly cert: string;
  private rv = 1;
  /** events older than this resourceVersion are forgotten: watching from before → 410 */
  private oldestRv = 1;
  private readonly events: WatchEvent[] = [];
  private readonly jobs = new Map<string, Obj>();
  private readonly pods = new Map<string, PodState>();
  private readonly jobTimers = new Map<string, NodeJS.Timeout[]>();
  private readonly watchers = new Set<Watcher>();
  private readonly hung = new Set<ServerResponse>();
  /** total Jobs ever created (201 answers) */
  createdJobs = 0;

  /** one throwaway CA per test process: making an RSA key in JS is slow */
  private static pems?: { private: string; cert: string };

  /** The CA key and certificate this process uses (made on first use). */
  static get certificate(): { private: string; cert: string } | undefined {
    return FakeKubernetesApi.pems;
  }

  /** Reuse a CA made elsewhere (another process's `certificate`), instead of making one. */
  static set certificate(pems: { private: string; cert: string } | undefined) {
    FakeKubernetesApi.pems = pems;
  }

  constructor() {
    const pems = (FakeKubernetesApi.pems ??= selfsigned.generate(
      [{ name: 'commonName', value: 'sled-fake-kubernetes' }],
      {
        days: 1,
        keySize: 2048,
        algorithm: 'sha256',
        extensions: [
          { name: 'basicConstraints', cA: true },
          {
            name: 'keyUsage',
            keyCertSign: true,
            digitalSignature: true,
            keyEncipherment: true,
          },
          { name: 'extKeyUsage', serverAuth: true },
          {
            name: 'subjectAltName',
            altNames: [
              { type: 2, value: 'localhost' },
              { type: 7, ip: '127.0.0.1' },
            ],
          },
        ],
      },
    ));
    this.key = pems.private;
    this.cert = pems.cert;
    this.caData = Buffer.from(pems.cert).toString('base64');
    this.server = https.createServer(
      { key: this.key, cert: this.cert },
      (req, res) => {
        this.handle(req, res).catch(error => {
          if (!res.headersSent)
            this.send(res, 500, status(500, 'InternalError', String(error)));
        });
      },
    );
  }

  static async start(): Promise<FakeKubernetesApi> {
    const api = new FakeKubernetesApi();
    await new Promise<void>(resolve =>
      api.server.listen(0, '127.0.0.1', resolve),
    );
    api.url = `https://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    return api;
  }

  async stop(): Promise<void> {
    this.resources.stop();
    for (const timers of this.jobTimers.values()) timers.forEach(clearTimeout);
    for (const p of this.pods.values()) p.timers.forEach(clearTimeout);
    for (const w of this.watchers) w.res.destroy();
    for (const r of this.hung) r.destroy();
    for (const p of this.pods.values())
      for (const f of p.followers) f.res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- failure injection

  /** The next `count` matching requests get `status` (default 500). */
  failNext(
    count: number,
    statusCode = 500,
    match?: (r: RecordedRequest) => boolean,
  ) {
    for (let i = 0; i < count; i++)
      this.failures.push({ status: statusCode, match });
  }

  /** The next `count` matching requests are carried out, but answered with `status`. */
  loseResponseOfNext(
    count: number,
    statusCode = 503,
    match?: (r: RecordedRequest) => boolean,
  ) {
    for (let i = 0; i < count; i++)
      this.failures.push({ status: statusCode, afterProcessing: true, match });
  }

  /** The next `count` matching requests never get an answer. */
  hangNext(count: number, match?: (r: RecordedRequest) => boolean) {
    for (let i = 0; i < count; i++) this.failures.push({ hang: true, match });
  }

  /** The next `count` matching requests have their connection reset, unanswered. */
  resetNext(count: number, match?: (r: RecordedRequest) => boolean) {
    for (let i = 0; i < count; i++) this.failures.push({ reset: true, match });
  }

  /** The next `count` matching requests are carried out `delayMs` late (a slow Job create, say). */
  delayNext(
    count: number,
    delayMs: number,
    match?: (r: RecordedRequest) => boolean,
  ) {
    for (let i = 0; i < count; i++) this.failures.push({ delayMs, match });
  }

  /** Cuts every open watch connection (as a load balancer would). */
  dropWatches() {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
  }

  /** Forgets the event history: any watch from an older resourceVersion gets 410 Expired. */
  compactHistory() {
    this.rv += 100; // other objects changed meanwhile
    this.oldestRv = this.rv;
    this.events.length = 0;
  }

  // ---------------------------------------------------------------- inspection

  listJobs(namespace?: string): Obj[] {
    return [...this.jobs.values()]
      .filter(j => !namespace || j.metadata.namespace === namespace)
      .map(clone);
  }

  /** The pods of a namespace (or all), as the API would list them. */
  listPods(namespace?: string): Obj[] {
    return [...this.pods.values()]
      .map(p => p.pod)
      .filter(p => !namespace || p.metadata.namespace === namespace)
      .map(clone);
  }

  getJob(namespace: string, name: string): Obj | undefined {
    const job = this.jobs.get(`${namespace}/${name}`);
    return job && clone(job);
  }

  /** Open `?follow=true` log streams of the pods of a Job. */
  logFollowersOfJob(namespace: string, jobName: string): number {
    let count = 0;
    for (const state of this.pods.values()) {
      const { metadata } = state.pod;
      if (
        metadata.namespace === namespace &&
        metadata.labels?.['job-name'] === jobName
      )
        count += state.followers.size;
    }
    return count;
  }

  requestsTo(method: string, pathPart: string): RecordedRequest[] {
    return this.requests.filter(
      r => r.method === method && r.path.includes(pathPart),
    );
  }

  /** Puts a Job straight into the store, as if someone else had created it (the controller runs it). */
  seedJob(namespace: string, job: Obj) {
    this.createJob(namespace, clone(job));
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'https://fake');
    const body = await new Promise<string>(resolve => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', c => (text += c));
      req.on('end', () => resolve(text));
    });
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: body ? safeJson(body) : undefined,
    };
    this.requests.push(record);

    if (req.headers.authorization !== `Bearer ${this.token}`) {
      this.send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const failureIndex = this.failures.findIndex(
      f => !f.match || f.match(record),
    );
    if (failureIndex >= 0) {
      const [failure] = this.failures.splice(failureIndex, 1);
      if (failure.reset) {
        req.socket.destroy();
        return;
      }
      if (failure.delayMs) {
        await new Promise(resolve => setTimeout(resolve, failure.delayMs));
        if (res.destroyed) return;
      }
      if (failure.hang) {
        this.hung.add(res);
        return;
      }
      if (failure.afterProcessing) {
        this.overridden.set(res, failure.status!);
      } else if (failure.status !== undefined) {
        this.send(
          res,
          failure.status!,
          status(
            failure.status!,
            'InternalError',
            `injected failure ${failure.status}`,
          ),
        );
        return;
      }
    }
    this.intercept?.(record);

    const parts = url.pathname.split('/').filter(Boolean);
    const watch = url.searchParams.get('watch') === 'true';
    // /apis/batch/v1/namespaces/:ns/jobs[/:name]
    if (
      parts[0] === 'apis' &&
      parts[1] === 'batch' &&
      parts[2] === 'v1' &&
      parts[3] === 'namespaces' &&
      parts[5] === 'jobs'
    ) {
      const ns = parts[4];
      const name = parts[6];
      if (!name && record.method === 'GET')
        return watch
          ? this.watch(res, 'Job', ns, url)
          : this.list(res, 'Job', ns, url);
      if (!name && record.method === 'POST') {
        await this.beforeJobCreate?.(record.body);
        return this.postJob(res, ns, record.body);
      }
      if (name && record.method === 'GET')
        return this.getOne(res, 'Job', ns, name);
      if (name && record.method === 'DELETE')
        return this.deleteJob(res, ns, name, record.body);
    }
    // /api/v1/namespaces/:ns/pods[/:name[/log]]
    if (
      parts[0] === 'api' &&
      parts[1] === 'v1' &&
      parts[2] === 'namespaces' &&
      parts[4] === 'pods' &&
      record.method === 'GET'
    ) {
      const ns = parts[3];
      const name = parts[5];
      if (!name)
        return watch
          ? this.watch(res, 'Pod', ns, url)
          : this.list(res, 'Pod', ns, url);
      if (parts[6] === 'log') return this.podLog(res, ns, name, url);
      return this.getOne(res, 'Pod', ns, name);
    }
    if (
      this.resources.handle(
        record.method,
        parts,
        url,
        req.headers['content-type'],
        record.body,
        res,
      )
    )
      return;
    this.send(
      res,
      404,
      status(
        404,
        'NotFound',
        `the server could not find the requested resource (${record.method} ${url.pathname})`,
      ),
    );
  }

  private send(res: ServerResponse, code: number, body: Obj | string) {
    if (res.destroyed) return;
    const override = this.overridden.get(res);
    if (override) {
      code = override;
      body = status(
        override,
        'InternalError',
        `injected failure ${override} after the request was carried out`,
      );
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type':
        typeof body === 'string' ? 'text/plain' : 'application/json',
    });
    res.end(text);
  }

  private collection(kind: 'Job' | 'Pod'): Obj[] {
    return kind === 'Job'
      ? [...this.jobs.values()]
      : [...this.pods.values()].map(p => p.pod);
  }

  private list(res: ServerResponse, kind: 'Job' | 'Pod', ns: string, url: URL) {
    const selector = parseSelector(url.searchParams.get('labelSelector'));
    const items = this.collection(kind).filter(
      o => o.metadata.namespace === ns && matches(selector, o),
    );
    this.send(res, 200, {
      kind: `${kind}List`,
      apiVersion: kind === 'Job' ? 'batch/v1' : 'v1',
      metadata: { resourceVersion: String(this.rv) },
      items: items.map(clone),
    });
  }

  private getOne(
    res: ServerResponse,
    kind: 'Job' | 'Pod',
    ns: string,
    name: string,
  ) {
    const obj =
      kind === 'Job'
        ? this.jobs.get(`${ns}/${name}`)
        : this.pods.get(`${ns}/${name}`)?.pod;
    if (!obj) {
      this.send(
        res,
        404,
        status(
          404,
          'NotFound',
          `${kind === 'Job' ? 'jobs.batch' : 'pods'} "${name}" not found`,
          { name, kind: kind === 'Job' ? 'jobs' : 'pods' },
        ),
      );
      return;
    }
    this.send(res, 200, clone(obj));
  }

  private watch(
    res: ServerResponse,
    kind: 'Job' | 'Pod',
    ns: string,
    url: URL,
  ) {
    const selector = parseSelector(url.searchParams.get('labelSelector'));
    const fromText = url.searchParams.get('resourceVersion');
    const from = fromText ? Number(fromText) : 0;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
    });
    const write = (e: Obj) => res.write(`${JSON.stringify(e)}\n`);
    if (from && from < this.oldestRv - 1) {
      // the real API server answers 200 and sends one ERROR event
      write({
        type: 'ERROR',
        object: status(
          410,
          'Expired',
          `too old resource version: ${from} (${this.oldestRv})`,
        ),
      });
      res.end();
      return;
    }
    if (!from) {
      for (const o of this.collection(kind)) {
        if (o.metadata.namespace === ns && matches(selector, o))
          write({ type: 'ADDED', object: clone(o) });
      }
    } else {
      for (const e of this.events) {
        if (
          e.rv > from &&
          e.kind === kind &&
          e.object.metadata.namespace === ns &&
          matches(selector, e.object)
        ) {
          write({ type: e.type, object: e.object });
        }
      }
    }
    const watcher: Watcher = { kind, namespace: ns, selector, res };
    this.watchers.add(watcher);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const timer =
      timeout > 0
        ? setTimeout(() => {
            // the watch ends as the real server ends it: no event after this
            this.watchers.delete(watcher);
            res.end();
          }, timeout * 1000)
        : undefined;
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }

  private emit(type: WatchEvent['type'], kind: 'Job' | 'Pod', object: Obj) {
    const event: WatchEvent = {
      rv: Number(object.metadata.resourceVersion),
      type,
      kind,
      object: clone(object),
    };
    this.events.push(event);
    for (const w of this.watchers) {
      if (w.res.writableEnded || w.res.destroyed) {
        this.watchers.delete(w);
        continue;
      }
      if (
        w.kind === kind &&
        w.namespace === object.metadata.namespace &&
        matches(w.selector, object)
      ) {
        w.res.write(`${JSON.stringify({ type, object: event.object })}\n`);
      }
    }
  }

  private bump(obj: Obj) {
    obj.metadata.resourceVersion = String(++this.rv);
  }

  /** Adds a pod, or replaces one of the same name (a controller's pods, not a Job's). */
  private putPod(pod: Obj) {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const existing = this.pods.get(key);
    const copy = clone(pod);
    this.bump(copy);
    if (existing) {
      existing.pod = copy;
      this.emit('MODIFIED', 'Pod', copy);
    } else {
      this.pods.set(key, {
        pod: copy,
        log: '',
        followers: new Set(),
        timers: [],
      });
      this.emit('ADDED', 'Pod', copy);
    }
  }

  private removePod(namespace: string, name: string) {
    const key = `${namespace}/${name}`;
    const state = this.pods.get(key);
    if (!state) return;
    state.timers.forEach(clearTimeout);
    this.finishPodLog(state);
    this.pods.delete(key);
    this.bump(state.pod);
    this.emit('DELETED', 'Pod', state.pod);
  }

  // ---------------------------------------------------------------- jobs

  private postJob(res: ServerResponse, ns: string, body: Obj) {
    const name = body?.metadata?.name;
    if (!name) {
      this.send(
        res,
        422,
        status(
          422,
          'Invalid',
          'Job.batch is invalid: metadata.name: Required value',
        ),
      );
      return;
    }
    if (this.jobs.has(`${ns}/${name}`)) {
      this.send(
        res,
        409,
        status(409, 'AlreadyExists', `jobs.batch "${name}" already exists`, {
          name,
          group: 'batch',
          kind: 'jobs',
        }),
      );
      return;
    }
    const job = this.createJob(ns, body);
    this.createdJobs++;
    this.send(res, 201, clone(job));
    this.onJobCreated?.(job);
  }

  private createJob(ns: string, body: Obj): Obj {
    const job: Obj = {
      ...body,
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        ...body.metadata,
        namespace: ns,
        uid: randomUUID(),
        creationTimestamp: new Date().toISOString(),
      },
      status: {},
    };
    this.bump(job);
    this.jobs.set(`${ns}/${job.metadata.name}`, job);
    this.emit('ADDED', 'Job', job);
    this.runJob(job);
    return job;
  }

  private updateJob(job: Obj, change: (j: Obj) => void) {
    if (this.jobs.get(`${job.metadata.namespace}/${job.metadata.name}`) !== job)
      return;
    change(job);
    this.bump(job);
    this.emit('MODIFIED', 'Job', job);
  }

  private deleteJob(
    res: ServerResponse,
    ns: string,
    name: string,
    body: Obj | undefined,
  ) {
    const job = this.jobs.get(`${ns}/${name}`);
    if (!job) {
      this.send(
        res,
        404,
        status(404, 'NotFound', `jobs.batch "${name}" not found`, {
          name,
          group: 'batch',
          kind: 'jobs',
        }),
      );
      return;
    }
    this.removeJob(job);
    this.send(res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: 'batch', kind: 'jobs', uid: job.metadata.uid },
      propagationPolicy: body?.propagationPolicy,
    });
  }

  /** Deletes a Job (and, in the background, its pods), as the API server and GC would. */
  removeJob(job: Obj) {
    const key = `${job.metadata.namespace}/${job.metadata.name}`;
    if (!this.jobs.has(key)) return;
    this.jobs.delete(key);
    (this.jobTimers.get(key) ?? []).forEach(clearTimeout);
    this.jobTimers.delete(key);
    this.bump(job);
    this.emit('DELETED', 'Job', job);
    for (const [podKey, p] of this.pods) {
      if (
        p.pod.metadata.labels?.['job-name'] === job.metadata.name &&
        p.pod.metadata.namespace === job.metadata.namespace
      ) {
        p.timers.forEach(clearTimeout);
        setTimeout(() => {
          this.finishPodLog(p);
          this.pods.delete(podKey);
          this.bump(p.pod);
          this.emit('DELETED', 'Pod', p.pod);
        }, 50);
      }
    }
  }

  // ---------------------------------------------------------------- controller

  private runJob(job: Obj) {
    const key = `${job.metadata.namespace}/${job.metadata.name}`;
    const behaviour = this.behave(job);
    const timers: NodeJS.Timeout[] = [];
    this.jobTimers.set(key, timers);
    const startDelay = behaviour.startDelayMs ?? 10;
    const deadline = job.spec?.activeDeadlineSeconds;
    const startedAt = Date.now();
    timers.push(
      setTimeout(() => {
        const container = job.spec.template.spec.containers[0];
        const podName = `${job.metadata.name}-${Math.random()
          .toString(36)
          .slice(2, 7)}`;
        const pod: Obj = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: podName,
            namespace: job.metadata.namespace,
            uid: randomUUID(),
            labels: {
              ...(job.spec.template.metadata?.labels ?? {}),
              'job-name': job.metadata.name,
              'controller-uid': job.metadata.uid,
            },
            creationTimestamp: new Date().toISOString(),
          },
          spec: clone(job.spec.template.spec),
          status: {
            phase: 'Running',
            startTime: new Date().toISOString(),
            containerStatuses: [
              { name: container.name, state: { running: {} } },
            ],
          },
        };
        this.bump(pod);
        const state: PodState = {
          pod,
          log: '',
          followers: new Set(),
          timers: [],
        };
        this.pods.set(`${pod.metadata.namespace}/${podName}`, state);
        this.emit('ADDED', 'Pod', pod);
        this.updateJob(job, j => {
          j.status = {
            ...j.status,
            active: 1,
            startTime: new Date(startedAt).toISOString(),
          };
        });

        const lines = behaviour.lines ?? [];
        const interval = behaviour.intervalMs ?? 20;
        // The container's steps one after the other, each timer set by the one
        // before: timers of different lengths set at once (5, 10, 15 ms) can
        // fire out of order on a busy event loop, which printed lines out of
        // order, or completed the Job before its last lines were printed.
        const step = (i: number) => {
          if (i >= lines.length && behaviour.runForever) return;
          state.timers.push(
            setTimeout(() => {
              if (i < lines.length) {
                this.writeLog(state, lines[i]);
                step(i + 1);
              } else {
                this.finishJob(job, state, behaviour.exitCode ?? 0);
              }
            }, interval),
          );
        };
        step(0);
        if (deadline || behaviour.deadlineMs) {
          const remaining =
            (behaviour.deadlineMs ?? deadline * 1000) -
            (Date.now() - startedAt);
          state.timers.push(
            setTimeout(
              () => this.exceedDeadline(job, state),
              Math.max(0, remaining),
            ),
          );
        }
      }, startDelay),
    );
  }

  private writeLog(state: PodState, text: string) {
    state.log += text;
    for (const f of state.followers) f.res.write(text);
  }

  private finishPodLog(state: PodState) {
    for (const f of state.followers) f.res.end();
    state.followers.clear();
  }

  private finishJob(job: Obj, state: PodState, exitCode: number) {
    state.timers.forEach(clearTimeout);
    const now = new Date().toISOString();
    state.pod.status = {
      ...state.pod.status,
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      containerStatuses: [
        {
          name: state.pod.spec.containers[0].name,
          state: {
            terminated: {
              exitCode,
              reason: exitCode === 0 ? 'Completed' : 'Error',
              finishedAt: now,
            },
          },
        },
      ],
    };
    this.bump(state.pod);
    this.emit('MODIFIED', 'Pod', state.pod);
    this.finishPodLog(state);
    this.updateJob(job, j => {
      j.status =
        exitCode === 0
          ? {
              startTime: j.status.startTime,
              completionTime: now,
              succeeded: 1,
              ready: 0,
              terminating: 0,
              conditions: [
                {
                  type: 'SuccessCriteriaMet',
                  status: 'True',
                  lastTransitionTime: now,
                },
                { type: 'Complete', status: 'True', lastTransitionTime: now },
              ],
            }
          : {
              startTime: j.status.startTime,
              failed: 1,
              ready: 0,
              terminating: 0,
              conditions: [
                {
                  type: 'FailureTarget',
                  status: 'True',
                  reason: 'BackoffLimitExceeded',
                  message: 'Job has reached the specified backoff limit',
                  lastTransitionTime: now,
                },
                {
                  type: 'Failed',
                  status: 'True',
                  reason: 'BackoffLimitExceeded',
                  message: 'Job has reached the specified backoff limit',
                  lastTransitionTime: now,
                },
              ],
            };
    });
  }

  private exceedDeadline(job: Obj, state: PodState) {
    if (job.status?.conditions?.length) return;
    state.timers.forEach(clearTimeout);
    const now = new Date().toISOString();
    state.pod.status = {
      ...state.pod.status,
      phase: 'Failed',
      reason: 'DeadlineExceeded',
    };
    this.bump(state.pod);
    this.emit('MODIFIED', 'Pod', state.pod);
    this.finishPodLog(state);
    this.updateJob(job, j => {
      j.status = {
        startTime: j.status.startTime,
        failed: 1,
        ready: 0,
        terminating: 0,
        conditions: [
          {
            type: 'FailureTarget',
            status: 'True',
            reason: 'DeadlineExceeded',
            message: 'Job was active longer than specified deadline',
            lastTransitionTime: now,
          },
          {
            type: 'Failed',
            status: 'True',
            reason: 'DeadlineExceeded',
            message: 'Job was active longer than specified deadline',
            lastTransitionTime: now,
          },
        ],
      };
    });
  }

  // ---------------------------------------------------------------- logs

  private podLog(res: ServerResponse, ns: string, name: string, url: URL) {
    const state = this.pods.get(`${ns}/${name}`);
    if (!state) {
      this.send(
        res,
        404,
        status(404, 'NotFound', `pods "${name}" not found`, {
          name,
          kind: 'pods',
        }),
      );
      return;
    }
    const container = url.searchParams.get('container');
    if (
      container &&
      !state.pod.spec.containers.some((c: Obj) => c.name === container)
    ) {
      this.send(
        res,
        400,
        status(
          400,
          'BadRequest',
          `container ${container} is not valid for pod ${name}`,
        ),
      );
      return;
    }
    const follow = url.searchParams.get('follow') === 'true';
    const running = state.pod.status.phase === 'Running';
    res.writeHead(200, {
      'Content-Type': 'text/plain',
      'Transfer-Encoding': 'chunked',
    });
    res.write(state.log);
    if (!follow || !running) {
      res.end();
      return;
    }
    const follower: LogFollower = { res };
    state.followers.add(follower);
    res.on('close', () => state.followers.delete(follower));
  }
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
