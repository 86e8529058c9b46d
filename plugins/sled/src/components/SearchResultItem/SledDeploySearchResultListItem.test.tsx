import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  SledDeploySearchDocument,
  SledDeploySearchResultListItem,
} from './SledDeploySearchResultListItem';
import { SCRIPT_URL } from '../../__testUtils__/fixtures';

const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000).toISOString();

const document: SledDeploySearchDocument = {
  title: 'payments 1.4.2 → production',
  text: 'Deployed by user:default/alice: failed. Reason: hotfix. Commit c0ffee1. Merge request: Faster refunds.',
  location: '/catalog/default/component/payments/sled-history?deploy=d-1',
  deployId: 'd-1',
  entityRef: 'component:default/payments',
  environment: 'production',
  status: 'failed',
  version: '1.4.2',
  createdAt: twoHoursAgo,
  requestedBy: 'user:default/alice',
  commitSha: 'c0ffee1',
  mergeRequestTitle: 'Faster refunds',
};

/** Renders the item and waits until it is shown. */
async function render(
  props: Partial<Parameters<typeof SledDeploySearchResultListItem>[0]> = {},
) {
  // jest functions, to assert on the events captured
  const analytics = mockApis.analytics.mock();
  renderInTestApp(
    <SledDeploySearchResultListItem result={document} rank={3} {...props} />,
    { apis: [analytics] },
  );
  await screen.findByText('Version: 1.4.2');
  return { analytics };
}

describe('SledDeploySearchResultListItem', () => {
  it('links the title to the deploy in the service history and shows status, environment, version and when', async () => {
    await render();
    const link = screen.getByRole('link', {
      name: 'payments 1.4.2 → production',
    });
    expect(link).toHaveAttribute('href', document.location);
    expect(screen.getByText(/Reason: hotfix/)).toBeInTheDocument();
    expect(screen.getByLabelText('Status: failed')).toHaveTextContent('failed');
    expect(screen.getByText('Environment: production')).toBeInTheDocument();
    expect(screen.getByText('Version: 1.4.2')).toBeInTheDocument();
    const when = screen.getByText('2 hours ago');
    expect(when).toHaveAttribute('datetime', twoHoursAgo);
  });

  it('shows the search highlight when there is one', async () => {
    await render({
      highlight: {
        preTag: '<em>',
        postTag: '</em>',
        fields: { title: 'payments <em>1.4.2</em> → production' },
      },
    });
    expect(screen.getByText('1.4.2', { selector: 'mark' })).toBeInTheDocument();
  });

  it('reports a discover event when the result is followed', async () => {
    const { analytics } = await render();
    await userEvent.click(screen.getByRole('link', { name: /payments 1.4.2/ }));
    expect(analytics.captureEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        action: 'discover',
        subject: document.title,
        value: 3,
        attributes: { to: document.location },
      }),
    );
  });

  it('reports nothing when told not to track', async () => {
    const { analytics } = await render({ noTrack: true });
    await userEvent.click(screen.getByRole('link', { name: /payments 1.4.2/ }));
    expect(analytics.captureEvent).not.toHaveBeenCalledWith(
      expect.objectContaining({ action: 'discover' }),
    );
  });

  it.each([
    SCRIPT_URL,
    'data:text/html,x',
    '//evil.example.com/catalog',
    '/\\evil.example.com/catalog',
  ])(
    'shows the title as text, not a link, for the location %s',
    async location => {
      await render({ result: { ...document, location } });
      expect(
        screen.getByText('payments 1.4.2 → production'),
      ).toBeInTheDocument();
      expect(screen.queryByRole('link')).toBeNull();
    },
  );
});
