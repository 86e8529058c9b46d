import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { ArtifactChanges, ServiceState } from '@internal/plugin-sled-common';
import { EntitySledDeployContent } from '../DeployContent/EntitySledDeployContent';
import { DeployDetailDialog } from '../HistoryContent/DeployDetailDialog';
import { renderSled } from '../../__testUtils__/renderSled';
import { enabledButton } from '../../__testUtils__/buttons';
import {
  BASE_URL,
  makeArtifact,
  makeDeploy,
  makeServiceState,
} from '../../__testUtils__/fixtures';
import { errorResponse, serviceHandlers } from '../../__testUtils__/handlers';
import { describeChanges } from './ArtifactChangeList';

const server = setupServer();
registerMswTestHooks(server);

const dialog = () => within(screen.getByRole('dialog'));

async function openFromCard(environment: string, button: string) {
  await screen.findByText(environment, { selector: 'span' });
  const card = () =>
    within(
      screen
        .getByText(environment, { selector: 'span' })
        .closest('.MuiCard-root') as HTMLElement,
    );
  await userEvent.setup().click(await enabledButton(button, card));
  await screen.findByRole('dialog');
}

describe('ArtifactChangeList', () => {
  let state: ServiceState;
  beforeEach(() => {
    state = makeServiceState();
    server.use(...serviceHandlers(() => state));
  });

  it('shows the merge requests a deploy brings in the Deploy dialog', async () => {
    renderSled(<EntitySledDeployContent />);
    // staging runs 1.2.0; the newest artifact, 1.5.0, is preselected
    await openFromCard('staging', 'Deploy');
    expect(
      await dialog().findByText('3 merge requests since 1.2.0'),
    ).toBeInTheDocument();
    const list = dialog().getByRole('list', { name: 'Changes' });
    expect(
      within(list)
        .getAllByRole('link')
        .map(link => link.getAttribute('href')),
    ).toEqual([
      'https://git.example.com/rocket/-/merge_requests/5',
      'https://git.example.com/rocket/-/merge_requests/4',
      'https://git.example.com/rocket/-/merge_requests/3',
    ]);
    expect(within(list).getByText(/^1\.4\.0 · 0004abc · merged/)).toBeVisible();
  });

  it('says what a rollback takes back in the Rollback dialog', async () => {
    renderSled(<EntitySledDeployContent />);
    await openFromCard('staging', 'Roll back');
    expect(
      await dialog().findByText(
        'You take back 1 merge request (1.2.0 → 1.1.0)',
      ),
    ).toBeInTheDocument();
    expect(
      dialog().getByRole('link', { name: /Make the rocket faster \(#2\)/ }),
    ).toBeInTheDocument();
  });

  it("shows a past deploy's changes in its detail, and a failure quietly", async () => {
    const queries: string[] = [];
    server.use(
      http.get(`${BASE_URL}/deploys/:id`, ({ params }) =>
        HttpResponse.json(
          makeDeploy({
            id: String(params.id),
            artifactId: 'artifact-3',
            artifactVersion: '1.3.0',
            environment: 'staging',
            status: 'succeeded',
          }),
        ),
      ),
      http.get(`${BASE_URL}/artifacts/:id/changes`, ({ request, params }) => {
        queries.push(`${params.id}?${new URL(request.url).searchParams}`);
        return errorResponse(503, 'ServiceUnavailableError', 'database away');
      }),
    );
    renderSled(<DeployDetailDialog deployId="d7" onClose={() => {}} />);
    expect(
      await screen.findByText('Could not list the changes: database away'),
    ).toBeInTheDocument();
    expect(queries).toEqual([
      'artifact-3?environment=staging&deployId=d7&limit=50',
    ]);
  });

  it('waits for the changes of the artifact picked, never showing older ones', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>(resolve => {
      release = resolve;
    });
    renderSled(<EntitySledDeployContent />);
    await openFromCard('staging', 'Deploy');
    await dialog().findByText('3 merge requests since 1.2.0');
    server.use(
      http.get(`${BASE_URL}/artifacts/:id/changes`, async () => {
        await held;
        const answer: ArtifactChanges = {
          entityRef: 'component:default/rocket',
          environment: 'staging',
          direction: 'forward',
          current: makeArtifact(2),
          candidate: makeArtifact(3),
          artifacts: [makeArtifact(3)],
          total: 1,
          mergeRequests: [],
        };
        return HttpResponse.json(answer);
      }),
    );
    const user = userEvent.setup();
    const picker = dialog().getByRole('textbox', { name: 'Artifact' });
    await user.clear(picker);
    await user.type(picker, '(#3)');
    await user.click(await screen.findByRole('option'));
    expect(await dialog().findByText('Listing the changes…')).toBeVisible();
    expect(dialog().queryByText('3 merge requests since 1.2.0')).toBeNull();
    release();
    expect(
      await dialog().findByText('1 version (no merge requests) since 1.2.0'),
    ).toBeVisible();
    expect(dialog().queryByText('Listing the changes…')).toBeNull();
  });
});

describe('describeChanges', () => {
  const base: ArtifactChanges = {
    entityRef: 'component:default/rocket',
    environment: 'staging',
    direction: 'forward',
    current: makeArtifact(1),
    candidate: makeArtifact(4),
    artifacts: [makeArtifact(4), makeArtifact(3), makeArtifact(2)],
    total: 3,
    mergeRequests: [],
  };
  const mrs = (...ns: number[]) =>
    ns.map(n => ({
      ...makeArtifact(n).mergeRequest!,
      artifactId: `artifact-${n}`,
      version: `1.${n}.0`,
    }));

  it('counts merge requests, and versions where some have none or more exist', () => {
    expect(describeChanges({ ...base, mergeRequests: mrs(4, 3, 2) })).toBe(
      '3 merge requests since 1.1.0',
    );
    expect(describeChanges({ ...base, mergeRequests: mrs(4) })).toBe(
      '3 versions (1 merge request) since 1.1.0',
    );
    expect(
      describeChanges({ ...base, total: 80, mergeRequests: mrs(4, 3, 2) }),
    ).toBe('80 versions since 1.1.0');
    expect(
      describeChanges({
        ...base,
        direction: 'same',
        artifacts: [],
        total: 0,
        candidate: makeArtifact(1),
      }),
    ).toBe('1.1.0 already runs in staging: nothing changes');
    expect(
      describeChanges({
        ...base,
        direction: 'initial',
        current: undefined,
        mergeRequests: mrs(4, 3, 2),
      }),
    ).toBe('Nothing ran in staging before: 3 merge requests up to 1.4.0');
  });
});
