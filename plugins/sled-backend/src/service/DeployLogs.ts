import { LoggerService } from '@backstage/backend-plugin-api';
import { EventEmitter } from 'events';
import { DeployStore } from '../database/DeployStore';

const FLUSH_INTERVAL_MS = 100;
const MAX_PENDING_CHARS = 64 * 1024;
const FOLLOW_POLL_MS = 1000;

/** Stops following a deploy that another backend runs now (the executors). */
export interface DeployTakenOverListener {
  forget(deployId: string): void;
}

interface Pending {
  nextChunk?: number;
  text: string;
  timer?: NodeJS.Timeout;
  writing: Promise<void>;
}

/**
 * Deploy output: buffered briefly, written to the store in ordered chunks,
 * and followed live. Followers read the store, so any replica can serve them;
 * the in-process events only make them prompt.
 *
 * With `runner` (this backend), a chunk is written only while this backend
 * runs the deploy. A backend whose heartbeats stopped for a while may find
 * its deploy taken over by another; from then on it writes nothing more for
 * it, so the log is the new runner's alone and never interleaves.
 */
export class DeployLogs {
  private readonly pending = new Map<string, Pending>();
  private readonly events = new EventEmitter();
  /** deploys another backend took over: their output is dropped here */
  private readonly lost = new Set<string>();
  private readonly store: Pick<DeployStore, 'appendLog' | 'readLog'>;
  private readonly logger: LoggerService;
  private readonly runner?: string;
  private readonly takenOver?: DeployTakenOverListener;

  constructor(options: {
    store: Pick<DeployStore, 'appendLog' | 'readLog'>;
    logger: LoggerService;
    /** this backend: with it, chunks are written only while it runs the deploy */
    runner?: string;
    /** told when a deploy turns out to be run by another backend now */
    takenOver?: DeployTakenOverListener;
  }) {
    this.store = options.store;
    this.logger = options.logger;
    this.runner = options.runner;
    this.takenOver = options.takenOver;
    this.events.setMaxListeners(0);
  }

  /**
   * A deploy was just claimed to run: nothing is logged for it yet, so its
   * first chunk is 0 without reading the store.
   */
  claimed(deployId: string): void {
    if (!this.pending.has(deployId)) {
      this.pending.set(deployId, {
        nextChunk: 0,
        text: '',
        writing: Promise.resolve(),
      });
    }
  }

  /**
   * This backend took a running deploy over (again): its output goes on after
   * what is stored, whoever wrote that.
   */
  resumed(deployId: string): void {
    this.lost.delete(deployId);
    const entry = this.pending.get(deployId);
    if (entry) entry.nextChunk = undefined;
  }

  append(deployId: string, text: string): void {
    if (!text || this.lost.has(deployId)) return;
    let entry = this.pending.get(deployId);
    if (!entry) {
      entry = { text: '', writing: Promise.resolve() };
      this.pending.set(deployId, entry);
    }
    entry.text += text;
    if (entry.text.length >= MAX_PENDING_CHARS) {
      this.flush(deployId);
    } else if (!entry.timer) {
      entry.timer = setTimeout(() => this.flush(deployId), FLUSH_INTERVAL_MS);
    }
  }

  /** Writes what is buffered; resolves when everything appended so far is stored. */
  flush(deployId: string): Promise<void> {
    const entry = this.pending.get(deployId);
    if (!entry) return Promise.resolve();
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    const text = entry.text;
    entry.text = '';
    if (text) {
      entry.writing = entry.writing.then(async () => {
        // dropped meanwhile: another backend runs the deploy now
        if (this.pending.get(deployId) !== entry) return;
        try {
          if (entry.nextChunk === undefined) {
            const existing = await this.store.readLog(deployId);
            entry.nextChunk = existing.length
              ? existing[existing.length - 1].chunk + 1
              : 0;
          }
          const written = await this.store.appendLog(
            deployId,
            entry.nextChunk++,
            text,
            this.runner,
          );
          if (!written) {
            // dropped, with whatever else comes, unless the deploy comes back
            // (resumed); then it goes on from the stored log
            this.lost.add(deployId);
            clearTimeout(entry.timer);
            this.pending.delete(deployId);
            this.logger.warn(
              `Deploy ${deployId} is run by another backend now (this one sent no heartbeat for too long); this backend drops it and writes nothing more for it`,
            );
            this.takenOver?.forget(deployId);
            return;
          }
          this.events.emit(deployId);
        } catch (error) {
          this.logger.error(
            `Could not store output of deploy ${deployId}`,
            error as Error,
          );
        }
      });
    }
    return entry.writing;
  }

  /** Flushes and forgets a deploy that ended. */
  async close(deployId: string): Promise<void> {
    await this.flush(deployId);
    this.pending.delete(deployId);
    this.lost.delete(deployId);
    this.events.emit(deployId);
  }

  /** Writes everything buffered (backend shut-down). */
  async flushAll(): Promise<void> {
    await Promise.all([...this.pending.keys()].map(id => this.flush(id)));
  }

  async read(deployId: string): Promise<string> {
    const chunks = await this.store.readLog(deployId);
    return chunks.map(c => c.text).join('');
  }

  /**
   * Yields the log from the start and then as it grows, until `isFinished`
   * says the deploy ended and everything it wrote was yielded.
   */
  async *follow(
    deployId: string,
    isFinished: () => Promise<boolean>,
    signal: AbortSignal,
  ): AsyncGenerator<string> {
    let last = -1;
    while (!signal.aborted) {
      const finished = await isFinished();
      const chunks = await this.store.readLog(deployId, last);
      for (const chunk of chunks) {
        last = chunk.chunk;
        yield chunk.text;
      }
      if (finished) return;
      await new Promise<void>(resolve => {
        let timer: NodeJS.Timeout | undefined = undefined;
        const done = () => {
          clearTimeout(timer);
          this.events.off(deployId, done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        timer = setTimeout(done, FOLLOW_POLL_MS);
        this.events.on(deployId, done);
        signal.addEventListener('abort', done);
      });
    }
  }
}
