/*
 * The fake Kubernetes API server (FakeKubernetesApi) in a child process of its
 * own. TEST-ONLY (benchmarks).
 *
 * A real API server runs on other machines: in one process with the backend,
 * the fake's HTTPS, JSON and job-controller work would be charged to the
 * backend. `FakeKubernetesProcess.start()` forks this file (with the same
 * TypeScript transform) and drives the fake over IPC: its url/caData/token,
 * the controller's behaviour as data, counters and inspection as async calls,
 * and stop. Tests that need the fake's knobs as functions keep using
 * FakeKubernetesApi in-process.
 */
import { ChildProcess, fork } from 'child_process';
import type { FakeKubernetesApi, JobBehaviour } from './FakeKubernetesApi';

type Obj = Record<string, any>;
type Pems = { private: string; cert: string };

/** What the child answers; every call is `{ id, op, args }` → `{ id, result }` or `{ id, error }`. */
interface Ops {
  stats(): { createdJobs: number; requests: number };
  getJob(namespace: string, name: string): Obj | undefined;
  /** the Job once it exists (created through the API or already there), or undefined after `timeoutMs` */
  waitForJob(
    namespace: string,
    name: string,
    timeoutMs: number,
  ): Obj | undefined;
  /** once `createdJobs >= count`: the count and the child's Date.now() when it got there; `at` 0 after `timeoutMs` */
  waitForCreatedJobs(
    count: number,
    timeoutMs: number,
  ): { createdJobs: number; at: number };
  /** of `names`, those with no Job in `namespace` */
  missingJobs(namespace: string, names: string[]): string[];
  /** Jobs in `namespace` per value of label `label` (Jobs without it under '') */
  jobsPerLabel(namespace: string, label: string): Record<string, number>;
  /** how many requests had `method` and a path containing `pathPart` */
  countRequests(method: string, pathPart: string): number;
  /** requests from the `from`-th on, per kind: `GET jobs?watch`, `POST jobs`, `GET pods/:name/log?follow` … */
  requestKinds(from: number): Record<string, number>;
  /** Jobs ever created (201) per value of label `label`, deleted ones included */
  createdPerLabel(label: string): Record<string, number>;
  /** every Job now in `namespace`: its name, label `label`, and whether it still runs */
  jobSummaries(
    namespace: string,
    label: string,
  ): Array<{ name: string; label: string; active: boolean }>;
  /** injects one fault into the next `count` requests matching `match` (see FaultKind) */
  injectFault(
    kind: FaultKind,
    count: number,
    match?: RequestMatch,
    value?: number,
  ): void;
}

/** A fault the parent can inject over IPC (functions do not cross it: matches are data). */
export type FaultKind =
  | 'status' // answer `value` (default 500) without doing anything
  | 'lose-response' // do it, then answer `value` (default 503)
  | 'hang' // never answer
  | 'reset' // close the connection unanswered
  | 'delay' // do it `value` ms late
  | 'drop-watches' // cut every open watch now (count, match unused)
  | 'expire-history'; // forget the event history: watches from before get 410 Expired

/** Which requests a fault hits: all of them, or by method and a part of the path. */
export interface RequestMatch {
  method?: string;
  pathPart?: string;
  /** only watch requests (`?watch=true`) */
  watch?: boolean;
}

type Call = { id: number; op: keyof Ops | 'stop'; args: any[] };

/** Marks this module's messages: the TypeScript transform sends the parent `{ type: 'watch' }` messages of its own. */
const TAG = 'sled-fake-kubernetes';
const ours = (m: any) => m && typeof m === 'object' && m.tag === TAG;

