import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { SafeLink, safeHref } from './SafeLink';
import { SCRIPT_URL } from '../../__testUtils__/fixtures';

describe('safeHref', () => {
  it.each([
    ['https://git.example.com/rocket/-/merge_requests/2'],
    ['http://ci.example.com/rocket/2?tab=log#end'],
    ['HTTPS://CI.example.com/x', 'https://ci.example.com/x'],
    [' https://ci.example.com/x', 'https://ci.example.com/x'],
  ])('links the web URL %s', (url, expected = url) => {
    expect(safeHref(url)).toBe(expected);
  });

  it.each([
    SCRIPT_URL,
    ' JavaScript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'vbscript:msgbox(1)',
    'mailto:someone@example.com',
    'not a url',
    '/catalog/default/component/rocket',
    '',
    undefined,
    null,
    42,
  ])('refuses %p', url => {
    expect(safeHref(url)).toBeUndefined();
  });

  it('links paths inside the app only when allowed, never to another host', () => {
    const path = '/catalog/default/component/rocket/sled-history?deploy=d-1';
    expect(safeHref(path, { allowAppPaths: true })).toBe(path);
    expect(safeHref('https://ci.example.com/x', { allowAppPaths: true })).toBe(
      'https://ci.example.com/x',
    );
    for (const offsite of [
      '//evil.example.com/x',
      '/\\evil.example.com/x',
      '/\t/evil.example.com/x',
      SCRIPT_URL,
    ]) {
      expect(safeHref(offsite, { allowAppPaths: true })).toBeUndefined();
    }
  });
});

describe('SafeLink', () => {
  it('renders a web URL as a link and anything else as its text', async () => {
    renderInTestApp(
      <>
        <SafeLink to="https://ci.example.com/rocket/2">Good build</SafeLink>
        <SafeLink to={SCRIPT_URL}>Bad build</SafeLink>
      </>,
    );
    expect(
      await screen.findByRole('link', { name: /Good build/ }),
    ).toHaveAttribute('href', 'https://ci.example.com/rocket/2');
    expect(screen.getByText('Bad build')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /Bad build/ })).toBeNull();
  });
});
