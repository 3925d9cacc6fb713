import type { LoggerLike } from '../../src/domain/channel.js';

export interface CapturingLogger extends LoggerLike {
  lines: { level: string; obj: unknown; msg?: string }[];
}

/** A logger that keeps what was logged, so tests can assert on warnings. */
export function capturingLogger(): CapturingLogger {
  const lines: CapturingLogger['lines'] = [];
  const at = (level: string) => (obj: object | string, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
