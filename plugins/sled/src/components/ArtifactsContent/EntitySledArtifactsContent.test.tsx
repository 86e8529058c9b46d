import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EntitySledArtifactsContent } from './EntitySledArtifactsContent';
import { renderSled } from '../../__testUtils__/renderSled';
import { enabledButton } from '../../__testUtils__/buttons';
import {
  BASE_URL,
  makeArtifact,
  makeService,
  makeServiceState,
  SCRIPT_URL,
} from '../../__testUtils__/fixtures';
import {
  acceptDeploys,
  errorResponse,
  gatesHandler,
} from '../../__testUtils__/handlers';

const server = setupServer();
registerMswTestHooks(server);

// Look rows up afresh on every try, never keep a node across an await: the
// table renders a row's cells anew when its columns change (e.g. once the
// permission decisions arrive), the Deploy button's wrapper changes when its
// disabled reason clears, and the service's state is polled every 2 s.
function row(version: string) {
  return within(screen.getByText(version).closest('tr') as HTMLElement);
}

function deployButton(version: string) {
  return row(version).getByRole('button', { name: 'Deploy' });
}

/** The open dialog, looked up afresh on every call. */
const dialog = () => within(screen.getByRole('dialog'));

describe('EntitySledArtifactsContent', () => {
  let artifactQueries: URLSearchParams[];
  beforeEach(() => {
    artifactQueries = [];
    server.use(
      gatesHandler(),
      http.get(`${BASE_URL}/state`, ({ request }) =>
        HttpResponse.json(
          makeServiceState(new URL(request.url).searchParams.get('entityRef')!),
        ),
      ),
      http.get(`${BASE_URL}/artifacts`, ({ request }) => {
        const query = new URL(request.url).searchParams;
        artifactQueries.push(query);
        const second = query.get('cursor') === 'next';
        return HttpResponse.json({
          items: (second ? [2, 1] : [5, 4, 3]).map(n => makeArtifact(n)),
          nextCursor: second ? undefined : 'next',
        });
      }),
    );
  });

  it('lists artifacts with where each one runs', async () => {
    const user = userEvent.setup();
    renderSled(<EntitySledArtifactsContent />);

    // Once a row's Deploy is enabled, the service's state and the permission
    // decisions are in: before that the "Deployed in" chips are missing.
    await waitFor(() => expect(deployButton('1.5.0')).toBeEnabled());
    expect(row('1.5.0').getByText('0005abc')).toBeInTheDocument();
    expect(
      row('1.5.0').getByRole('link', { name: /Make the rocket faster \(#5\)/ }),
    ).toBeInTheDocument();
    expect(row('1.5.0').queryByText('staging')).toBeNull();
    expect(artifactQueries[0].get('entityRef')).toBe(
      'component:default/rocket',
    );

    // a disabled button swallows the click: wait until the page has settled
    await user.click(await enabledButton('Older'));
    await waitFor(() =>
      expect(row('1.2.0').getByText('staging')).toBeInTheDocument(),
    );
    expect(artifactQueries.at(-1)!.get('cursor')).toBe('next');
    expect(row('1.1.0').getByText('production')).toBeInTheDocument();
    expect(screen.queryByText('1.5.0')).toBeNull();
  });

  it('deploys an artifact from its row', async () => {
    const bodies = acceptDeploys(server, {
      artifactVersion: '1.4.0',
      environment: 'staging',
    });
    const user = userEvent.setup();
    renderSled(<EntitySledArtifactsContent />);
    await waitFor(() => expect(deployButton('1.4.0')).toBeEnabled());
    await user.click(deployButton('1.4.0'));

    await screen.findByRole('dialog');
    expect(dialog().getByText('1.4.0 (0004abc)')).toBeInTheDocument();
    expect(dialog().getByRole('button', { name: 'Deploy' })).toBeDisabled();
    await user.click(dialog().getByRole('button', { name: /Environment/ }));
    await user.click(await screen.findByRole('option', { name: /staging/ }));
    // Deploy waits for the release gates of staging
    await user.click(await enabledButton('Deploy', dialog));

    await waitFor(() =>
      expect(bodies[0]).toEqual({
        entityRef: 'component:default/rocket',
        environment: 'staging',
        artifactId: 'artifact-4',
      }),
    );
    expect(
      await screen.findByText(/Deploy of 1.4.0 to staging is queued/),
    ).toBeInTheDocument();
  });

  it('disables Deploy when the user may deploy nowhere', async () => {
    const user = userEvent.setup();
    renderSled(<EntitySledArtifactsContent />, {
      entity: makeService('forbidden-rocket'),
      authorize: AuthorizeResult.DENY,
    });
    await waitFor(() =>
      expect(deployButton('1.5.0').parentElement).toHaveAttribute(
        'title',
        'You are not allowed to deploy this service to any environment',
      ),
    );
    expect(deployButton('1.5.0')).toBeDisabled();
    // hover the row as it is now: a refetch may render the table afresh
    // (a deploy runs in the fixture, so the tab follows it)
    await waitFor(async () => {
      await user.hover(deployButton('1.5.0').parentElement!);
      expect(screen.getByRole('tooltip')).toHaveTextContent(
        'You are not allowed to deploy this service to any environment',
      );
    });
  });

  it('links only http(s) merge requests and builds, shows other stored URLs as text and keeps every row', async () => {
    const mergeRequest = (url: string, title: string) => ({
      url,
      title,
      mergedAt: '2025-01-01T05:00:00.000Z',
    });
    server.use(
      http.get(`${BASE_URL}/artifacts`, () =>
        HttpResponse.json({
          items: [
            makeArtifact(5, {
              mergeRequest: mergeRequest(SCRIPT_URL, 'Script MR'),
              buildUrl: 'data:text/html,x',
            }),
            makeArtifact(4, {
              mergeRequest: mergeRequest('file:///etc/passwd', 'File MR'),
              buildUrl: 'vbscript:msgbox(1)',
            }),
            makeArtifact(3, {
              mergeRequest: mergeRequest('not a url', 'Unparsable MR'),
              buildUrl: ' JavaScript:alert(1)',
            }),
            makeArtifact(2),
          ],
        }),
      ),
    );
    renderSled(<EntitySledArtifactsContent />);

    // the tab has rendered, down to the last row's permitted action
    await waitFor(() => expect(deployButton('1.2.0')).toBeEnabled());
    for (const [version, title] of [
      ['1.5.0', 'Script MR'],
      ['1.4.0', 'File MR'],
      ['1.3.0', 'Unparsable MR'],
    ]) {
      expect(row(version).getByText(title)).toBeInTheDocument();
      expect(row(version).queryByRole('link')).toBeNull();
    }
    const hrefs = screen.getAllByRole('link').map(a => a.getAttribute('href'));
    expect(hrefs).not.toContainEqual(
      expect.stringMatching(/^\s*(javascript|data|file|vbscript):|not a url/i),
    );
    expect(
      row('1.2.0').getByRole('link', { name: /Make the rocket faster \(#2\)/ }),
    ).toHaveAttribute(
      'href',
      'https://git.example.com/rocket/-/merge_requests/2',
    );
    expect(hrefs).toContain('https://ci.example.com/rocket/2');
  });

  it('shows the backend error message', async () => {
    server.use(
      http.get(`${BASE_URL}/artifacts`, () =>
        errorResponse(500, 'Error', 'Artifact store is down'),
      ),
    );
    renderSled(<EntitySledArtifactsContent />);
    expect(
      (await screen.findAllByText('Artifact store is down')).length,
    ).toBeGreaterThan(0);
  });
});
