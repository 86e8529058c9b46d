import { useCallback, useEffect, useState } from 'react';
import { Page } from '@internal/plugin-sled-common';
import { ACTIVE_POLL_INTERVAL_MS } from './usePolledServiceState';

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
 * query: when it changes, paging starts over. When `shouldPoll` says so for
 * the page shown, it is fetched again every couple of seconds.
 */
export function useKeysetPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  queryKey: string,
  shouldPoll?: (items: T[]) => boolean,
): KeysetPages<T> {
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  const [pageIndex, setPageIndex] = useState(0);
  const [page, setPage] = useState<Page<T>>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();
  const [generation, setGeneration] = useState(0);
  const [currentKey, setCurrentKey] = useState(queryKey);

  // A new query starts over on the first page (adjusting state during render
  // rather than in an effect, so no request goes out for a stale cursor).
  if (currentKey !== queryKey) {
    setCurrentKey(queryKey);
    setCursors([undefined]);
    setPageIndex(0);
  }

  const cursor = cursors[pageIndex];
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setLoading(true);
    fetchPage(cursor).then(
      next => {
        if (cancelled) return;
        setPage(next);
        setError(undefined);
        setLoading(false);
        if (shouldPoll?.(next.items)) {
          timer = setTimeout(
            () => setGeneration(g => g + 1),
            ACTIVE_POLL_INTERVAL_MS,
          );
        }
      },
      e => {
        if (cancelled) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // fetchPage is identified by queryKey
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [currentKey, cursor, generation]);

  const nextCursor = page?.nextCursor;
  const next = useCallback(() => {
    if (!nextCursor) return;
    setCursors(previous => [...previous.slice(0, pageIndex + 1), nextCursor]);
    setPageIndex(i => i + 1);
  }, [nextCursor, pageIndex]);
  const previous = useCallback(() => setPageIndex(i => Math.max(0, i - 1)), []);
  const refresh = useCallback(() => setGeneration(g => g + 1), []);

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
