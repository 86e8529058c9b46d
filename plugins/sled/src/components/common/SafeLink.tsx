import { ReactNode } from 'react';
import { Link, LinkProps } from '@backstage/core-components';

const WEB_PROTOCOLS = ['http:', 'https:'];

// resolves app paths without the real origin: only whether one leaves it matters
const APP_ORIGIN = 'http://app.invalid';

/**
 * The address a stored URL may be linked to, or undefined when it must not
 * be: only absolute `http:` and `https:` URLs (normalised, so what was checked
 * is what is linked), and with `allowAppPaths` paths inside this app
 * (`/catalog/…`, never `//host` or `/\host`). Everything else, `javascript:`,
 * `data:`, `file:`, unparsable text or no string at all, is refused.
 */
export function safeHref(
  url: unknown,
  options: { allowAppPaths?: boolean } = {},
): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    if (options.allowAppPaths && url.startsWith('/')) {
      const resolved = new URL(url, APP_ORIGIN);
      return resolved.origin === APP_ORIGIN
        ? `${resolved.pathname}${resolved.search}${resolved.hash}`
        : undefined;
    }
    const parsed = new URL(url);
    return WEB_PROTOCOLS.includes(parsed.protocol) ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** Props of {@link SafeLink}. */
export type SafeLinkProps = Omit<LinkProps, 'to'> & {
  /** a stored URL, not trusted: see {@link safeHref} */
  to: unknown;
  children: ReactNode;
  /** also link paths inside this app, as search documents carry them */
  allowAppPaths?: boolean;
};

/**
 * A Backstage `Link` to a URL that came from stored data (an artifact's merge
 * request or build, a search document). An address that may not be linked
 * leaves its children as plain text, so a bad value neither becomes a
 * clickable link nor makes `Link` throw and take the page down.
 */
export function SafeLink(props: SafeLinkProps) {
  const { to, allowAppPaths, children, ...linkProps } = props;
  const href = safeHref(to, { allowAppPaths });
  if (!href) {
    return (
      <span title={typeof to === 'string' ? `Not linked: ${to}` : undefined}>
        {children}
      </span>
    );
  }
  return (
    <Link {...linkProps} to={href}>
      {children}
    </Link>
  );
}
