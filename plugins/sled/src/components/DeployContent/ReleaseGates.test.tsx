import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import {
  ApprovalList,
  Deploy,
  GateReport,
  ServiceState,
} from '@internal/plugin-sled-common';
import { EntitySledDeployContent } from './EntitySledDeployContent';
import { renderSled } from '../../__testUtils__/renderSled';
import { enabledButton } from '../../__testUtils__/buttons';
import { dialog, environmentCard } from '../../__testUtils__/deployTab';
import {
  BASE_URL,
  makeDeploy,
  makeServiceState,
} from '../../__testUtils__/fixtures';
import {
  acceptDeploys,
  approvalsHandler,
  gatesHandler,
  serviceHandlers,
} from '../../__testUtils__/handlers';

const server = setupServer();
registerMswTestHooks(server);

const SOAK_MESSAGE =
  '1.5.0 has soaked 12 of 30 minutes in staging; it may go to production at 14:32 UTC';
const FREEZE_MESSAGE = 'Frozen until Mon 08:00 — weekend freeze';

const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

/** The promotion soak and the deploy window refuse. */
function refused(canOverride: boolean): GateReport {
  return {
    allowed: false,
    canOverride,
    gates: [
      {
        name: 'promotion',
        passed: false,
        overridable: true,
        message: SOAK_MESSAGE,
        opensAt: inOneHour(),
      },
      {
        name: 'window',
        passed: false,
        overridable: true,
        message: FREEZE_MESSAGE,
        opensAt: inOneHour(),
      },
      {
        name: 'check:ci-status',
        passed: true,
        overridable: true,
        message: 'CI passed',
      },
    ],
  };
}

/** A deploy request, looked up afresh on every call, on the approvals card. */
const pendingRequest = (name: string) => () =>
  within(screen.getByRole('group', { name }));

