// The last line of a snapshot, `{"snapshot_end":{"sha256","lines"}}`: the digest of every byte before it. Start-up
// checks the digest (~0.17 s for a 250 MB snapshot with SHA extensions) instead of checking each ticket line against
// its schema (~0.5 s for 100k tickets): any change to the file after it was written (damage, a hand edit) refuses the
// start, and `freeda store:check` then names the line. Snapshots without this line (older) are checked line by line.
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { z } from 'zod';

const sealRecord = z.object({
  snapshot_end: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), lines: z.number().int().nonnegative() }),
});
export type Seal = z.infer<typeof sealRecord>['snapshot_end'];

export const isSealLine = (value: unknown): boolean => typeof value === 'object' && value !== null && 'snapshot_end' in value;

/** Digest of a snapshot as it is written: feed every line (with its newline), then `line()` gives the last line. */
export class SealWriter {
  private readonly hash: Hash = createHash('sha256');
  private lines = 0;

  add(bytes: Uint8Array, lineCount: number): void {
    this.hash.update(bytes);
    this.lines += lineCount;
  }

  line(): string {
    return JSON.stringify({ snapshot_end: { sha256: this.hash.digest('hex'), lines: this.lines } satisfies Seal }) + '\n';
  }
}

/** The seal of a snapshot file, from its last line; null when it has none (an older snapshot) or it is unreadable. */
export async function readSeal(path: string): Promise<Seal | null> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const length = Math.min(size, 512);
    const tail = Buffer.alloc(length);
    await file.read(tail, 0, length, size - length);
    const text = tail.toString('utf8').replace(/\n$/, '');
    const parsed = sealRecord.safeParse(JSON.parse(text.slice(text.lastIndexOf('\n') + 1)));
    return parsed.success ? parsed.data.snapshot_end : null;
  } catch {
    return null;
  } finally {
    await file.close();
  }
}

/** Recomputes the digest while the snapshot is read; `verdict()` at the seal line says what is wrong, if anything. */
export class SealCheck {
  private readonly hash: Hash = createHash('sha256');
  private lines = 0;
  private static readonly NEWLINE = Buffer.from('\n');

  constructor(private readonly seal: Seal) {}

  add(line: Uint8Array): void {
    this.hash.update(line);
    this.hash.update(SealCheck.NEWLINE);
    this.lines++;
  }

  verdict(): string | null {
    if (this.lines !== this.seal.lines) return `the snapshot has ${this.lines} lines before its end line, which says ${this.seal.lines}`;
    if (this.hash.digest('hex') !== this.seal.sha256)
      return 'the snapshot changed after it was written (sha256 mismatch): damaged or edited; `freeda store:check` names the line';
    return null;
  }
}