/** Parent side: the fake API server running in a child process. */
export class FakeKubernetesProcess {
  /** the CA of the first child, handed to the next ones: making an RSA key in JS is slow */
  private static pems?: Pems;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: any) => void; reject: (e: Error) => void }
  >();
  private exited = false;

  readonly url: string;
  readonly caData: string;
  readonly token: string;
  private readonly child: ChildProcess;

  private constructor(
    child: ChildProcess,
    url: string,
    caData: string,
    token: string,
  ) {
    this.child = child;
    this.url = url;
    this.caData = caData;
    this.token = token;
    child.on('message', (m: any) => {
      if (!ours(m)) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('error' in m)
        p.reject(new Error(`fake Kubernetes API process: ${m.error}`));
      else p.resolve(m.result);
    });
    child.on('exit', code => {
      this.exited = true;
      for (const p of this.pending.values())
        p.reject(new Error(`fake Kubernetes API process exited (${code})`));
      this.pending.clear();
    });
  }

  /** Forks the fake; `behaviour` is what each Job does (as FakeKubernetesApi.behave returns it, for every Job). */
  static async start(
    options: { behaviour?: JobBehaviour } = {},
  ): Promise<FakeKubernetesProcess> {
    const child = fork(__filename, [], {
      // not process.execArgv: a --cpu-prof or --inspect of the parent is not the fake's
      execArgv: [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, SLED_FAKE_KUBERNETES_CHILD: '1' },
    });
    const ready = await new Promise<any>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', code =>
        reject(
          new Error(
            `fake Kubernetes API process exited (${code}) before it was ready`,
          ),
        ),
      );
      child.on('message', m => ours(m) && resolve(m));
      child.send({
        tag: TAG,
        behaviour: options.behaviour,
        pems: FakeKubernetesProcess.pems,
      });
    });
    child.removeAllListeners('error');
    child.removeAllListeners('exit');
    child.removeAllListeners('message');
    FakeKubernetesProcess.pems ??= ready.pems;
    return new FakeKubernetesProcess(
      child,
      ready.url,
      ready.caData,
      ready.token,
    );
  }

  private call<K extends keyof Ops>(
    op: K,
    ...args: Parameters<Ops[K]>
  ): Promise<ReturnType<Ops[K]>> {
    if (this.exited)
      return Promise.reject(
        new Error('fake Kubernetes API process has exited'),
      );
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ tag: TAG, id, op, args });
    });
  }

  stats() {
    return this.call('stats');
  }
  async createdJobs() {
    return (await this.call('stats')).createdJobs;
  }
  getJob(namespace: string, name: string) {
    return this.call('getJob', namespace, name);
  }
  waitForJob(namespace: string, name: string, timeoutMs: number) {
    return this.call('waitForJob', namespace, name, timeoutMs);
  }
  waitForCreatedJobs(count: number, timeoutMs: number) {
    return this.call('waitForCreatedJobs', count, timeoutMs);
  }
  missingJobs(namespace: string, names: string[]) {
    return this.call('missingJobs', namespace, names);
  }
  jobsPerLabel(namespace: string, label: string) {
    return this.call('jobsPerLabel', namespace, label);
  }
  countRequests(method: string, pathPart: string) {
    return this.call('countRequests', method, pathPart);
  }
  requestKinds(from = 0) {
    return this.call('requestKinds', from);
  }
  createdPerLabel(label: string) {
    return this.call('createdPerLabel', label);
  }
  jobSummaries(namespace: string, label: string) {
    return this.call('jobSummaries', namespace, label);
  }
  injectFault(
    kind: FaultKind,
    count = 1,
    match?: RequestMatch,
    value?: number,
  ) {
    return this.call('injectFault', kind, count, match, value);
  }

  /** Stops the server and waits for the child to exit. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>(resolve =>
      this.child.once('exit', () => resolve()),
    );
    const id = this.nextId++;
    this.child.send({ tag: TAG, id, op: 'stop', args: [] });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Child side: one FakeKubernetesApi, answering the parent's calls. */
