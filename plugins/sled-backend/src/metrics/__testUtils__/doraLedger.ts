import { Knex } from 'knex';

/**
 * A fixed ledger for DORA tests, in production unless noted (times UTC,
 * November 2026). A and B are the members of deploy group G; A is owned by
 * team-a, B and C by team-b. The figures expected of it are worked out by
 * hand in DatabaseDoraMetricsStore.test.ts.
 */
export const A = 'component:default/svc-a';
export const B = 'component:default/svc-b';
export const C = 'component:default/svc-c';
export const TEAM_A = 'group:default/team-a';
export const TEAM_B = 'group:default/team-b';

/** the window of the tests, and the one before it */
export const CURRENT = {
  from: new Date('2026-11-08T00:00:00.000Z'),
  to: new Date('2026-11-15T00:00:00.000Z'),
};
export const PREVIOUS = {
  from: new Date('2026-11-01T00:00:00.000Z'),
  to: new Date('2026-11-08T00:00:00.000Z'),
};

const owners: Record<string, string> = {
  [A]: TEAM_A,
  [B]: TEAM_B,
  [C]: TEAM_B,
};

/** artifact → [service, merge time of its merge request, if any] */
const artifacts: Record<string, [string, string | undefined]> = {
  a0: [A, '2026-11-07T00:00:00Z'],
  a1: [A, '2026-11-08T00:00:00Z'],
  a2: [A, '2026-11-09T00:00:00+00:00'],
  a3: [A, undefined],
  a4: [A, '2026-11-10T07:00:00+01:00'],
  b0: [B, undefined],
  b1: [B, '2026-11-11T00:00:00Z'],
  c0: [C, '2026-10-24T00:00:00Z'],
  c1: [C, '2026-11-08T12:00:00Z'],
};

interface LedgerDeploy {
  id: string;
  service: string;
  artifact: string;
  status: string;
  /** created → finished, `MM-DDTHH:MM` of 2026 */
  at: [string, string];
  environment?: string;
  dryRun?: boolean;
  rollbackOf?: string;
  release?: string;
}

/** releases: id → the release it rolls back, if any */
const releases: Record<string, string | undefined> = {
  REL1: undefined,
  REL2: 'REL1',
  REL3: 'REL-OLD',
  REL4: 'REL-OLD',
};

