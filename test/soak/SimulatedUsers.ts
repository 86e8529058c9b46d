/*
 * People and CI using SLeD during the chaos soak (test/soak/run.ts): they
 * register artifacts, deploy, cancel, roll back, lock and unlock, and release
 * a deploy group, each request to whichever backend is up. TEST-ONLY.
 *
 * A request whose backend dies under it is sent again to another backend;
 * deploys carry an Idempotency-Key, so a deploy accepted just before the kill
 * is answered, not made twice.
 */
import { randomUUID } from 'crypto';
import { mockCredentials } from '@backstage/backend-test-utils';

const USER = mockCredentials.user.header('user:default/soak');
const CI = mockCredentials.service.header();

/** What the users can reach: the backends' current addresses. */
export interface SoakTargets {
  /** the URLs of the backends that are up now */
  urls(): string[];
  services: string[];
  deployGroup: string;
  environment: string;
}

type Action =
  | 'register'
  | 'deploy'
  | 'cancel'
  | 'rollback'
  | 'lock'
  | 'unlock'
  | 'release'
  | 'cancel release'
  | 'read';

const WEIGHTS: Array<[Action, number]> = [
  ['deploy', 40],
  ['register', 10],
  ['cancel', 8],
  ['rollback', 5],
  ['lock', 4],
  ['unlock', 5],
  ['release', 3],
  ['cancel release', 2],
  ['read', 23],
];

const pick = <T>(items: T[]): T =>
  items[Math.floor(Math.random() * items.length)];
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Answers of one request: status, body, or the network error. */
interface Answer {
  status: number;
  body: any;
}

export class SimulatedUsers {
  /** per action and answer (`202`, `409`, `network`) */
  readonly answers = new Map<string, number>();
  /** deploys the API accepted (200 skipped or 202 queued) */
  readonly accepted = new Set<string>();
  readonly releases = new Set<string>();
  private readonly artifacts = new Map<string, string[]>();
  private readonly locks = new Set<string>();
  private versions = 0;
  private stopped = false;

  constructor(private readonly targets: SoakTargets) {}

  get requests(): number {
    return [...this.answers.values()].reduce((a, b) => a + b, 0);
  }

  /** Registers a first artifact of every service. */
  async prepare(): Promise<void> {
    for (const service of this.targets.services) {
      await this.register(service);
    }
  }

  /** `count` users acting until stop(). */
  async run(count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.user()));
  }

  stop() {
    this.stopped = true;
  }

  private async user() {
    const total = WEIGHTS.reduce((a, [, w]) => a + w, 0);
    while (!this.stopped) {
      let roll = Math.random() * total;
      const action = WEIGHTS.find(([, w]) => (roll -= w) < 0)![0];
      await this.act(action);
      // people think between two clicks
      await sleep(500 + Math.random() * 1500);
    }
  }

  private count(action: string, answer: Answer | 'network') {
    const key = `${action} ${answer === 'network' ? 'network' : answer.status}`;
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
  }

  /**
   * Sends a request to a backend that is up; on a network error (the backend
   * was killed) to another one, up to a few times.
   */
  private async send(
    action: string,
    method: string,
    path: string,
    options: { body?: object; auth?: string; key?: string } = {},
  ): Promise<Answer | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const urls = this.targets.urls();
      if (!urls.length) {
        await sleep(500);
        continue;
      }
      try {
        const res = await fetch(`${pick(urls)}/api/sled${path}`, {
          method,
          headers: {
            Authorization: options.auth ?? USER,
            'Content-Type': 'application/json',
            ...(options.key ? { 'Idempotency-Key': options.key } : {}),
          },
          body: options.body ? JSON.stringify(options.body) : undefined,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        const answer = { status: res.status, body: text && safeJson(text) };
        this.count(action, answer);
        return answer;
      } catch {
        this.count(action, 'network');
        await sleep(200);
      }
    }
    return undefined;
  }

  private async register(service: string) {
    const version = `1.0.${this.versions++}`;
    const res = await this.send('register', 'POST', '/artifacts', {
      auth: CI,
      body: {
        entityRef: service,
        version,
        commitSha: 'abcdef1234567',
        image: `registry.example/soak:${version}`,
      },
    });
    if (res && (res.status === 201 || res.status === 200)) {
      const list = this.artifacts.get(service) ?? [];
      list.push(res.body.id);
      this.artifacts.set(service, list.slice(-5));
    }
  }

  private async act(action: Action) {
    const { services, environment, deployGroup } = this.targets;
    const service = pick(services);
    switch (action) {
      case 'register':
        return this.register(service);
      case 'deploy': {
        const artifactId = pick(this.artifacts.get(service) ?? []);
        if (!artifactId) return undefined;
        const res = await this.send('deploy', 'POST', '/deploys', {
          key: randomUUID(),
          body: {
            entityRef: service,
            environment,
            artifactId,
            force: Math.random() < 0.3,
            dryRun: Math.random() < 0.05,
          },
        });
        if (res && (res.status === 200 || res.status === 202)) {
          this.accepted.add(res.body.id);
        }
        return undefined;
      }
      case 'cancel': {
        const id = pick([...this.accepted].slice(-20));
        if (!id) return undefined;
        return this.send('cancel', 'POST', `/deploys/${id}/cancel`);
      }
      case 'rollback':
        return this.send('rollback', 'POST', '/rollbacks', {
          body: { entityRef: service, environment },
        }).then(res => {
          if (res && (res.status === 200 || res.status === 202)) {
            this.accepted.add(res.body.id);
          }
        });
      case 'lock': {
        const res = await this.send('lock', 'POST', '/locks', {
          body: { environment, entityRef: service, reason: 'soak: a lock' },
        });
        if (res?.status === 201) this.locks.add(res.body.id);
        return undefined;
      }
      case 'unlock': {
        const id = pick([...this.locks]);
        if (!id) return undefined;
        const res = await this.send('unlock', 'DELETE', `/locks/${id}`);
        if (res && (res.status === 204 || res.status === 404)) {
          this.locks.delete(id);
        }
        return undefined;
      }
      case 'release': {
        const res = await this.send('release', 'POST', '/releases', {
          body: { deployGroup, environment },
        });
        if (res?.status === 202) this.releases.add(res.body.id);
        return undefined;
      }
      case 'cancel release': {
        const id = pick([...this.releases].slice(-5));
        if (!id) return undefined;
        return this.send('cancel release', 'POST', `/releases/${id}/cancel`);
      }
      default:
        return this.send(
          'read',
          'GET',
          `/state?entityRef=${encodeURIComponent(service)}`,
        );
    }
  }

  /** Removes the locks still held, so the end of the soak can drain. */
  async unlockAll(): Promise<void> {
    for (const id of [...this.locks]) {
      await this.send('unlock', 'DELETE', `/locks/${id}`);
      this.locks.delete(id);
    }
  }
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
