/*
 * The chaos of the soak (test/soak/run.ts): a driver that SIGKILLs a backend
 * every 20–40 s and starts a new one in its place at once, and faults injected
 * into the fake Kubernetes API every 1–3 s. TEST-ONLY.
 */
import type {
  FakeKubernetesProcess,
  FaultKind,
  RequestMatch,
} from '../kubernetes/fakeKubernetesProcess';
import { SoakBackendProcess } from './SoakBackendProcess';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);
const pick = <T>(items: T[]): T =>
  items[Math.floor(Math.random() * items.length)];

const JOBS: RequestMatch = { pathPart: '/jobs' };

/** The faults, each with what it hits and how many requests. */
const FAULTS: Array<{
  name: string;
  kind: FaultKind;
  count: number;
  match?: RequestMatch;
  value?: number;
}> = [
  { name: '500 on Job requests', kind: 'status', count: 3, match: JOBS },
  { name: '503 on any request', kind: 'status', count: 2, value: 503 },
  {
    name: 'Job created, answer lost (503)',
    kind: 'lose-response',
    count: 1,
    match: { method: 'POST', pathPart: '/jobs' },
  },
  {
    name: 'slow Job creation (3 s)',
    kind: 'delay',
    count: 3,
    match: { method: 'POST', pathPart: '/jobs' },
    value: 3000,
  },
  {
    name: 'slow watch (2 s)',
    kind: 'delay',
    count: 2,
    match: { watch: true },
    value: 2000,
  },
  { name: 'dropped watches', kind: 'drop-watches', count: 1 },
  { name: '410 Expired (history compacted)', kind: 'expire-history', count: 1 },
  { name: 'connection reset', kind: 'reset', count: 2 },
  { name: 'request never answered', kind: 'hang', count: 1, match: JOBS },
];

/** One kill: when, and which deploys had not ended then. */
export interface Kill {
  at: number;
  unfinished: string[];
}

export class Chaos {
  readonly kills: Kill[] = [];
  readonly faults = new Map<string, number>();
  private stopped = false;
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly options: {
      backends: SoakBackendProcess[];
      /** starts a backend in the place of a killed one */
      restart: (index: number) => Promise<SoakBackendProcess>;
      fake: FakeKubernetesProcess;
      /** the deploys not yet final, when a backend is killed */
      unfinished: () => Promise<string[]>;
    },
  ) {}

  start() {
    this.running.push(this.killLoop(), this.faultLoop());
  }

  async stop() {
    this.stopped = true;
    await Promise.all(this.running);
  }

  private async wait(ms: number) {
    const end = Date.now() + ms;
    while (!this.stopped && Date.now() < end) {
      await sleep(Math.min(250, end - Date.now()));
    }
  }

  private async killLoop() {
    const { backends, restart, unfinished } = this.options;
    for (;;) {
      await this.wait(between(20_000, 40_000));
      if (this.stopped) return;
      const index = Math.floor(Math.random() * backends.length);
      const at = Date.now();
      const open = await unfinished();
      await backends[index].kill();
      this.kills.push({ at, unfinished: open });
      backends[index] = await restart(index);
    }
  }

  private async faultLoop() {
    const { fake } = this.options;
    for (;;) {
      await this.wait(between(1_000, 3_000));
      if (this.stopped) return;
      const fault = pick(FAULTS);
      await fake.injectFault(fault.kind, fault.count, fault.match, fault.value);
      this.faults.set(fault.name, (this.faults.get(fault.name) ?? 0) + 1);
    }
  }
}
