import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EvaluatePermissionRequest } from '@backstage/plugin-permission-common';
import { sledApiRef } from '../../api/SledApi';
import { SledClient } from '../../api/SledClient';
import {
  CreateLockRequest,
  CreateReleaseRequest,
  Lock,
  Release,
} from '@internal/plugin-sled-common';
import { EntitySledReleaseContent } from './EntitySledReleaseContent';
import {
  BASE_URL,
  makeArtifact,
  makeServiceState,
} from '../../__testUtils__/fixtures';
import { enabledButton } from '../../__testUtils__/buttons';

const ROCKET = 'component:default/rocket';
const MOON = 'component:default/moon';

const group: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'space', namespace: 'default' },
  spec: {
    owner: 'team-space',
    members: ['rocket', 'component:default/moon'],
    waves: [['rocket']],
  },
};

/** The tab inside a test app with the catalog's entity route mounted (member links). */
type Authorize = (
  request: EvaluatePermissionRequest,
) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;

function renderTab(
  authorize: Authorize = () => AuthorizeResult.ALLOW,
  entity: Entity = group,
) {
  const client = new SledClient({
    discoveryApi: mockApis.discovery(),
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <EntitySledReleaseContent />
    </EntityProvider>,
    {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [[sledApiRef, client], mockApis.permission({ authorize })],
    },
  );
}

const server = setupServer();
registerMswTestHooks(server);

// Look nodes up afresh on every try, never keep one across an await: the tab
// re-renders as it polls and as the permission decisions arrive.
const card = (title: string) =>
  within(screen.getByText(title).closest('.MuiCard-root') as HTMLElement);
const dialog = () => within(screen.getByRole('dialog'));
const progress = () => screen.getByTestId('sled-release-progress');

function release(
  status: Release['status'],
  memberStatus: 'queued' | 'succeeded',
): Release {
  return {
    id: 'release-1',
    deployGroup: 'deploygroup:default/space',
    environment: 'staging',
    status,
    dryRun: false,
    requestedBy: 'user:default/jane.doe',
    members: [
      {
        entityRef: ROCKET,
        wave: 0,
        artifactId: 'artifact-5',
        artifactVersion: '1.5.0',
        status: memberStatus,
        deployId: 'd-1',
      },
      {
        entityRef: MOON,
        wave: 1,
        artifactId: 'artifact-5',
        artifactVersion: '1.5.0',
        status: memberStatus === 'succeeded' ? 'succeeded' : 'pending',
      },
    ],
    createdAt: new Date().toISOString(),
  };
}

describe('EntitySledReleaseContent', () => {
  let posted: CreateReleaseRequest[];
  let releases: Release[];
  let locks: Lock[];
  let lockQueries: string[];
  beforeEach(() => {
    posted = [];
    releases = [];
    locks = [];
    lockQueries = [];
    server.use(
      http.get(`${BASE_URL}/locks`, ({ request }) => {
        lockQueries.push(new URL(request.url).search);
        return HttpResponse.json(locks);
      }),
      http.post(`${BASE_URL}/locks`, async ({ request }) => {
        const body = (await request.json()) as CreateLockRequest;
        const lock: Lock = {
          ...(body as Lock),
          id: 'lock-1',
          createdBy: 'user:default/jane.doe',
          createdAt: new Date().toISOString(),
        };
        locks = [lock];
        return HttpResponse.json(lock, { status: 201 });
      }),
      http.delete(`${BASE_URL}/locks/lock-1`, () => {
        locks = [];
        return new HttpResponse(null, { status: 204 });
      }),
      http.get(`${BASE_URL}/environments`, () =>
        HttpResponse.json([
          {
            name: 'staging',
            executor: 'kubernetes',
            requireReason: false,
            locks: [],
          },
        ]),
      ),
      http.get(`${BASE_URL}/state`, ({ request }) =>
        HttpResponse.json(
          makeServiceState(new URL(request.url).searchParams.get('entityRef')!),
        ),
      ),
      http.get(`${BASE_URL}/artifacts`, ({ request }) => {
        const entityRef = new URL(request.url).searchParams.get('entityRef')!;
        return HttpResponse.json({
          items: [5, 4].map(n =>
            makeArtifact(n, { entityRef, id: `${entityRef}#${n}` }),
          ),
        });
      }),
      http.get(`${BASE_URL}/releases`, () => {
        const items = releases;
        // the next poll sees the release finished
        if (releases[0]?.status === 'running')
          releases = [release('succeeded', 'succeeded')];
        return HttpResponse.json({ items });
      }),
      http.post(`${BASE_URL}/releases`, async ({ request }) => {
        posted.push((await request.json()) as CreateReleaseRequest);
        releases = [release('running', 'queued')];
        return HttpResponse.json(releases[0], { status: 202 });
      }),
    );
  });

  it('shows current versions per member and environment, releases with the newest artifacts, and follows progress', async () => {
    renderTab();
    await screen.findByText('Current versions');
    await waitFor(() =>
      expect(card('Current versions').getAllByText('1.2.0')).toHaveLength(2),
    );
    expect(screen.getByText('No releases yet.')).toBeInTheDocument();

    await userEvent.click(await enabledButton('Release'));
    await screen.findByRole('dialog');
    await waitFor(() =>
      expect(dialog().getAllByText(/1\.5\.0/)).toHaveLength(2),
    );
    await userEvent.click(
      dialog().getByRole('button', { name: 'Start release' }),
    );

    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toEqual({
      deployGroup: 'deploygroup:default/space',
      environment: 'staging',
      artifacts: { [ROCKET]: `${ROCKET}#5`, [MOON]: `${MOON}#5` },
      dryRun: false,
    });
    await screen.findByTestId('sled-release-progress');
    await waitFor(() =>
      expect(progress()).toHaveAttribute('data-release-status', 'succeeded'),
    );
    expect(within(progress()).getAllByText('succeeded')).toHaveLength(2);
  });

  it('leaves a member without an artifact out of the release, saying why, and releases the others', async () => {
    server.use(
      http.get(`${BASE_URL}/artifacts`, ({ request }) => {
        const entityRef = new URL(request.url).searchParams.get('entityRef')!;
        return HttpResponse.json({
          items:
            entityRef === MOON
              ? []
              : [makeArtifact(5, { entityRef, id: `${entityRef}#5` })],
        });
      }),
    );
    renderTab();
    await userEvent.click(await enabledButton('Release'));
    await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        dialog().getByText(
          'Not released: no artifact registered yet. CI registers one with POST /api/sled/artifacts.',
        ),
      ).toBeInTheDocument(),
    );
    expect(
      dialog().getByText(
        '1 of 2 members have no registered artifact yet: they are left out of this release, the others are released.',
      ),
    ).toBeInTheDocument();
    expect(dialog().getAllByText(/1\.5\.0/)).toHaveLength(1);

    await userEvent.click(await enabledButton('Start release', () => dialog()));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0].artifacts).toEqual({ [ROCKET]: `${ROCKET}#5` });
  });

  it('keeps the release disabled when no member has an artifact, and says why', async () => {
    server.use(
      http.get(`${BASE_URL}/artifacts`, () => HttpResponse.json({ items: [] })),
    );
    renderTab();
    await userEvent.click(await enabledButton('Release'));
    await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        dialog().getByText(
          'Nothing to release yet: no member of this group has a registered artifact. CI registers one with POST /api/sled/artifacts.',
        ),
      ).toBeInTheDocument(),
    );
    expect(
      dialog().getAllByText(
        'Not released: no artifact registered yet. CI registers one with POST /api/sled/artifacts.',
      ),
    ).toHaveLength(2);
    expect(
      dialog().getByRole('button', { name: 'Start release' }),
    ).toBeDisabled();
    expect(posted).toHaveLength(0);
  });

  it('locks the whole group in an environment with a reason, and unlocks it', async () => {
    renderTab();
    expect(
      await screen.findByTestId('sled-group-lock-staging'),
    ).toHaveTextContent('Not locked');
    expect(lockQueries[0]).toBe(
      `?deployGroup=${encodeURIComponent('deploygroup:default/space')}`,
    );

    // enabled once the permission is known
    await userEvent.click(await enabledButton('Lock staging'));
    expect(await screen.findByRole('dialog')).toHaveTextContent(
      'every service in this deploy group',
    );
    await userEvent.type(dialog().getByLabelText(/Reason/), 'quarterly freeze');
    await userEvent.click(dialog().getByRole('button', { name: 'Lock' }));

    await waitFor(() =>
      expect(screen.getByTestId('sled-group-lock-staging')).toHaveTextContent(
        'Locked by jane.doe: quarterly freeze',
      ),
    );
    expect(locks[0]).toMatchObject({
      environment: 'staging',
      deployGroup: 'deploygroup:default/space',
      reason: 'quarterly freeze',
    });
    expect(locks[0].entityRef).toBeUndefined();

    // the dialog has closed (while it fades out the page behind is aria-hidden)
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await userEvent.click(await enabledButton('Unlock staging'));
    await waitFor(() =>
      expect(screen.getByTestId('sled-group-lock-staging')).toHaveTextContent(
        'Not locked',
      ),
    );
  });

  // a group of its own: usePermission caches decisions (SWR) by permission and
  // resource across the tests of a file, so the earlier tests' ALLOW for
  // "space" could answer without asking
  it('disables releasing and group locks for a user without the release permission on this group', async () => {
    const asked: Array<[string, string | undefined]> = [];
    renderTab(
      request => {
        asked.push([
          request.permission.name,
          'resourceRef' in request ? request.resourceRef : undefined,
        ]);
        return AuthorizeResult.DENY;
      },
      { ...group, metadata: { ...group.metadata, name: 'forbidden-space' } },
    );
    await screen.findByText('Current versions');
    await waitFor(() =>
      expect(asked).toContainEqual([
        'sled.release',
        'deploygroup:default/forbidden-space',
      ]),
    );
    // the buttons are also disabled while the decision loads: what tells a
    // denial apart is the reason the button's tooltip gives once it is in
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Release' }).parentElement,
      ).toHaveAttribute('title', 'You may not release this deploy group'),
    );
    expect(screen.getByRole('button', { name: 'Release' })).toBeDisabled();
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Lock staging' }).parentElement,
      ).toHaveAttribute(
        'title',
        'You may not lock or unlock this deploy group',
      ),
    );
    expect(screen.getByRole('button', { name: 'Lock staging' })).toBeDisabled();
  });

  it('shows a release waiting for approval, once for all members, and lets an approver approve it', async () => {
    const decisions: Array<{ decision: string; comment?: string }> = [];
    const awaiting: Release = {
      ...release('running', 'queued'),
      status: 'awaiting_approval',
      environment: 'staging',
      approvalExpiresAt: new Date(Date.now() + 3600_000).toISOString(),
      members: release('running', 'queued').members.map(m => ({
        ...m,
        status: 'pending',
        deployId: undefined,
      })),
    };
    releases = [awaiting];
    server.use(
      http.get(`${BASE_URL}/releases/release-1/approvals`, () =>
        HttpResponse.json({
          required: 1,
          canDecide: decisions.length === 0,
          items: decisions.map(d => ({
            approver: 'user:default/grace',
            decision: d.decision,
            comment: d.comment,
            createdAt: new Date().toISOString(),
          })),
          ...(decisions.length
            ? {
                refusal:
                  'Release release-1 is not awaiting approval: it is running',
              }
            : {}),
        }),
      ),
      http.post(
        `${BASE_URL}/releases/release-1/approvals`,
        async ({ request }) => {
          decisions.push((await request.json()) as any);
          releases = [release('running', 'queued')];
          return HttpResponse.json(releases[0]);
        },
      ),
    );
    renderTab();
    const panel = await screen.findByRole('group', {
      name: 'Release approvals',
    });
    expect(panel).toHaveTextContent('Waiting for approval');
    expect(panel).toHaveTextContent('0 of 1 approvals');
    expect(progress()).toHaveAttribute(
      'data-release-status',
      'awaiting_approval',
    );
    // an awaiting release is cancelled, not rolled back
    expect(
      within(progress()).getByRole('button', { name: 'Cancel release' }),
    ).toBeInTheDocument();
    expect(
      within(progress()).queryByRole('button', { name: 'Roll back release' }),
    ).toBeNull();

    await userEvent.type(
      within(
        screen.getByRole('group', { name: 'Release approvals' }),
      ).getByLabelText('Comment (optional)'),
      'ship it',
    );
    await userEvent.click(await enabledButton('Approve release'));
    await waitFor(() =>
      expect(decisions).toEqual([{ decision: 'approve', comment: 'ship it' }]),
    );
    // the release runs (and then ends): the panel is gone
    await waitFor(() =>
      expect(
        screen.queryByRole('group', { name: 'Release approvals' }),
      ).toBeNull(),
    );
  });

  describe('promotion of the whole group', () => {
    const withProduction = () =>
      http.get(`${BASE_URL}/environments`, () =>
        HttpResponse.json([
          {
            name: 'staging',
            executor: 'local',
            requireReason: false,
            locks: [],
          },
          {
            name: 'production',
            executor: 'local',
            requireReason: true,
            locks: [],
            gates: {
              promotion: { from: 'staging', soak: '30m' },
              approvals: { required: 1, approvers: ['owners'] },
            },
          },
        ]),
      );

    it('promotes what every member runs in staging as one release, which waits for one approval', async () => {
      const gateQueries: string[] = [];
      server.use(
        withProduction(),
        http.get(`${BASE_URL}/gates`, ({ request }) => {
          gateQueries.push(new URL(request.url).search);
          return HttpResponse.json({
            allowed: true,
            gates: [
              { name: 'promotion', passed: true, message: 'soaked' },
              {
                name: 'approvals',
                passed: true,
                message: 'needs 1 approval',
              },
            ],
          });
        }),
      );
      renderTab();
      const promote = await screen.findByRole('group', {
        name: 'Promote to production',
      });
      await waitFor(() =>
        expect(promote).toHaveTextContent('staging runs 1.2.0'),
      );
      await waitFor(() =>
        expect(
          within(
            screen.getByRole('group', { name: 'Promote to production' }),
          ).getByText('waits for 1 approval, once for the release'),
        ).toBeInTheDocument(),
      );
      expect(gateQueries).toHaveLength(2);
      await userEvent.click(await enabledButton('Promote group to production'));
      await userEvent.type(
        dialog().getByLabelText('Reason (required)'),
        'weekly promotion',
      );
      await userEvent.click(await enabledButton('Start release'));
      await waitFor(() =>
        expect(posted).toEqual([
          {
            deployGroup: 'deploygroup:default/space',
            environment: 'production',
            artifacts: { [ROCKET]: 'artifact-2', [MOON]: 'artifact-2' },
            dryRun: false,
            reason: 'weekly promotion',
          },
        ]),
      );
    });

    it('says which member is not ready and why, and keeps Promote disabled', async () => {
      server.use(
        withProduction(),
        http.get(`${BASE_URL}/gates`, () =>
          HttpResponse.json({
            allowed: false,
            gates: [
              {
                name: 'promotion',
                passed: false,
                message:
                  '1.2.0 has soaked 12 of 30 minutes in staging; it may go to production at 14:32 UTC',
              },
            ],
          }),
        ),
      );
      renderTab(undefined, {
        ...group,
        metadata: { ...group.metadata, name: 'soaking-space' },
      });
      await waitFor(() =>
        expect(
          screen.getByRole('button', { name: 'Promote group to production' })
            .parentElement,
        ).toHaveAttribute(
          'title',
          'Not ready: rocket: 1.2.0 has soaked 12 of 30 minutes in staging; it may go to production at 14:32 UTC',
        ),
      );
      expect(
        screen.getByRole('button', { name: 'Promote group to production' }),
      ).toBeDisabled();
    });
  });
});
