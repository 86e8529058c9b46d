import { SignalApi, SignalSubscriber } from '@backstage/plugin-signals-react';
import {
  SLED_HEARTBEAT_CHANNEL,
  SLED_SIGNAL_HEARTBEAT_MS,
} from '@internal/plugin-sled-common';

/** Signals count as reaching the tab this long after the last one. */
export const SIGNALS_LIVE_FOR_MS = SLED_SIGNAL_HEARTBEAT_MS * 2.5;
/**
 * How long the heartbeat subscription outlives its last watcher: moving
 * from one tab to the next keeps the signals connection open.
 */
const LINGER_MS = 30_000;

/**
 * Whether sled's signals reach this browser tab: the signals API can be
 * installed while its connection fails (no signals backend, a proxy without
 * websockets), and it does not say so. Every sled backend beats on
 * `sled:heartbeat`; the signals are live while a beat (or any sled signal)
 * came within {@link SIGNALS_LIVE_FOR_MS}. One per signals API.
 */
export class SledSignalLiveness {
  private static readonly instances = new WeakMap<
    SignalApi,
    SledSignalLiveness
  >();

  static of(signals: SignalApi): SledSignalLiveness {
    let liveness = SledSignalLiveness.instances.get(signals);
    if (!liveness) {
      liveness = new SledSignalLiveness(signals);
      SledSignalLiveness.instances.set(signals, liveness);
    }
    return liveness;
  }

  private lastBeat = -Infinity;
  private readonly listeners = new Set<() => void>();
  private subscription?: SignalSubscriber;
  private expiry?: ReturnType<typeof setTimeout>;
  private linger?: ReturnType<typeof setTimeout>;

  private constructor(private readonly signals: SignalApi) {}

  isLive(): boolean {
    return Date.now() - this.lastBeat < SIGNALS_LIVE_FOR_MS;
  }

  /** A sled signal arrived: the connection works. */
  beat(): void {
    const wasLive = this.isLive();
    this.lastBeat = Date.now();
    clearTimeout(this.expiry);
    this.expiry = setTimeout(() => this.tell(), SIGNALS_LIVE_FOR_MS + 1);
    if (!wasLive) this.tell();
  }

  /**
   * Calls `listener` whenever the signals become live or stop being live;
   * the heartbeat is listened to while anyone watches. Returns the unwatch.
   */
  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    clearTimeout(this.linger);
    this.subscription ??= this.signals.subscribe(SLED_HEARTBEAT_CHANNEL, () =>
      this.beat(),
    );
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size) return;
      this.linger = setTimeout(() => {
        if (this.listeners.size) return;
        this.subscription?.unsubscribe();
        this.subscription = undefined;
        clearTimeout(this.expiry);
        this.lastBeat = -Infinity;
      }, LINGER_MS);
    };
  }

  private tell() {
    for (const listener of [...this.listeners]) listener();
  }
}
