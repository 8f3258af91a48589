import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '@switchyard/core';
import { loadPolicy } from './compile.js';

const POLICY = `version: 1
providers:
  openai: { format: openai, base_url: "http://127.0.0.1:9/v1", credentials: [{ env: KEY }] }
models:
  gpt-4o-2024-08-06: { provider: openai }
routes:
  smart:
    default: gpt-4o-2024-08-06
    rules:
      - name: typo
        if: has_shema
        use: gpt-4o-2024-08-06
      - name: burn
        if: streaming
        use: gpt-5
`;

async function policyFile(text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'switchyard-')), 'policy.yaml');
  await writeFile(file, text);
  return file;
}

describe('loadPolicy', () => {
  it('should list rule, reference and credential problems together, in file order', async () => {
    const file = await policyFile(POLICY);
    const err = await loadPolicy(file, { env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    const problems = (err as PolicyError).problems.map((p) => [p.line, p.column, p.message.split(':')[0]]);
    expect(problems).toEqual([
      [3, 85, 'credential env var KEY is not set'],
      [11, 13, 'rule "typo"'],
      [15, 14, 'rule "burn" uses model "gpt-5" that is not in models (models'],
    ]);
    expect((err as PolicyError).message).toContain(`${file}:11:13: rule "typo": unknown signal "has_shema"`);
  });

  it('should compile a valid policy once into catalog and rules', async () => {
    const file = await policyFile(POLICY.replace('has_shema', 'has_schema').replace('use: gpt-5', 'use: gpt-4o-2024-08-06'));
    const compiled = await loadPolicy(file, { env: { KEY: 'sk-test' } });
    expect(compiled.policy.routes.get('smart')?.rules.map((r) => r.name)).toEqual(['typo', 'burn']);
    expect(compiled.rules.routes.get('smart')?.rules).toHaveLength(2);
    expect(compiled.catalog.types.get('has_schema')).toBe('bool');
  });
});
