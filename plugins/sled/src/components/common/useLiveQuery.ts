import { useCallback, useEffect, useRef, useState } from 'react';
import { useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { SledSignalLiveness } from './SledSignalLiveness';

/** setTimeout's longest delay. */
const MAX_DELAY_MS = 2_147_483_647;

export interface LiveQueryOptions<T> {
  /**
   * The sled signal channels whose signals mean the value may have changed
   * (`sledServiceChannel`, `sledGroupChannel`, `SLED_ENVIRONMENTS_CHANNEL`):
   * each signal fetches it again.
   */
  channels: string[];
  /**
   * Only while signals do not reach the tab (no signals API, or no heartbeat
   * lately): ms until the value is fetched again, or undefined for not until
   * asked. The fallback.
   */
  pollDelayMs?: (value: T) => number | undefined;
  /**
   * Signals or not: ms until the value changes by itself, with no write to
   * signal it (a deploy window opens), or undefined.
   */
  changesInMs?: (value: T) => number | undefined;
}

export interface LiveQuery<T> {
  /** the last good value (of this query, or while it loads, of the one before) */
  value?: T;
  /** true until the first answer of this query */
  loading: boolean;
  /** the error of the last fetch; `value` keeps the last good one */
  error?: Error;
  /** fetch now, e.g. after an action */
  refresh: () => void;
}

/**
 * A value from the sled API kept fresh: fetched on mount, again on every
 * sled signal of its channels, and, when signals do not reach the tab, by
 * polling as `pollDelayMs` says. `key` identifies the query (`fetch` is
 * read afresh each time but only a new key starts over). Signals that come
 * while a fetch is under way make one more fetch after it, not one each.
 * The only refresh loop of the sled tabs.
 */
export function useLiveQuery<T>(
  fetch: () => Promise<T>,
  key: string,
  options: LiveQueryOptions<T>,
): LiveQuery<T> {
  const signals = useApiHolder().get(signalApiRef);
  const [result, setResult] = useState<{
    key: string;
    value?: T;
    error?: Error;
  }>();
  const latest = useRef({ fetch, options });
  latest.current = { fetch, options };
  const runRef = useRef<() => void>(() => {});
  const channelsKey = options.channels.join('\n');

  useEffect(() => {
    let cancelled = false;
    let inFlight = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: { value: T } | undefined;
    const liveness = signals ? SledSignalLiveness.of(signals) : undefined;

    const schedule = () => {
      clearTimeout(timer);
      timer = undefined;
      if (cancelled || inFlight || !last) return;
      const { pollDelayMs, changesInMs } = latest.current.options;
      const delays = [changesInMs?.(last.value)];
      if (!liveness?.isLive()) delays.push(pollDelayMs?.(last.value));
      const defined = delays.filter((d): d is number => d !== undefined);
      if (defined.length) {
        timer = setTimeout(run, Math.min(Math.min(...defined), MAX_DELAY_MS));
      }
    };
    function run() {
      if (cancelled) return;
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      again = false;
      clearTimeout(timer);
      latest.current
        .fetch()
        .then(
          value => {
            if (cancelled) return;
            last = { value };
            setResult({ key, value });
          },
          error => {
            if (cancelled) return;
            setResult(previous => ({ key, value: previous?.value, error }));
          },
        )
        .finally(() => {
          inFlight = false;
          if (again) run();
          else schedule();
        });
    }

    const subscriptions = signals
      ? channelsKey
          .split('\n')
          .filter(Boolean)
          .map(channel =>
            signals.subscribe(channel, () => {
              liveness?.beat();
              run();
            }),
          )
      : [];
    // signals stopped: fetch what they may have missed, then poll
    const unwatch = liveness?.watch(() =>
      liveness.isLive() ? schedule() : run(),
    );
    runRef.current = run;
    run();
    return () => {
      cancelled = true;
      clearTimeout(timer);
      subscriptions.forEach(s => s.unsubscribe());
      unwatch?.();
    };
  }, [signals, key, channelsKey]);

  const refresh = useCallback(() => runRef.current(), []);
  const current = result?.key === key;
  return {
    value: result?.value,
    loading: !current,
    error: current ? result?.error : undefined,
    refresh,
  };
}