export const LEDGER: LedgerDeploy[] = [
  // before the windows: C's c0 succeeds, so its deploy on 11-09 is no first
  {
    id: 'd20',
    service: C,
    artifact: 'c0',
    status: 'succeeded',
    at: ['10-25T10:00', '10-25T10:10'],
  },
  // the previous window
  {
    id: 'd19',
    service: B,
    artifact: 'b1',
    status: 'failed',
    at: ['11-06T10:00', '11-06T10:10'],
  },
  {
    id: 'd1',
    service: A,
    artifact: 'a0',
    status: 'succeeded',
    at: ['11-07T12:00', '11-07T12:10'],
  },
  // the current window
  {
    id: 'd23',
    service: A,
    artifact: 'a1',
    status: 'succeeded',
    at: ['11-08T09:00', '11-08T09:05'],
    environment: 'staging',
  },
  {
    id: 'd2',
    service: A,
    artifact: 'a1',
    status: 'succeeded',
    at: ['11-08T10:00', '11-08T10:30'],
  },
  // rolls d2 back 95 minutes after it finished: d2 failed all the same
  {
    id: 'd3',
    service: A,
    artifact: 'a0',
    status: 'succeeded',
    at: ['11-08T12:00', '11-08T12:05'],
    rollbackOf: 'd2',
  },
  {
    id: 'd4',
    service: A,
    artifact: 'a2',
    status: 'failed',
    at: ['11-09T09:00', '11-09T09:20'],
  },
  {
    id: 'd21',
    service: C,
    artifact: 'c0',
    status: 'succeeded',
    at: ['11-09T08:00', '11-09T08:10'],
  },
  {
    id: 'd5',
    service: A,
    artifact: 'a2',
    status: 'succeeded',
    at: ['11-09T10:00', '11-09T10:40'],
  },
  {
    id: 'd22',
    service: C,
    artifact: 'c1',
    status: 'succeeded',
    at: ['11-09T11:00', '11-09T12:00'],
  },
  {
    id: 'd6',
    service: A,
    artifact: 'a2',
    status: 'succeeded',
    at: ['11-09T12:00', '11-09T12:10'],
  },
  {
    id: 'd7',
    service: A,
    artifact: 'a3',
    status: 'succeeded',
    at: ['11-10T07:00', '11-10T07:05'],
    dryRun: true,
  },
  {
    id: 'd8',
    service: A,
    artifact: 'a3',
    status: 'succeeded',
    at: ['11-10T08:00', '11-10T08:15'],
  },
  // a release rollback of an older release, 30 minutes after d8: d8 failed
  {
    id: 'd9',
    service: A,
    artifact: 'a2',
    status: 'succeeded',
    at: ['11-10T08:45', '11-10T08:50'],
    release: 'REL3',
  },
  {
    id: 'd10',
    service: A,
    artifact: 'a4',
    status: 'succeeded',
    at: ['11-11T10:00', '11-11T10:20'],
    release: 'REL1',
  },
  {
    id: 'd11',
    service: B,
    artifact: 'b1',
    status: 'succeeded',
    at: ['11-11T10:00', '11-11T10:20'],
    release: 'REL1',
  },
  // REL2 rolls REL1 back after 3 h 40 min: d10 and d11 failed
  {
    id: 'd12',
    service: A,
    artifact: 'a3',
    status: 'succeeded',
    at: ['11-11T14:00', '11-11T14:10'],
    release: 'REL2',
  },
  {
    id: 'd13',
    service: B,
    artifact: 'b0',
    status: 'succeeded',
    at: ['11-11T14:00', '11-11T14:10'],
    release: 'REL2',
  },
  {
    id: 'd14',
    service: A,
    artifact: 'a4',
    status: 'succeeded',
    at: ['11-12T09:00', '11-12T09:30'],
  },
  // a rollback 90 minutes after d14: within 2 h, not within 1 h
  {
    id: 'd15',
    service: A,
    artifact: 'a3',
    status: 'succeeded',
    at: ['11-12T11:00', '11-12T11:10'],
    release: 'REL4',
  },
  {
    id: 'd16',
    service: B,
    artifact: 'b1',
    status: 'lost',
    at: ['11-13T10:00', '11-13T10:05'],
  },
  {
    id: 'd17',
    service: A,
    artifact: 'a4',
    status: 'cancelled',
    at: ['11-13T11:00', '11-13T11:01'],
  },
  {
    id: 'd18',
    service: A,
    artifact: 'a4',
    status: 'rejected',
    at: ['11-13T12:00', '11-13T12:00'],
  },
  // after the window
  {
    id: 'd24',
    service: A,
    artifact: 'a4',
    status: 'succeeded',
    at: ['11-15T01:00', '11-15T01:10'],
  },
];

const time = (at: string) => new Date(`2026-${at}:00.000Z`).toISOString();

/** Writes the ledger, as the stores write rows (ISO text times on SQLite). */
export async function insertDoraLedger(knex: Knex): Promise<void> {
  await knex('sled_artifacts').insert(
    Object.entries(artifacts).map(([id, [service, mergedAt]]) => ({
      id,
      entity_ref: service,
      owner_ref: owners[service],
      version: id,
      spec: JSON.stringify({
        entityRef: service,
        version: id,
        commitSha: 'abcdef1',
        ...(mergedAt
          ? {
              mergeRequest: {
                url: `https://git.example/${id}`,
                title: id,
                mergedAt,
              },
            }
          : {}),
      }),
      content_hash: id,
      created_at: time('10-01T00:00'),
    })),
  );
  await knex('sled_releases').insert(
    Object.entries(releases).map(([id, rollbackOf]) => ({
      id,
      deploy_group: 'deploygroup:default/g',
      environment: 'production',
      status: 'succeeded',
      requested_by: 'user:default/tester',
      rollback_of: rollbackOf ?? null,
      created_at: time('11-01T00:00'),
    })),
  );
  for (const d of LEDGER) {
    await knex('sled_deploys').insert({
      id: d.id,
      entity_ref: d.service,
      owner_ref: owners[d.service],
      environment: d.environment ?? 'production',
      artifact_id: d.artifact,
      artifact_version: d.artifact,
      status: d.status,
      dry_run: d.dryRun ?? false,
      force: false,
      requested_by: 'user:default/tester',
      rollback_of: d.rollbackOf ?? null,
      release_id: d.release ?? null,
      launch: '{}',
      created_at: time(d.at[0]),
      started_at: time(d.at[0]),
      finished_at: time(d.at[1]),
    });
  }
}
