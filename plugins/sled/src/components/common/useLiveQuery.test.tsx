import { ReactNode } from 'react';
import { act, renderHook } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import {
  SignalApi,
  SignalSubscriber,
  signalApiRef,
} from '@backstage/plugin-signals-react';
import {
  SLED_HEARTBEAT_CHANNEL,
  SLED_SIGNAL_HEARTBEAT_MS,
} from '@internal/plugin-sled-common';
import { LiveQueryOptions, useLiveQuery } from './useLiveQuery';
import { SIGNALS_LIVE_FOR_MS } from './SledSignalLiveness';

const CHANNEL = 'sled:service:component:default/rocket';

/** A signals API whose signals the test sends. */
class FakeSignals implements SignalApi {
  private readonly subscribers = new Map<string, Set<(message: any) => void>>();

  subscribe(
    channel: string,
    onMessage: (message: any) => void,
  ): SignalSubscriber {
    const set = this.subscribers.get(channel) ?? new Set();
    this.subscribers.set(channel, set);
    const callback = onMessage;
    set.add(callback);
    return { unsubscribe: () => set.delete(callback) };
  }

  send(channel: string, kind = 'deploy') {
    act(() => {
      for (const callback of this.subscribers.get(channel) ?? []) {
        callback({ kind });
      }
    });
  }

  subscriberCount(channel: string) {
    return this.subscribers.get(channel)?.size ?? 0;
  }
}

/** The fetches the hook made, each answered with the number of the fetch. */
function counter() {
  let calls = 0;
  const fetch = jest.fn(async () => ++calls);
  return { fetch, calls: () => calls };
}

function render(
  fetch: () => Promise<number>,
  options: LiveQueryOptions<number>,
  signals?: SignalApi,
) {
  const wrapper = ({ children }: { children: ReactNode }) =>
    signals ? (
      <TestApiProvider apis={[[signalApiRef, signals]]}>
        {children}
      </TestApiProvider>
    ) : (
      <TestApiProvider apis={[]}>{children}</TestApiProvider>
    );
  return renderHook(() => useLiveQuery(fetch, 'the-query', options), {
    wrapper,
  });
}

/** Lets time pass, running the timers and the fetches they start. */
const pass = (ms: number) => act(() => jest.advanceTimersByTimeAsync(ms));

describe('useLiveQuery', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('without a signals API, polls as pollDelayMs says, and stops when it says no more', async () => {
    const { fetch, calls } = counter();
    const { result } = render(fetch, {
      channels: [CHANNEL],
      pollDelayMs: n => (n < 3 ? 2000 : undefined),
    });
    await pass(0);
    expect(result.current).toMatchObject({ value: 1, loading: false });
    await pass(1999);
    expect(calls()).toBe(1);
    await pass(1);
    expect(result.current.value).toBe(2);
    await pass(2000);
    expect(result.current.value).toBe(3);
    await pass(60_000);
    expect(calls()).toBe(3);
  });

  it('with signals reaching the tab, fetches on its channels signals only, and does not poll', async () => {
    const signals = new FakeSignals();
    const { fetch, calls } = counter();
    const { result } = render(
      fetch,
      { channels: [CHANNEL], pollDelayMs: () => 2000 },
      signals,
    );
    await pass(0);
    expect(calls()).toBe(1);
    // no heartbeat yet: the fallback polls
    await pass(2000);
    expect(calls()).toBe(2);

    signals.send(SLED_HEARTBEAT_CHANNEL, 'heartbeat');
    await pass(0);
    const live = calls();
    await pass(SLED_SIGNAL_HEARTBEAT_MS - 1);
    expect(calls()).toBe(live);

    signals.send(CHANNEL);
    await pass(0);
    expect(calls()).toBe(live + 1);
    expect(result.current.value).toBe(live + 1);
    signals.send('sled:service:component:default/moon');
    await pass(0);
    expect(calls()).toBe(live + 1);
  });

  it('polls again once the heartbeat stops, after fetching what the signals may have missed', async () => {
    const signals = new FakeSignals();
    const { fetch, calls } = counter();
    render(fetch, { channels: [CHANNEL], pollDelayMs: () => 2000 }, signals);
    await pass(0);
    signals.send(SLED_HEARTBEAT_CHANNEL, 'heartbeat');
    await pass(0);
    const live = calls();
    await pass(SIGNALS_LIVE_FOR_MS - 1);
    expect(calls()).toBe(live);
    await pass(2);
    expect(calls()).toBe(live + 1);
    await pass(2000);
    expect(calls()).toBe(live + 2);
  });

  it('makes one more fetch for the signals that came while one was under way', async () => {
    const signals = new FakeSignals();
    const answers: Array<(n: number) => void> = [];
    const fetch = jest.fn(
      () => new Promise<number>(resolve => answers.push(resolve)),
    );
    const { result } = render(fetch, { channels: [CHANNEL] }, signals);
    expect(fetch).toHaveBeenCalledTimes(1);
    signals.send(CHANNEL);
    signals.send(CHANNEL);
    signals.send(CHANNEL);
    expect(fetch).toHaveBeenCalledTimes(1);
    await act(async () => answers[0](1));
    expect(fetch).toHaveBeenCalledTimes(2);
    await act(async () => answers[1](2));
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(result.current.value).toBe(2);
  });

  it('fetches when the value changes by itself, signals or not', async () => {
    const signals = new FakeSignals();
    const { fetch, calls } = counter();
    render(
      fetch,
      {
        channels: [CHANNEL],
        pollDelayMs: () => 2000,
        changesInMs: n => (n === 2 ? 60_000 : undefined),
      },
      signals,
    );
    await pass(0);
    signals.send(SLED_HEARTBEAT_CHANNEL, 'heartbeat');
    signals.send(CHANNEL);
    await pass(0);
    expect(calls()).toBe(2);
    // the heartbeat keeps the signals live through the minute: no polling
    for (let beat = 0; beat < 5; beat++) {
      await pass(SLED_SIGNAL_HEARTBEAT_MS);
      signals.send(SLED_HEARTBEAT_CHANNEL, 'heartbeat');
    }
    await pass(60_000 - 5 * SLED_SIGNAL_HEARTBEAT_MS - 1);
    expect(calls()).toBe(2);
    await pass(1);
    expect(calls()).toBe(3);
  });

  it('keeps the last good value with the error of a failed fetch, and refreshes on demand', async () => {
    let fail = false;
    let calls = 0;
    const fetch = jest.fn(async () => {
      calls += 1;
      if (fail) throw new Error('down');
      return calls;
    });
    const { result } = render(fetch, { channels: [] });
    await pass(0);
    expect(result.current).toMatchObject({ value: 1, loading: false });
    fail = true;
    act(() => result.current.refresh());
    await pass(0);
    expect(result.current.value).toBe(1);
    expect(result.current.error?.message).toBe('down');
    fail = false;
    act(() => result.current.refresh());
    await pass(0);
    expect(result.current).toMatchObject({ value: 3, error: undefined });
  });

  it('unsubscribes from its channels when unmounted', async () => {
    const signals = new FakeSignals();
    const { fetch } = counter();
    const { unmount } = render(fetch, { channels: [CHANNEL] }, signals);
    await pass(0);
    expect(signals.subscriberCount(CHANNEL)).toBe(1);
    unmount();
    expect(signals.subscriberCount(CHANNEL)).toBe(0);
  });
});
