/*
 * What must hold after the chaos soak (test/soak/run.ts), read from the
 * database and the fake Kubernetes API. TEST-ONLY.
 */
import {
  ACTIVE_DEPLOY_STATUSES,
  FINAL_DEPLOY_STATUSES,
  isFinalReleaseStatus,
} from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import type { FakeKubernetesProcess } from '../kubernetes/fakeKubernetesProcess';

const FINAL_DEPLOY: ReadonlyArray<string> = FINAL_DEPLOY_STATUSES;

/** The lines every Job of the soak prints, in this order. */
export const soakLines = (count: number) =>
  Array.from({ length: count }, (_, i) => `soak step ${i + 1} of ${count}\n`);

export interface InvariantReport {
  deploys: number;
  /** ran: a Job was (or should have been) created */
  ran: number;
  /** ended `lost`, or failed with a "lost:" message */
  lost: string[];
  /** more than one Job created for one deploy */
  duplicated: string[];
  /** not final at the end */
  stuck: string[];
  /** a deploy that ran without a Job ever created for it */
  withoutJob: string[];
  /** a Job still running for a cancelled (or otherwise ended) deploy */
  runningAfterEnd: string[];
  /** two deploys of one target whose running times overlap */
  overlapping: string[];
  /**
   * a succeeded deploy whose log misses, repeats or reorders a line, or a
   * failed or cancelled one whose log is not the lines' beginning, in order
   */
  badLogs: string[];
  /** releases not final at the end */
  releasesStuck: string[];
  releases: number;
}

type Row = Record<string, any>;
const time = (v: unknown) => new Date(v as string).getTime();

export async function checkInvariants(
  knex: Knex,
  fake: FakeKubernetesProcess,
  options: { namespace: string; label: string; lines: number },
): Promise<InvariantReport> {
  const deploys: Row[] = await knex('sled_deploys')
    .select(
      'id',
      'entity_ref',
      'environment',
      'status',
      'message',
      'started_at',
      'finished_at',
    )
    .orderBy('seq');
  const created = await fake.createdPerLabel(options.label);
  const jobs = await fake.jobSummaries(options.namespace, options.label);

  // skipped deploys are stamped started and finished at once; they never ran
  const ran = deploys.filter(d => d.started_at && d.status !== 'skipped');
  const byId = new Map(deploys.map(d => [d.id as string, d]));

  const lost = deploys
    .filter(
      d => d.status === 'lost' || String(d.message ?? '').startsWith('lost:'),
    )
    .map(d => d.id);
  const duplicated = Object.entries(created)
    .filter(([id, n]) => id && n > 1)
    .map(([id, n]) => `${id} (${n} Jobs)`);
  const stuck = deploys
    .filter(d => !FINAL_DEPLOY.includes(d.status))
    .map(d => `${d.id} (${d.status})`);
  // a deploy that started and did not end before its Job was made (cancelled
  // while queued, say) may have none; one that succeeded or failed must have
  // (a Job create the API server refused fails the deploy, with no Job)
  const withoutJob = deploys
    .filter(
      d =>
        ['succeeded', 'failed'].includes(d.status) &&
        !created[d.id] &&
        !/could not create|answered \d{3} while trying to create Job/.test(
          String(d.message ?? ''),
        ),
    )
    .map(d => `${d.id} (${d.status}: ${d.message ?? ''})`);
  const runningAfterEnd = jobs
    .filter(j => j.active && FINAL_DEPLOY.includes(byId.get(j.label)?.status))
    .map(j => `${j.name} (deploy ${byId.get(j.label)?.status})`);

  const overlapping: string[] = [];
  const perTarget = new Map<string, Row[]>();
  for (const d of ran) {
    const key = `${d.entity_ref}#${d.environment}`;
    perTarget.set(key, [...(perTarget.get(key) ?? []), d]);
  }
  for (const [target, list] of perTarget) {
    list.sort((a, b) => time(a.started_at) - time(b.started_at));
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1];
      const end = before.finished_at ? time(before.finished_at) : Infinity;
      if (time(list[i].started_at) < end) {
        overlapping.push(`${target}: ${before.id} and ${list[i].id}`);
      }
    }
  }

  const expected = soakLines(options.lines).join('');
  const badLogs: string[] = [];
  const ended = ['succeeded', 'failed', 'cancelled'];
  for (const d of deploys.filter(r => ended.includes(r.status))) {
    const chunks: Row[] = await knex('sled_deploy_logs')
      .where({ deploy_id: d.id })
      .orderBy('chunk')
      .select('text');
    const steps = chunks
      .map(c => c.text as string)
      .join('')
      .split('\n')
      .filter(line => line.startsWith('soak step '))
      .map(line => `${line}\n`)
      .join('');
    const complete = d.status === 'succeeded';
    if (complete ? steps !== expected : !expected.startsWith(steps)) {
      badLogs.push(`${d.id} (${d.status})`);
    }
  }

  const releases: Row[] = await knex('sled_releases').select('id', 'status');
  const releasesStuck = releases
    .filter(r => !isFinalReleaseStatus(r.status))
    .map(r => `${r.id} (${r.status})`);

  return {
    deploys: deploys.length,
    ran: ran.length,
    lost,
    duplicated,
    stuck,
    withoutJob,
    runningAfterEnd,
    overlapping,
    badLogs,
    releasesStuck,
    releases: releases.length,
  };
}

/** Every deploy and release final, or false at the timeout. */
export async function waitUntilFinal(
  knex: Knex,
  timeoutMs: number,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const [{ n }] = await knex('sled_deploys')
      .whereIn('status', ACTIVE_DEPLOY_STATUSES)
      .count({ n: '*' });
    const [{ r }] = await knex('sled_releases')
      .where('status', 'running')
      .count({ r: '*' });
    if (Number(n) === 0 && Number(r) === 0) return true;
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  return false;
}
