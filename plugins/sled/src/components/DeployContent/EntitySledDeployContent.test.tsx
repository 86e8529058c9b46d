import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ServiceState } from '@internal/plugin-sled-common';
import { EntitySledDeployContent } from './EntitySledDeployContent';
import { renderSled } from '../../__testUtils__/renderSled';
import { enabledButton } from '../../__testUtils__/buttons';
import {
  BASE_URL,
  makeArtifact,
  makeDeploy,
  makeService,
  makeServiceState,
  SCRIPT_URL,
} from '../../__testUtils__/fixtures';
import {
  acceptDeploys,
  errorResponse,
  serviceHandlers,
} from '../../__testUtils__/handlers';

const server = setupServer();
registerMswTestHooks(server);

/**
 * Waits for the card of one environment, found by its title, and returns a
 * lookup of it: the card is looked up afresh on every call, never kept across
 * an await (the tab re-renders as it polls the service's state and as the
 * permission decisions arrive).
 */
async function environmentCard(name: string) {
  await screen.findByText(name, { selector: 'span' });
  return () =>
    within(
      screen
        .getByText(name, { selector: 'span' })
        .closest('.MuiCard-root') as HTMLElement,
    );
}

/** The open dialog, looked up afresh on every call. */
const dialog = () => within(screen.getByRole('dialog'));

