import { ReactNode } from 'react';
import { Link, LinkProps } from '@backstage/ui';

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

// hidden from sight, not from screen readers
const VISUALLY_HIDDEN = {
  position: 'absolute',
  width: 1,
  height: 1,
  margin: -1,
  padding: 0,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
  border: 0,
} as const;

/** Props of {@link SafeLink}. */
export type SafeLinkProps = Omit<LinkProps, 'href' | 'children'> & {
  /** a stored URL, not trusted: see {@link safeHref} */
  to: unknown;
  children: ReactNode;
  /** also link paths inside this app, as search documents carry them */
  allowAppPaths?: boolean;
};

/**
 * A Backstage UI `Link` to a URL that came from stored data (an artifact's
 * merge request or build, a search document). An address that may not be
 * linked leaves its children as plain text, so a bad value neither becomes a
 * clickable link nor makes `Link` throw and take the page down. Web URLs open
 * in a new window (announced to screen readers), app paths navigate in the app.
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
  if (href.startsWith('/')) {
    return (
      <Link {...linkProps} href={href}>
        {children}
      </Link>
    );
  }
  return (
    <Link {...linkProps} href={href} target="_blank" rel="noopener noreferrer">
      {children}
      <span style={VISUALLY_HIDDEN}>, Opens in a new window</span>
    </Link>
  );
}
