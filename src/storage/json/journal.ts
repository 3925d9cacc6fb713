// Append-only JSON-lines journal with group commit: concurrent writers share one write + fdatasync.
import { open, type FileHandle } from 'node:fs/promises';

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

export class Journal {
  private pending: string[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  private failure: Error | null = null;
  private bytes: number;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    initialBytes: number,
  ) {
    this.bytes = initialBytes;
  }

  static async open(path: string): Promise<Journal> {
    const handle = await open(path, 'a');
    const { size } = await handle.stat();
    return new Journal(path, handle, size);
  }

  get size(): number {
    return this.bytes;
  }

  get broken(): Error | null {
    return this.failure;
  }

  /** Queue one record; resolves once it is on disk (written and fdatasync'd). */
  append(record: unknown): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const line = JSON.stringify(record) + '\n';
    this.pending.push(line);
    this.bytes += Buffer.byteLength(line);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.kick();
    return done;
  }

  /** Resolves when everything appended so far is durable. */
  async barrier(): Promise<void> {
    while (this.flushing || this.pending.length) {
      if (this.failure) throw this.failure;
      if (!this.flushing) this.kick();
      await this.flushing;
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    try {
      await this.barrier();
    } finally {
      await this.handle.close();
    }
  }

  private kick(): void {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
      this.kick();
    });
  }

  private async flushOnce(): Promise<void> {
    const lines = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    try {
      await this.handle.write(lines.join(''));
      await this.handle.datasync();
      for (const w of waiters) w.resolve();
    } catch (cause) {
      // The in-memory state is now ahead of the disk: refuse every later write (the store turns unready).
      this.failure = new Error(`journal ${this.path} write failed: ${(cause as Error).message}`);
      for (const w of [...waiters, ...this.waiters]) w.reject(this.failure);
      this.waiters = [];
      this.pending = [];
    }
  }
}
