// Append-only JSON-lines journal with group commit: concurrent writers share one write + fdatasync.
//
// Nothing resolves before all its bytes are written (looping on short writes) and fdatasync'd. When a write fails
// (disk full, quota, I/O error) the batches of that write and those queued behind it are refused (503) but kept here:
// the store has already applied them in memory. The journal then refuses every new append and probes with backoff:
// truncate the file back to the last durable byte, rewrite the kept batches in full, fdatasync, and accept writes
// again. Rewriting (not just re-syncing) matters: after a failed fsync Linux may drop the dirty pages and report the
// next fsync as clean. A request refused with 503 whose batch is durable after recovery is a duplicate on its retry.
import type { UnavailableError } from '../../errors.js';
import { type DurableFile, errorCode, isNoSpace, type OpenFile, storageUnavailable, writeFully } from '../files.js';

export type JournalHealth =
  | { state: 'ok' }
  /** Writes refused; probing for recovery. `full`: the device or quota is full. */
  | { state: 'degraded'; full: boolean; error: string; since: string; retained: number }
  /** The journal cannot be written from this process any more: a restart is needed. */
  | { state: 'failed'; error: string; since: string };

export interface JournalOptions {
  open: OpenFile;
  /** Every health transition (ok → degraded → ok, → failed) and each change of the failing error. */
  onHealth(health: JournalHealth): void;
  /** Recovery probe backoff, doubling from min to max. */
  probeMs: { min: number; max: number };
}

interface Entry {
  line: string;
  resolve(): void;
  reject(error: Error): void;
}

interface Rotation {
  next: DurableFile;
  path: string;
  swap(): void;
  reject(error: Error): void;
}

interface Fault {
  error: unknown;
  since: string;
  fatal: boolean;
}

/** Errors no probe can fix: the descriptor is gone, or the file is no longer in DATA_DIR. */
const isFatal = (error: unknown): boolean => errorCode(error) === 'EBADF' || (error as { fatal?: boolean } | null)?.fatal === true;
const describe = (error: unknown): string => `${errorCode(error) ?? 'error'}: ${(error as Error)?.message ?? String(error)}`;

/** Opens for positional writes (not O_APPEND: recovery rewrites at the durable offset), creating the file if needed. */
async function openForWrite(open: OpenFile, path: string): Promise<DurableFile> {
  await (await open(path, 'a', 0o600)).close();
  return open(path, 'r+');
}

export class Journal {
  private pending: Entry[] = [];
  private pendingBytes = 0;
  /** Lines applied in memory whose write failed: rewritten by the recovery probe. */
  private retained: string[] = [];
  private fault: Fault | null = null;
  private flushing: Promise<void> | null = null;
  private rotation: Rotation | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private probing: Promise<void> | null = null;
  private probeDelay: number;
  private closed = false;

  private constructor(
    private currentPath: string,
    private file: DurableFile,
    /** Bytes of the file known to be on disk (written in full and fdatasync'd). */
    private durable: number,
    private readonly options: JournalOptions,
  ) {
    this.probeDelay = options.probeMs.min;
  }

  static async open(path: string, options: JournalOptions): Promise<Journal> {
    const file = await openForWrite(options.open, path);
    const { size } = await file.stat();
    return new Journal(path, file, size, options);
  }

  /** Opens the file a later `rotate` switches to. */
  static openNext(path: string, open: OpenFile): Promise<DurableFile> {
    return openForWrite(open, path);
  }

  get path(): string {
    return this.currentPath;
  }

  /** Bytes written plus bytes queued (compaction threshold). */
  get size(): number {
    return this.durable + this.pendingBytes;
  }

  get writable(): boolean {
    return this.fault === null && !this.closed;
  }

  health(): JournalHealth {
    const fault = this.fault;
    if (!fault) return { state: 'ok' };
    if (fault.fatal) return { state: 'failed', error: describe(fault.error), since: fault.since };
    return {
      state: 'degraded',
      full: isNoSpace(fault.error),
      error: describe(fault.error),
      since: fault.since,
      retained: this.retained.length,
    };
  }

  /** The 503 a refused write gets while the journal is failing. */
  refusal(): UnavailableError {
    return storageUnavailable(this.fault?.error, Math.max(1, Math.ceil(this.probeDelay / 1000)));
  }

  /** Queue one record; resolves once it is on disk (written in full and fdatasync'd). */
  append(record: unknown): Promise<void> {
    return this.enqueue(JSON.stringify(record) + '\n');
  }

  /** Resolves when everything appended so far is durable; rejects if any of it failed. */
  barrier(): Promise<void> {
    return this.enqueue('');
  }

