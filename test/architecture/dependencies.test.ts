// docs/design.md "Layout": adapters import only src/domain, src/errors and their own files; src/ knows adapters only
// through src/registry.ts; process.env is read only in src/config.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function relativeImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specs = [...source.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2],
  );
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(ROOT, resolve(dirname(file), s)));
}

describe('architecture', () => {
  it('adapters import only src/domain, src/errors and their own folder', () => {
    const offenders: string[] = [];
    for (const file of tsFiles(join(ROOT, 'adapters'))) {
      const own = relative(ROOT, file).split('/').slice(0, 2).join('/');
      for (const target of relativeImports(file)) {
        const allowed = target.startsWith(own + '/') || target.startsWith('src/domain/') || target === 'src/errors.js';
        if (!allowed) offenders.push(`${relative(ROOT, file)} → ${target}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('src/ reaches adapters only through src/registry.ts', () => {
    const offenders = tsFiles(join(ROOT, 'src'))
      .filter((file) => relative(ROOT, file) !== 'src/registry.ts')
      .flatMap((file) =>
        relativeImports(file)
          .filter((t) => t.startsWith('adapters/'))
          .map((t) => `${relative(ROOT, file)} → ${t}`),
      );
    assert.deepEqual(offenders, []);
  });

  it('process.env is read only in src/config.ts', () => {
    const offenders = [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'adapters'))]
      .filter((file) => relative(ROOT, file) !== 'src/config.ts' && /process\.env\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    assert.deepEqual(offenders, []);
  });
});
