import { WindowState } from '@internal/plugin-sled-common';
import { CronTime } from 'cron';
import { DateTime } from 'luxon';
import { DeployWindowConfig } from './gatesConfig';

const DAY_MS = 24 * 60 * 60 * 1000;
/** a window's wall-clock length may differ from its absolute one by a DST shift */
const DST_SLACK_MS = 2 * 60 * 60 * 1000;
/** openings walked one by one before the rest is bisected */
const LINEAR_STEPS = 8;

interface Span {
  start: DateTime;
  end: DateTime;
}

/** What the windows say at an instant, with the window that decides. */
export interface WindowVerdict extends WindowState {
  /** when closed: when deploys may start again */
  opensAt?: Date;
}

/**
 * The deploy windows of one environment: `deny` windows freeze deploys
 * while they are open (deny wins); when any `allow` window exists, deploys
 * start only inside one. A window opens at each time its cron schedule
 * names, in its time zone (the cron library's, never a parser of our own),
 * and lasts its duration: whole days as calendar days, so a freeze from
 * Friday 18:00 for 62 h ends Monday 08:00 local time across a DST change.
 */
export class DeployWindows {
  private readonly windows: Array<DeployWindowConfig & { cron: CronTime }>;
  /** the last answer, and the span of time it holds for */
  private cached?: { from: number; until: number; verdict: WindowVerdict };

  constructor(windows: DeployWindowConfig[]) {
    this.windows = windows.map(w => ({
      ...w,
      cron: new CronTime(w.schedule, w.timezone),
    }));
  }

  get configured(): boolean {
    return this.windows.length > 0;
  }

  /**
   * Whether deploys may start at `now`, why, and until when. The answer
   * holds until a window starts or the one that decides ends, so it is
   * computed once per such span.
   */
  stateAt(now: Date): WindowVerdict {
    const t = now.getTime();
    const cached = this.cached;
    if (cached && cached.from <= t && t < cached.until) return cached.verdict;
    const verdict = this.compute(now);
    const at = DateTime.fromJSDate(now);
    const nextOpening = Math.min(
      ...this.windows.map(w => nextStart(w, at).toMillis()),
    );
    const until = Math.min(
      nextOpening,
      verdict.changesAt ? Date.parse(verdict.changesAt) : Infinity,
    );
    this.cached = { from: t, until, verdict };
    return verdict;
  }

  private compute(now: Date): WindowVerdict {
    const at = DateTime.fromJSDate(now);
    const denies = this.windows.filter(w => w.kind === 'deny');
    const allows = this.windows.filter(w => w.kind === 'allow');

    const frozen = denies
      .map(w => ({ w, span: this.spanAt(w, at) }))
      .filter((x): x is { w: (typeof denies)[0]; span: Span } => !!x.span)
      .sort((a, b) => b.span.end.toMillis() - a.span.end.toMillis())[0];
    if (frozen) {
      const until = frozen.span.end;
      return {
        open: false,
        message: `Frozen until ${format(until, frozen.w.timezone)}${
          frozen.w.reason ? ` — ${frozen.w.reason}` : ''
        }`,
        changesAt: until.toUTC().toISO()!,
        opensAt: this.opensAfter(until.toJSDate()),
      };
    }
    if (!allows.length) {
      return { open: true, message: 'No deploy window applies now' };
    }
    const allowed = allows
      .map(w => ({ w, span: this.spanAt(w, at) }))
      .filter((x): x is { w: (typeof allows)[0]; span: Span } => !!x.span)
      .sort((a, b) => b.span.end.toMillis() - a.span.end.toMillis())[0];
    if (allowed) {
      const { start, end } = allowed.span;
      return {
        open: true,
        message: `Deploys allowed ${clock(start, allowed.w.timezone)}–${clock(
          end,
          allowed.w.timezone,
        )}${allowed.w.reason ? ` — ${allowed.w.reason}` : ''}`,
        changesAt: end.toUTC().toISO()!,
      };
    }
    const next = allows
      .map(w => ({ w, start: nextStart(w, at) }))
      .sort((a, b) => a.start.toMillis() - b.start.toMillis())[0];
    return {
      open: false,
      message: `Outside the deploy windows: deploys open ${format(
        next.start,
        next.w.timezone,
      )}`,
      changesAt: next.start.toUTC().toISO()!,
      opensAt: this.opensAfter(now),
    };
  }