  /**
   * Switch to `next` between two group commits. `atSwap` runs synchronously at the switch: the state it sees holds
   * exactly what was written to the old file plus what is queued (the queued batches go to the new file; replaying a
   * batch twice is harmless, records are keyed puts). Rejects, leaving the journal as it is, while writes fail.
   */
  rotate<T>(next: DurableFile, nextPath: string, atSwap: () => T): Promise<T> {
    if (this.fault || this.closed) return Promise.reject(this.fault ? this.refusal() : new Error('journal closed'));
    return new Promise<T>((resolve, reject) => {
      this.rotation = {
        next,
        path: nextPath,
        reject,
        swap: () => {
          const value = atSwap();
          const old = this.file;
          this.file = next;
          this.currentPath = nextPath;
          this.durable = 0;
          // Quiescent: every write to it completed and was synced.
          void old.close().catch(() => undefined);
          resolve(value);
        },
      };
      this.kick();
    });
  }

  /** Flush (one last recovery attempt if failing) and close; rejects when batches could not be written. */
  async close(): Promise<void> {
    try {
      if (this.probeTimer) clearTimeout(this.probeTimer);
      this.probeTimer = null;
      if (this.probing) await this.probing;
      if (this.fault && !this.fault.fatal) await this.probe(false);
      if (!this.fault) await this.barrier();
      if (this.fault) {
        throw new Error(
          `journal ${this.currentPath}: ${this.retained.length} batch(es) could not be written (${describe(this.fault.error)}); ` +
            'their requests were refused with 503 and will be retried by the senders',
        );
      }
    } finally {
      this.closed = true;
      this.rotation?.reject(new Error('journal closed'));
      this.rotation = null;
      await this.file.close();
    }
  }

  private enqueue(line: string): Promise<void> {
    if (this.fault) return Promise.reject(this.refusal());
    if (this.closed) return Promise.reject(new Error(`journal ${this.currentPath} is closed`));
    const done = new Promise<void>((resolve, reject) => this.pending.push({ line, resolve, reject }));
    this.pendingBytes += Buffer.byteLength(line);
    this.kick();
    return done;
  }

  private kick(): void {
    if (this.flushing || this.fault) return;
    if (this.rotation) {
      const rotation = this.rotation;
      this.rotation = null;
      try {
        rotation.swap();
      } catch (error) {
        rotation.reject(error as Error);
      }
    }
    if (this.pending.length === 0) return;
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
      this.kick();
    });
  }

  private async flushOnce(): Promise<void> {
    const entries = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const bytes = Buffer.from(entries.map((e) => e.line).join(''));
    try {
      if (bytes.length) {
        await writeFully(this.file, bytes, this.durable);
        await this.file.datasync();
      }
      this.durable += bytes.length;
      for (const e of entries) e.resolve();
    } catch (error) {
      // Everything not durable is already in memory: keep it for the probe, refuse its requests, refuse new ones.
      const refused = [...entries, ...this.pending];
      this.retained = refused.map((e) => e.line).filter((line) => line !== '');
      this.pending = [];
      this.pendingBytes = 0;
      this.setFault(error);
      const refusal = this.refusal();
      for (const e of refused) e.reject(refusal);
      this.rotation?.reject(refusal);
      this.rotation = null;
    }
  }

  private setFault(error: unknown): void {
    const since = this.fault?.since ?? new Date().toISOString();
    const changed = !this.fault || describe(this.fault.error) !== describe(error);
    this.fault = { error, since, fatal: isFatal(error) };
    if (changed) this.options.onHealth(this.health());
    if (!this.fault.fatal) this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.closed || this.probeTimer) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.probing = this.probe(true).finally(() => {
        this.probing = null;
      });
    }, this.probeDelay);
    this.probeTimer.unref();
    this.probeDelay = Math.min(this.probeDelay * 2, this.options.probeMs.max);
  }

  /** Truncate to the durable offset, rewrite what was kept, fdatasync: on success the journal accepts writes again. */
  private async probe(reschedule: boolean): Promise<void> {
    const bytes = Buffer.from(this.retained.join(''));
    try {
      const { nlink } = await this.file.stat();
      if (nlink === 0) throw Object.assign(new Error(`${this.currentPath} was removed from DATA_DIR`), { fatal: true });
      await this.file.truncate(this.durable);
      await writeFully(this.file, bytes, this.durable);
      await this.file.datasync();
    } catch (error) {
      if (reschedule) this.setFault(error);
      else this.fault = { ...this.fault!, error, fatal: isFatal(error) };
      return;
    }
    this.durable += bytes.length;
    this.retained = [];
    this.fault = null;
    this.probeDelay = this.options.probeMs.min;
    this.options.onHealth({ state: 'ok' });
    this.kick();
  }
}
