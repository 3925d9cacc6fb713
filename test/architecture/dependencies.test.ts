// docs/design.md "Layout": adapters import only src/domain, src/errors and their own files; src/ knows adapters only
// through src/registry.ts; process.env is read only in src/config.ts. Issue #13: channels are declared by adapters, so
// no channel name appears in the core; nothing but the composition root imports src/http.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { catalogOf } from '../../src/domain/catalog.js';
import { channelModules } from '../../src/registry.js';

const ROOT = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string, extensions = ['.ts']): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path, extensions);
    return extensions.some((ext) => path.endsWith(ext)) ? [path] : [];
  });
}

function relativeImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specs = [
    ...source.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm),
  ].map((m) => m[1] ?? m[2] ?? m[3]);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(ROOT, resolve(dirname(file), s)));
}

/** Every string literal of a source file (comments are not code, so they are not seen), with its line. */
function stringLiterals(file: string): { text: string; line: number }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { text: string; line: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node)) found.push({ text: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Adapter folders: the registry's, and the test channel that proves the one-folder rule. */
const ADAPTER_DIRS = [...readdirSync(join(ROOT, 'adapters')).map((name) => `adapters/${name}`), 'test/channels/pager'];

/** Same words, other meanings: each allowed where it stands, for the reason given. */
const NOT_A_CHANNEL: Record<string, string> = {
  'src/pipeline/analytics/text.ts:telephone': 'the French word "téléphone" (SMS spelling "tel" normalised for the lexicons)',
  'src/pipeline/analytics/mistral-client.ts:chat': "the Mistral SDK's chat API",
};

describe('architecture', () => {
  it('adapters import only src/domain, src/errors and their own folder', () => {
    const offenders: string[] = [];
    for (const dir of ADAPTER_DIRS) {
      for (const file of sourceFiles(join(ROOT, dir))) {
        for (const target of relativeImports(file)) {
          const allowed = target.startsWith(dir + '/') || target.startsWith('src/domain/') || target === 'src/errors.js';
          if (!allowed) offenders.push(`${relative(ROOT, file)} → ${target}`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('src/ reaches adapters only through src/registry.ts', () => {
    const offenders = sourceFiles(join(ROOT, 'src'))
      .filter((file) => relative(ROOT, file) !== 'src/registry.ts')
      .flatMap((file) =>
        relativeImports(file)
          .filter((t) => t.startsWith('adapters/'))
          .map((t) => `${relative(ROOT, file)} → ${t}`),
      );
    assert.deepEqual(offenders, []);
  });

  it('nothing imports src/http except the composition root (src/app.ts) and src/http itself', () => {
    const offenders = [...sourceFiles(join(ROOT, 'src')), ...ADAPTER_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir)))]
      .map((file) => relative(ROOT, file))
      .filter((file) => file !== 'src/app.ts' && !file.startsWith('src/http/'))
      .flatMap((file) =>
        relativeImports(join(ROOT, file))
          .filter((t) => t.startsWith('src/http/'))
          .map((t) => `${file} → ${t}`),
      );
    assert.deepEqual(offenders, []);
  });

  it('no channel name in the core: channels are declared by adapters and learnt from the registry', () => {
    const names = new Set(catalogOf(channelModules).names);
    assert.ok(names.size >= 5, 'the registry declares the built-in channels');
    const core = ['src/domain', 'src/pipeline', 'src/storage', 'src/http', 'src/ws', 'src/export', 'src/query', 'src/auth'];
    const offenders = core
      .flatMap((dir) => sourceFiles(join(ROOT, dir), ['.ts', '.js']))
      .flatMap((file) => stringLiterals(file).map((literal) => ({ file: relative(ROOT, file), ...literal })))
      .filter(({ file, text }) => names.has(text) && !NOT_A_CHANNEL[`${file}:${text}`])
      .map(({ file, line, text }) => `${file}:${line} '${text}'`);
    assert.deepEqual(offenders, []);
  });

  it('process.env is read only in src/config.ts', () => {
    const offenders = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'adapters'))]
      .filter((file) => relative(ROOT, file) !== 'src/config.ts' && /process\.env\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    assert.deepEqual(offenders, []);
  });
});