  /**
   * The first instant at or after `from` at which deploys may start, if one
   * comes within a year's worth of occurrences.
   */
  private opensAfter(from: Date): Date | undefined {
    let at = from;
    for (let i = 0; i < 50; i++) {
      const state = this.stateAtUnchecked(at);
      if (state.open) return at;
      if (!state.changesAt) return undefined;
      const next = new Date(state.changesAt);
      if (next.getTime() <= at.getTime()) return undefined;
      at = next;
    }
    return undefined;
  }

  private stateAtUnchecked(at: Date): WindowState {
    const now = DateTime.fromJSDate(at);
    const ends = this.windows
      .filter(w => w.kind === 'deny')
      .map(w => this.spanAt(w, now)?.end)
      .filter((e): e is DateTime => !!e);
    if (ends.length) {
      const until = DateTime.max(...ends)!;
      return { open: false, message: '', changesAt: until.toUTC().toISO()! };
    }
    const allows = this.windows.filter(w => w.kind === 'allow');
    if (!allows.length || allows.some(w => this.spanAt(w, now))) {
      return { open: true, message: '' };
    }
    const next = DateTime.min(...allows.map(w => nextStart(w, now)))!;
    return { open: false, message: '', changesAt: next.toUTC().toISO()! };
  }

  /**
   * The span of `w` that holds `at`, if it is open then. Spans have one
   * length, so the latest opening at or before `at` ends last. A sparse
   * schedule gets there in a few of the cron library's answers; a dense one
   * (every minute, for hours) is bisected, so no schedule costs more than a
   * bounded number of them.
   */
  private spanAt(
    w: DeployWindowConfig & { cron: CronTime },
    at: DateTime,
  ): Span | undefined {
    const limit = at.toMillis();
    const lo = limit - w.durationMs - DST_SLACK_MS;
    let start = nextStart(w, DateTime.fromMillis(lo));
    if (start.toMillis() > limit) return undefined;
    let steps = 0;
    for (;;) {
      const next = nextStart(w, start);
      if (next.toMillis() > limit) break;
      if (++steps > LINEAR_STEPS) {
        start = this.latestOpening(w, start.toMillis(), limit);
        break;
      }
      start = next;
    }
    const end = endOf(start, w);
    return end > at ? { start, end } : undefined;
  }

  /** The latest opening at or before `limit`, knowing one comes after `lo`. */
  private latestOpening(
    w: DeployWindowConfig & { cron: CronTime },
    from: number,
    limit: number,
  ): DateTime {
    let lo = from;
    let hi = limit;
    const opensBy = (t: number) =>
      nextStart(w, DateTime.fromMillis(t)).toMillis() <= limit;
    // invariant: an opening after lo is at or before limit, none after hi is
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2);
      if (opensBy(mid)) lo = mid;
      else hi = mid;
    }
    return nextStart(w, DateTime.fromMillis(lo));
  }
}

/** The window's first opening after `from` (the cron library's answer). */
function nextStart(
  w: DeployWindowConfig & { cron: CronTime },
  from: DateTime,
): DateTime {
  return DateTime.fromMillis(
    w.cron.getNextDateFrom(from.toJSDate(), w.timezone).toMillis(),
  );
}

/** Whole days of the duration are calendar days in the window's zone. */
function endOf(start: DateTime, w: DeployWindowConfig): DateTime {
  const days = Math.floor(w.durationMs / DAY_MS);
  return start
    .setZone(w.timezone)
    .plus({ days })
    .plus({ milliseconds: w.durationMs - days * DAY_MS });
}

function format(at: DateTime, zone: string): string {
  return at.setZone(zone).toFormat('ccc HH:mm ZZZZ');
}

function clock(at: DateTime, zone: string): string {
  return at.setZone(zone).toFormat('HH:mm');
}