async function child() {
  // loaded here, not at the top: the parent needs no selfsigned and no server
  const { FakeKubernetesApi: Api } =
    require('./FakeKubernetesApi') as typeof import('./FakeKubernetesApi');
  const init: { behaviour?: JobBehaviour; pems?: Pems } = await new Promise(
    resolve => {
      const first = (m: any) => {
        if (!ours(m)) return;
        process.off('message', first);
        resolve(m);
      };
      process.on('message', first);
    },
  );
  if (init.pems) Api.certificate = init.pems;
  const fake: FakeKubernetesApi = await Api.start();
  const behaviour = init.behaviour;
  if (behaviour) fake.behave = () => ({ ...behaviour });

  const jobWaiters = new Map<string, Set<(job: Obj) => void>>();
  const created: Obj[] = [];
  const countWaiters = new Set<{ count: number; done: (n: number) => void }>();
  fake.onJobCreated = job => {
    created.push({ labels: { ...job.metadata.labels } });
    const key = `${job.metadata.namespace}/${job.metadata.name}`;
    const waiters = jobWaiters.get(key);
    if (waiters) {
      jobWaiters.delete(key);
      const copy = fake.getJob(job.metadata.namespace, job.metadata.name)!;
      for (const w of waiters) w(copy);
    }
    for (const w of countWaiters) {
      if (fake.createdJobs >= w.count) {
        countWaiters.delete(w);
        w.done(fake.createdJobs);
      }
    }
  };

  const ops: {
    [K in keyof Ops]: (
      ...args: Parameters<Ops[K]>
    ) => ReturnType<Ops[K]> | Promise<ReturnType<Ops[K]>>;
  } = {
    stats: () => ({
      createdJobs: fake.createdJobs,
      requests: fake.requests.length,
    }),
    getJob: (namespace, name) => fake.getJob(namespace, name),
    waitForJob: (namespace, name, timeoutMs) => {
      const now = fake.getJob(namespace, name);
      if (now) return now;
      const key = `${namespace}/${name}`;
      return new Promise(resolve => {
        const waiter = (job: Obj | undefined) => {
          clearTimeout(timer);
          jobWaiters.get(key)?.delete(waiter);
          resolve(job);
        };
        const timer = setTimeout(
          () => waiter(fake.getJob(namespace, name)),
          timeoutMs,
        );
        if (!jobWaiters.has(key)) jobWaiters.set(key, new Set());
        jobWaiters.get(key)!.add(waiter);
      });
    },
    waitForCreatedJobs: (count, timeoutMs) => {
      if (fake.createdJobs >= count)
        return { createdJobs: fake.createdJobs, at: Date.now() };
      return new Promise(resolve => {
        const w = {
          count,
          done: (n: number) => {
            clearTimeout(timer);
            resolve({ createdJobs: n, at: Date.now() });
          },
        };
        const timer = setTimeout(() => {
          countWaiters.delete(w);
          resolve({ createdJobs: fake.createdJobs, at: 0 });
        }, timeoutMs);
        countWaiters.add(w);
      });
    },
    missingJobs: (namespace, names) =>
      names.filter(name => !fake.getJob(namespace, name)),
    jobsPerLabel: (namespace, label) => {
      const counts: Record<string, number> = {};
      for (const job of fake.listJobs(namespace)) {
        const value = job.metadata.labels?.[label] ?? '';
        counts[value] = (counts[value] ?? 0) + 1;
      }
      return counts;
    },
    countRequests: (method, pathPart) =>
      fake.requestsTo(method, pathPart).length,
    createdPerLabel: label => {
      const counts: Record<string, number> = {};
      for (const job of created) {
        const value = job.labels?.[label] ?? '';
        counts[value] = (counts[value] ?? 0) + 1;
      }
      return counts;
    },
    jobSummaries: (namespace, label) =>
      fake.listJobs(namespace).map(job => ({
        name: job.metadata.name,
        label: job.metadata.labels?.[label] ?? '',
        active:
          !job.metadata.deletionTimestamp &&
          !(job.status?.conditions ?? []).some(
            (c: Obj) =>
              ['Complete', 'Failed'].includes(c.type) && c.status === 'True',
          ),
      })),
    injectFault: (kind, count, match, value) => {
      const matches = match
        ? (r: {
            method: string;
            path: string;
            query: Record<string, string>;
          }) =>
            (!match.method || r.method === match.method) &&
            (!match.pathPart || r.path.includes(match.pathPart)) &&
            (match.watch === undefined ||
              (r.query.watch === 'true') === match.watch)
        : undefined;
      switch (kind) {
        case 'status':
          return fake.failNext(count, value ?? 500, matches);
        case 'lose-response':
          return fake.loseResponseOfNext(count, value ?? 503, matches);
        case 'hang':
          return fake.hangNext(count, matches);
        case 'reset':
          return fake.resetNext(count, matches);
        case 'delay':
          return fake.delayNext(count, value ?? 2000, matches);
        case 'drop-watches':
          return fake.dropWatches();
        case 'expire-history':
          return fake.compactHistory();
        default:
          throw new Error(`unknown fault ${kind}`);
      }
    },
    requestKinds: from => {
      const kinds: Record<string, number> = {};
      for (const r of fake.requests.slice(from)) {
        const parts = r.path.split('/').filter(Boolean);
        const at = parts.findIndex(p => p === 'jobs' || p === 'pods');
        const shape =
          at < 0
            ? r.path
            : [
                parts[at],
                ...parts.slice(at + 1).map((p, i) => (i === 0 ? ':name' : p)),
              ].join('/');
        const flags = ['watch', 'follow'].filter(f => r.query[f] === 'true');
        const key = `${r.method} ${shape}${
          flags.length ? `?${flags.join('&')}` : ''
        }`;
        kinds[key] = (kinds[key] ?? 0) + 1;
      }
      return kinds;
    },
  };

  process.on('message', async (m: Call) => {
    if (!ours(m)) return;
    if (m.op === 'stop') {
      await fake.stop();
      process.disconnect?.();
      process.exit(0);
    }
    try {
      const result = await (ops[m.op] as (...a: any[]) => any)(...m.args);
      process.send!({ tag: TAG, id: m.id, result });
    } catch (error) {
      process.send!({
        tag: TAG,
        id: m.id,
        error: String((error as Error)?.stack ?? error),
      });
    }
  });
  // the parent went away without stop(): do not linger
  process.on('disconnect', () => process.exit(0));
  process.send!({
    tag: TAG,
    url: fake.url,
    caData: fake.caData,
    token: fake.token,
    pems: Api.certificate,
  });
}

if (require.main === module && process.env.SLED_FAKE_KUBERNETES_CHILD === '1') {
  child().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
