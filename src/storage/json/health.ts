// What the json store says about its writes: the health /healthz and /readyz show, and the log lines an operator
// reads (what happened, what to do, when it recovered).
import type { LoggerLike } from '../../domain/channel.js';
import type { StoreHealth } from '../types.js';
import type { JournalHealth } from './journal.js';

export function storeHealthOf(health: JournalHealth, dataDir: string): StoreHealth {
  switch (health.state) {
    case 'ok':
      return health;
    case 'degraded':
      return {
        state: 'degraded',
        code: health.full ? 'storage_full' : 'storage_unavailable',
        since: health.since,
        detail: health.error,
        action: health.full
          ? `free space on the volume of DATA_DIR (${dataDir}) or grow it: writes resume on their own, no restart needed`
          : `check the disk behind DATA_DIR (${dataDir}) (kernel log, mount state): writes resume on their own once it works`,
      };
    case 'failed':
      return {
        state: 'failed',
        code: 'storage_failed',
        since: health.since,
        detail: health.error,
        action: `restart the process: the journal in DATA_DIR (${dataDir}) cannot be written from this process any more`,
      };
  }
}

/** Logs each transition and calls `recovered` when writes work again. */
export function healthReporter(dataDir: string, logger: LoggerLike, recovered: () => void): (health: JournalHealth) => void {
  let degradedAt: number | null = null;
  return (health) => {
    const shown = storeHealthOf(health, dataDir);
    if (shown.state === 'ok') {
      logger.warn(
        { dataDir, down_ms: degradedAt === null ? 0 : Date.now() - degradedAt },
        'json store recovered: writes work again (refused requests are accepted on retry; follow-up work resumes)',
      );
      degradedAt = null;
      recovered();
      return;
    }
    degradedAt ??= Date.now();
    logger.error(
      {
        dataDir,
        state: shown.state,
        code: shown.code,
        detail: shown.detail,
        unwritten_batches: health.state === 'degraded' ? health.retained : 0,
      },
      `json store ${shown.state === 'failed' ? 'failed' : 'cannot write'} (${shown.detail}): writes are refused with 503 + Retry-After; ${shown.action}`,
    );
  };
}
