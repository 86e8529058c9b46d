import { useCallback, useState } from 'react';
import { Page } from '@internal/plugin-sled-common';
import { useLiveQuery } from './useLiveQuery';
import { ACTIVE_POLL_INTERVAL_MS } from './useServiceState';

export interface KeysetPages<T> {
  items: T[];
  loading: boolean;
  error?: Error;
  pageIndex: number;
  hasNext: boolean;
  hasPrevious: boolean;
  next: () => void;
  previous: () => void;
  refresh: () => void;
}

/**
 * Pages through a newest-first keyset-paginated list. The cursor of every
 * page visited is kept so the user can go back. `queryKey` identifies the
 * query: when it changes, paging starts over. The page shown is fetched
 * again on every sled signal of `live.channels`, and, when signals do not
 * reach the tab, every couple of seconds while `live.shouldPoll` says so for
 * it ({@link useLiveQuery}).
 */
export function useKeysetPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  queryKey: string,
  live?: {
    channels: string[];
    shouldPoll?: (items: T[]) => boolean;
  },
): KeysetPages<T> {
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  const [pageIndex, setPageIndex] = useState(0);
  const [currentKey, setCurrentKey] = useState(queryKey);

  // A new query starts over on the first page (adjusting state during render
  // rather than in an effect, so no request goes out for a stale cursor).
  if (currentKey !== queryKey) {
    setCurrentKey(queryKey);
    setCursors([undefined]);
    setPageIndex(0);
  }

  const cursor = currentKey === queryKey ? cursors[pageIndex] : undefined;
  const shouldPoll = live?.shouldPoll;
  const {
    value: page,
    loading,
    error,
    refresh,
  } = useLiveQuery(
    () => fetchPage(cursor),
    JSON.stringify([queryKey, cursor ?? null]),
    {
      channels: live?.channels ?? [],
      pollDelayMs: next =>
        shouldPoll?.(next.items) ? ACTIVE_POLL_INTERVAL_MS : undefined,
    },
  );

  const nextCursor = page?.nextCursor;
  const next = useCallback(() => {
    if (!nextCursor) return;
    setCursors(previous => [...previous.slice(0, pageIndex + 1), nextCursor]);
    setPageIndex(i => i + 1);
  }, [nextCursor, pageIndex]);
  const previous = useCallback(() => setPageIndex(i => Math.max(0, i - 1)), []);

  return {
    items: page?.items ?? [],
    loading,
    error,
    pageIndex,
    hasNext: Boolean(nextCursor),
    hasPrevious: pageIndex > 0,
    next,
    previous,
    refresh,
  };
}
