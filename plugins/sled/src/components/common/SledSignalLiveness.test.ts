import { SignalApi } from '@backstage/plugin-signals-react';
import { SLED_HEARTBEAT_CHANNEL } from '@internal/plugin-sled-common';
import { SIGNALS_LIVE_FOR_MS, SledSignalLiveness } from './SledSignalLiveness';

/** A signals API that counts its subscriptions and sends heartbeats. */
function fakeSignals() {
  const callbacks = new Set<() => void>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      expect(channel).toBe(SLED_HEARTBEAT_CHANNEL);
      const callback = () => onMessage({ kind: 'heartbeat' } as any);
      callbacks.add(callback);
      return { unsubscribe: () => callbacks.delete(callback) };
    },
  };
  return {
    api,
    subscriptions: () => callbacks.size,
    beat: () => callbacks.forEach(c => c()),
  };
}

describe('SledSignalLiveness', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('is live from a heartbeat until the heartbeats stop, telling its watchers of each change', () => {
    const signals = fakeSignals();
    const liveness = SledSignalLiveness.of(signals.api);
    expect(SledSignalLiveness.of(signals.api)).toBe(liveness);
    const told = jest.fn();
    liveness.watch(told);
    expect(liveness.isLive()).toBe(false);

    signals.beat();
    expect(liveness.isLive()).toBe(true);
    expect(told).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(SIGNALS_LIVE_FOR_MS - 1);
    signals.beat();
    expect(told).toHaveBeenCalledTimes(1);

    jest.advanceTimersByTime(SIGNALS_LIVE_FOR_MS + 1);
    expect(liveness.isLive()).toBe(false);
    expect(told).toHaveBeenCalledTimes(2);
  });

  it('keeps listening to the heartbeat a while after its last watcher left, so moving between tabs keeps the connection', () => {
    const signals = fakeSignals();
    const liveness = SledSignalLiveness.of(signals.api);
    const unwatch = liveness.watch(() => {});
    expect(signals.subscriptions()).toBe(1);
    unwatch();
    jest.advanceTimersByTime(10_000);
    const again = liveness.watch(() => {});
    expect(signals.subscriptions()).toBe(1);
    again();
    jest.advanceTimersByTime(30_000);
    expect(signals.subscriptions()).toBe(0);
  });
});