describe('EntitySledDeployContent', () => {
  let state: ServiceState;
  beforeEach(() => {
    state = makeServiceState();
    server.use(...serviceHandlers(() => state));
  });

  it('shows what runs in each environment, the running deploy and its live log', async () => {
    renderSled(<EntitySledDeployContent />);

    const staging = await environmentCard('staging');
    expect(staging().getByText('1.2.0')).toBeInTheDocument();
    expect(staging().getByText('0002abc')).toBeInTheDocument();
    expect(
      staging().getByRole('link', { name: /Make the rocket faster \(#2\)/ }),
    ).toHaveAttribute(
      'href',
      'https://git.example.com/rocket/-/merge_requests/2',
    );
    expect(staging().getByText('running')).toBeInTheDocument();
    await enabledButton('Cancel deploy', staging);

    const production = await environmentCard('production');
    expect(production().getByText('1.1.0')).toBeInTheDocument();
    expect(production().getByText(/Freeze for the launch/)).toBeInTheDocument();
    await enabledButton('Unlock', production);
    expect(
      production().queryByRole('button', { name: 'Cancel deploy' }),
    ).toBeNull();

    await waitFor(() =>
      expect(screen.getByRole('log', { name: 'Deploy log' })).toHaveTextContent(
        '[deploy-staging-running] pulling image [deploy-staging-running] applying manifests',
      ),
    );
  });

  it('shows a merge request whose stored URL is not http(s) as text, not a link', async () => {
    const staging = state.environments[0];
    staging.current = {
      ...staging.current!,
      artifact: makeArtifact(2, {
        mergeRequest: { url: SCRIPT_URL, title: 'Script MR' },
      }),
    };
    renderSled(<EntitySledDeployContent />);

    const card = await environmentCard('staging');
    expect(card().getByText('Script MR')).toBeInTheDocument();
    expect(card().queryByRole('link', { name: /Script MR/ })).toBeNull();
    await enabledButton('Cancel deploy', card);
    const production = await environmentCard('production');
    expect(
      production().getByRole('link', { name: /Make the rocket faster \(#1\)/ }),
    ).toHaveAttribute(
      'href',
      'https://git.example.com/rocket/-/merge_requests/1',
    );
  });

  it('updates the status while a deploy runs, without a reload', async () => {
    let calls = 0;
    server.use(
      // a log stream that stays open: the update must come from polling
      http.get(
        `${BASE_URL}/deploys/:id/logs`,
        () => new HttpResponse(new ReadableStream({ start() {} })),
      ),
      http.get(`${BASE_URL}/state`, () => {
        calls += 1;
        const next = makeServiceState();
        if (calls > 1) {
          next.environments[0].lastDeploy = {
            ...next.environments[0].lastDeploy!,
            status: 'succeeded',
            finishedAt: '2025-01-03T10:00:09.000Z',
          };
        }
        return HttpResponse.json(next);
      }),
    );
    renderSled(<EntitySledDeployContent />);
    const staging = await environmentCard('staging');
    expect(staging().getByText('running')).toBeInTheDocument();
    await waitFor(() =>
      expect(staging().getByText('succeeded')).toBeInTheDocument(),
    );
    expect(staging().queryByText('running')).toBeNull();
  });

  it('deploys a searched-for artifact as a dry run', async () => {
    const bodies = acceptDeploys(server, {
      id: 'new',
      artifactVersion: '1.3.0',
      dryRun: true,
    });
    const user = userEvent.setup();
    renderSled(<EntitySledDeployContent />);
    const staging = await environmentCard('staging');
    await user.click(await enabledButton('Deploy', staging));

    await screen.findByRole('dialog');
    const picker = () => dialog().getByRole('textbox', { name: 'Artifact' });
    // newest first, preselected
    await waitFor(() => expect(picker()).toHaveValue('1.5.0 (0005abc)'));
    await user.clear(picker());
    await user.type(picker(), '(#3)');
    expect(await screen.findAllByRole('option')).toHaveLength(1);
    await user.click(screen.getByRole('option'));
    expect(picker()).toHaveValue('1.3.0 (0003abc)');
    await user.click(dialog().getByRole('checkbox', { name: 'Dry run' }));
    // Deploy waits for the release gates of the artifact picked
    await user.click(await enabledButton('Deploy', dialog));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(bodies[0]).toEqual({
      entityRef: 'component:default/rocket',
      environment: 'staging',
      artifactId: 'artifact-3',
      dryRun: true,
    });
  });

  it('requires a reason and a confirmation of the version change for production', async () => {
    const bodies = acceptDeploys(server, {
      id: 'new',
      environment: 'production',
    });
    const user = userEvent.setup();
    renderSled(<EntitySledDeployContent />);
    const production = await environmentCard('production');
    await user.click(await enabledButton('Deploy', production));

    await screen.findByRole('dialog');
    await waitFor(() =>
      expect(dialog().getByRole('textbox', { name: 'Artifact' })).toHaveValue(
        '1.5.0 (0005abc)',
      ),
    );
    expect(dialog().getByRole('button', { name: 'Deploy' })).toBeDisabled();
    await user.type(
      dialog().getByRole('textbox', { name: /Reason/ }),
      'Launch day',
    );
    await user.click(await enabledButton('Deploy', dialog));

    expect(dialog().getByTestId('version-change')).toHaveTextContent(
      '1.1.0 → 1.5.0',
    );
    expect(bodies[0]).toBeUndefined();
    await user.click(dialog().getByRole('button', { name: 'Confirm deploy' }));
    await waitFor(() => expect(bodies[0]).toBeDefined());
    expect(bodies[0]).toEqual({
      entityRef: 'component:default/rocket',
      environment: 'production',
      artifactId: 'artifact-5',
      reason: 'Launch day',
    });
  });

  it('shows the backend refusal in the deploy dialog', async () => {
    server.use(
      http.post(`${BASE_URL}/deploys`, () =>
        errorResponse(
          409,
          'ConflictError',
          'staging is locked: database migration',
        ),
      ),
    );
    const user = userEvent.setup();
    renderSled(<EntitySledDeployContent />);
    const staging = await environmentCard('staging');
    await user.click(await enabledButton('Deploy', staging));
    await screen.findByRole('dialog');
    await waitFor(() =>
      expect(dialog().getByRole('textbox', { name: 'Artifact' })).toHaveValue(
        '1.5.0 (0005abc)',
      ),
    );
    await user.click(await enabledButton('Deploy', dialog));
    await waitFor(() =>
      expect(
        dialog().getByText('staging is locked: database migration'),
      ).toBeInTheDocument(),
    );
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('cancels the running deploy, rolls back, locks and unlocks', async () => {
    const calls: string[] = [];
    server.use(
      http.post(`${BASE_URL}/deploys/:id/cancel`, ({ params }) => {
        calls.push(`cancel ${params.id}`);
        return HttpResponse.json(
          makeDeploy({ id: String(params.id), status: 'cancelled' }),
        );
      }),
      http.post(`${BASE_URL}/rollbacks`, async ({ request }) => {
        calls.push(`rollback ${JSON.stringify(await request.json())}`);
        return HttpResponse.json(makeDeploy({ id: 'rb', status: 'queued' }), {
          status: 202,
        });
      }),
      http.delete(`${BASE_URL}/locks/:id`, ({ params }) => {
        calls.push(`unlock ${params.id}`);
        return new HttpResponse(null, { status: 204 });
      }),
      http.post(`${BASE_URL}/locks`, async ({ request }) => {
        calls.push(`lock ${JSON.stringify(await request.json())}`);
        return HttpResponse.json({ id: 'lock-2' });
      }),
    );
    const user = userEvent.setup();
    renderSled(<EntitySledDeployContent />);
    const staging = await environmentCard('staging');
    const production = await environmentCard('production');

    await user.click(await enabledButton('Cancel deploy', staging));
    await waitFor(() =>
      expect(calls).toContain('cancel deploy-staging-running'),
    );

    await user.click(await enabledButton('Roll back', staging));
    await screen.findByRole('dialog');
    expect(
      dialog().getByText(/replaces version 1\.2\.0 with 1\.1\.0/),
    ).toBeInTheDocument();
    await user.click(dialog().getByRole('button', { name: 'Roll back' }));
    await waitFor(() =>
      expect(calls).toContain(
        `rollback ${JSON.stringify({
          entityRef: 'component:default/rocket',
          environment: 'staging',
        })}`,
      ),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await user.click(await enabledButton('Unlock', production));
    await waitFor(() => expect(calls).toContain('unlock lock-1'));

    await user.click(await enabledButton('Lock', staging));
    await screen.findByRole('dialog');
    expect(dialog().getByRole('button', { name: 'Lock' })).toBeDisabled();
    await user.type(
      dialog().getByRole('textbox', { name: /Reason/ }),
      'Investigating an incident',
    );
    await user.click(dialog().getByRole('button', { name: 'Lock' }));
    await waitFor(() =>
      expect(calls).toContain(
        `lock ${JSON.stringify({
          environment: 'staging',
          entityRef: 'component:default/rocket',
          reason: 'Investigating an incident',
        })}`,
      ),
    );
  });

  it('disables actions the user may not take and says why', async () => {
    state = makeServiceState('component:default/forbidden-rocket');
    // something to roll back to, so only the permission disables Roll back
    state.environments[1].rollbackTarget = makeArtifact(0);
    const user = userEvent.setup();
    renderSled(<EntitySledDeployContent />, {
      entity: makeService('forbidden-rocket'),
      authorize: AuthorizeResult.DENY,
    });
    const production = await environmentCard('production');
    // the buttons are disabled while the decisions load too: what tells a
    // denial apart is the reason the tooltip gives
    const expectDenied = async (name: string, why: string) => {
      const button = () => production().getByRole('button', { name });
      await waitFor(() => expect(button()).toBeDisabled());
      await user.hover(button().parentElement!);
      await waitFor(() =>
        expect(screen.getByRole('tooltip')).toHaveTextContent(why),
      );
      await user.unhover(button().parentElement!);
      await waitFor(() => expect(screen.queryByRole('tooltip')).toBeNull());
    };
    await expectDenied('Deploy', 'You are not allowed to deploy to production');
    await expectDenied(
      'Roll back',
      'You are not allowed to deploy to production',
    );
    await expectDenied(
      'Unlock',
      'You are not allowed to lock or unlock production',
    );
  });

  it('shows the backend error when the state cannot be loaded', async () => {
    server.use(
      http.get(`${BASE_URL}/state`, () =>
        errorResponse(500, 'Error', 'The deploy database is unreachable'),
      ),
    );
    renderSled(<EntitySledDeployContent />);
    expect(
      await screen.findByText('The deploy database is unreachable'),
    ).toBeInTheDocument();
  });
});