describe('EntitySledDeployContent release gates', () => {
  let state: ServiceState;
  beforeEach(() => {
    state = makeServiceState();
    server.use(...serviceHandlers(() => state));
  });

  it('disables Deploy with the message of every gate that refuses', async () => {
    const queries: URLSearchParams[] = [];
    server.use(
      gatesHandler(query => {
        queries.push(query);
        return refused(false);
      }),
    );
    const user = userEvent.setup();
    renderSled(<EntitySledDeployContent />);
    const production = await environmentCard('production');
    await user.click(await enabledButton('Deploy', production));

    expect(await screen.findByText(SOAK_MESSAGE)).toBeInTheDocument();
    expect(dialog().getByText(FREEZE_MESSAGE)).toBeInTheDocument();
    // a gate that passes has nothing to say
    expect(dialog().queryByText('CI passed')).toBeNull();
    await user.type(
      dialog().getByRole('textbox', { name: /Reason/ }),
      'Launch day',
    );
    expect(dialog().getByRole('button', { name: 'Deploy' })).toBeDisabled();
    expect(
      dialog().queryByRole('checkbox', { name: 'Override gates' }),
    ).toBeNull();
    expect(Object.fromEntries(queries.at(-1)!)).toEqual({
      entityRef: 'component:default/rocket',
      environment: 'production',
      artifactId: 'artifact-5',
    });
  });

  it('overrides refusing gates only with a reason, confirmed, and says so to the backend', async () => {
    server.use(gatesHandler(() => refused(true)));
    const bodies = acceptDeploys(server, {
      id: 'overridden',
      gatesOverridden: true,
    });
    const user = userEvent.setup();
    renderSled(<EntitySledDeployContent />);
    const staging = await environmentCard('staging');
    await user.click(await enabledButton('Deploy', staging));

    await screen.findByRole('checkbox', { name: 'Override gates' });
    expect(dialog().getByText(SOAK_MESSAGE)).toBeInTheDocument();
    expect(dialog().getByRole('button', { name: 'Deploy' })).toBeDisabled();
    await user.click(
      dialog().getByRole('checkbox', { name: 'Override gates' }),
    );
    // staging asks no reason of a deploy, but an override needs one
    expect(
      dialog().getByText('Required to override the release gates'),
    ).toBeInTheDocument();
    expect(dialog().getByRole('button', { name: 'Deploy' })).toBeDisabled();
    await user.type(
      dialog().getByRole('textbox', { name: /Reason/ }),
      'Hotfix for the outage',
    );
    await user.click(await enabledButton('Deploy', dialog));

    expect(
      await screen.findByText('Overriding the release gates:'),
    ).toBeInTheDocument();
    expect(dialog().getByText(FREEZE_MESSAGE)).toBeInTheDocument();
    expect(bodies).toEqual([]);
    await user.click(dialog().getByRole('button', { name: 'Confirm deploy' }));
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toEqual({
      entityRef: 'component:default/rocket',
      environment: 'staging',
      artifactId: 'artifact-5',
      reason: 'Hotfix for the outage',
      overrideGates: true,
    });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('says a deploy will wait for approvals, and that it waits once requested', async () => {
    state.environments[1].gates = {
      approvals: {
        required: 2,
        approvers: ['owners', 'group:default/release-managers'],
        allowSelfApproval: false,
        expiresAfterMinutes: 1440,
      },
    };
    server.use(
      gatesHandler(() => ({
        allowed: true,
        gates: [
          {
            name: 'approvals',
            passed: true,
            overridable: false,
            message: 'needs 2 approvals',
          },
        ],
      })),
    );
    const bodies = acceptDeploys(server, {
      id: 'waiting',
      environment: 'production',
      artifactVersion: '1.5.0',
      status: 'awaiting_approval',
    });
    const user = userEvent.setup();
    renderSled(<EntitySledDeployContent />);
    const production = await environmentCard('production');
    await user.click(await enabledButton('Deploy', production));

    const waits =
      'This deploy will wait for 2 approvals (owners or release-managers) before it starts.';
    expect(await screen.findByText(waits)).toBeInTheDocument();
    await user.type(
      dialog().getByRole('textbox', { name: /Reason/ }),
      'Launch day',
    );
    await user.click(await enabledButton('Deploy', dialog));
    expect(dialog().getByText(waits)).toBeInTheDocument();
    await user.click(dialog().getByRole('button', { name: 'Confirm deploy' }));

    expect(
      await screen.findByText(
        '1.5.0 to production waits for approval: it starts once approved.',
      ),
    ).toBeInTheDocument();
    expect(bodies).toHaveLength(1);
    expect(bodies[0].overrideGates).toBeUndefined();
  });

  it('lists a deploy awaiting approval and approves it with a comment', async () => {
    const waiting = makeDeploy({
      id: 'd-wait',
      environment: 'production',
      artifactVersion: '1.4.2',
      status: 'awaiting_approval',
      requestedBy: 'user:default/sam',
      reason: 'Release 1.4.2',
      createdAt: new Date(Date.now() - 10 * 60_000).toISOString(),
      startedAt: undefined,
      finishedAt: undefined,
      approvalExpiresAt: new Date(
        Date.now() + 23 * 3_600_000 + 60_000,
      ).toISOString(),
    });
    let pending: Deploy[] = [waiting];
    const listed: Array<string | null> = [];
    const decisions: unknown[] = [];
    server.use(
      http.get(`${BASE_URL}/deploys`, ({ request }) => {
        listed.push(new URL(request.url).searchParams.get('status'));
        return HttpResponse.json({ items: pending });
      }),
      approvalsHandler(() => ({
        required: 2,
        items: [
          {
            approver: 'user:default/ann',
            decision: 'approve',
            comment: 'lgtm',
            createdAt: new Date(Date.now() - 5 * 60_000).toISOString(),
          },
        ],
        canDecide: true,
      })),
      http.post(
        `${BASE_URL}/deploys/:id/approvals`,
        async ({ request, params }) => {
          decisions.push({ id: params.id, body: await request.json() });
          pending = [];
          return HttpResponse.json({ ...waiting, status: 'queued' });
        },
      ),
    );
    const user = userEvent.setup();
    renderSled(<EntitySledDeployContent />);

    const request = pendingRequest('1.4.2 to production');
    await screen.findByText('1 of 2 approvals');
    expect(listed[0]).toBe('awaiting_approval');
    const group = screen.getByRole('group', { name: '1.4.2 to production' });
    expect(group).toHaveTextContent('Requested by sam 10 minutes ago');
    expect(group).toHaveTextContent('expires in 23 hours');
    expect(group).toHaveTextContent('Reason: Release 1.4.2');
    expect(group).toHaveTextContent('Approved by ann 5 minutes ago: “lgtm”');

    await user.type(
      request().getByRole('textbox', { name: 'Comment (optional)' }),
      'ship it',
    );
    await user.click(request().getByRole('button', { name: 'Approve' }));

    expect(
      await screen.findByText(
        'You approved 1.4.2 to production: it is queued.',
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen.queryByRole('group', { name: '1.4.2 to production' }),
      ).toBeNull(),
    );
    expect(decisions).toEqual([
      { id: 'd-wait', body: { decision: 'approve', comment: 'ship it' } },
    ]);
  });

  it('rejects a deploy, and says why the user may not decide on their own', async () => {
    const mine = makeDeploy({
      id: 'd-mine',
      environment: 'production',
      artifactVersion: '1.4.2',
      status: 'awaiting_approval',
      requestedBy: 'user:default/jane.doe',
    });
    const theirs = makeDeploy({
      id: 'd-theirs',
      environment: 'staging',
      artifactVersion: '1.3.0',
      status: 'awaiting_approval',
      requestedBy: 'user:default/sam',
    });
    let pending: Deploy[] = [mine, theirs];
    const decisions: unknown[] = [];
    server.use(
      http.get(`${BASE_URL}/deploys`, () =>
        HttpResponse.json({ items: pending }),
      ),
      approvalsHandler(
        (id): ApprovalList =>
          id === 'd-mine'
            ? {
                required: 1,
                items: [],
                canDecide: false,
                refusal: 'You requested this deploy: someone else approves it.',
              }
            : { required: 1, items: [], canDecide: true },
      ),
      http.post(
        `${BASE_URL}/deploys/:id/approvals`,
        async ({ request, params }) => {
          decisions.push({ id: params.id, body: await request.json() });
          pending = [mine];
          return HttpResponse.json({ ...theirs, status: 'rejected' });
        },
      ),
    );
    const user = userEvent.setup();
    renderSled(<EntitySledDeployContent />);

    expect(
      await screen.findByText(
        'You requested this deploy: someone else approves it.',
      ),
    ).toBeInTheDocument();
    const own = pendingRequest('1.4.2 to production');
    expect(own().queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(own().queryByRole('button', { name: 'Reject' })).toBeNull();

    const other = pendingRequest('1.3.0 to staging');
    await user.click(await enabledButton('Reject', other));
    expect(
      await screen.findByText(
        'You rejected 1.3.0 to staging: it will not run.',
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen.queryByRole('group', { name: '1.3.0 to staging' }),
      ).toBeNull(),
    );
    expect(
      screen.getByRole('group', { name: '1.4.2 to production' }),
    ).toBeInTheDocument();
    expect(decisions).toEqual([
      { id: 'd-theirs', body: { decision: 'reject' } },
    ]);
  });

  describe('environment cards', () => {
    beforeEach(() => {
      const [staging, production] = state.environments;
      // staging's current deploy succeeded 42 minutes ago
      staging.current!.deploy = {
        ...staging.current!.deploy,
        finishedAt: new Date(Date.now() - 42 * 60_000 - 5_000).toISOString(),
      };
      staging.window = { open: false, message: FREEZE_MESSAGE };
      production.gates = { promotion: { from: 'staging', soakMinutes: 30 } };
      production.window = {
        open: true,
        message: 'Deploys allowed 08:00–18:00',
      };
    });

    it('shows the deploy window and promotes what has soaked long enough', async () => {
      const queries: URLSearchParams[] = [];
      server.use(
        gatesHandler(query => {
          queries.push(query);
          return { allowed: true, gates: [] };
        }),
      );
      const user = userEvent.setup();
      renderSled(<EntitySledDeployContent />);
      const production = await environmentCard('production');
      const staging = await environmentCard('staging');
      expect(staging().getByText(FREEZE_MESSAGE)).toBeInTheDocument();
      expect(
        production().getByText('Deploys allowed 08:00–18:00'),
      ).toBeInTheDocument();
      expect(
        production()
          .getByText(/soaked 42 min/)
          .closest('p'),
      ).toHaveTextContent('staging runs 1.2.0, soaked 42 min →');

      await user.click(
        await enabledButton('Promote to production', production),
      );
      expect(
        await screen.findByText('Promote 1.2.0 to production'),
      ).toBeInTheDocument();
      expect(dialog().getByText('1.2.0 (0002abc)')).toBeInTheDocument();
      expect(
        queries.some(
          q =>
            q.get('environment') === 'production' &&
            q.get('artifactId') === 'artifact-2',
        ),
      ).toBe(true);
    });

    it('says what is not ready to promote yet, and why', async () => {
      server.use(gatesHandler(() => refused(false)));
      renderSled(<EntitySledDeployContent />);
      const production = await environmentCard('production');
      expect(await screen.findByText(SOAK_MESSAGE)).toBeInTheDocument();
      expect(
        production()
          .getByText(/soaked 42 min/)
          .closest('p'),
      ).toHaveTextContent('staging runs 1.2.0, soaked 42 min — not ready yet:');
      await waitFor(() =>
        expect(
          production().getByRole('button', { name: 'Promote to production' })
            .parentElement,
        ).toHaveAttribute('title', `Not ready: ${SOAK_MESSAGE}`),
      );
      expect(
        production().getByRole('button', { name: 'Promote to production' }),
      ).toBeDisabled();
    });
  });
});
