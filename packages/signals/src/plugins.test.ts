import type { SignalType } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSignal, DEFAULT_PLUGIN_TIMEOUT_MS } from './define-signal.js';
import { catalogWith, post, serve, signalsApp, type Served } from '../test/server.js';

const CHAT = { model: 'smart', messages: [{ role: 'user', content: 'hi' }] };
const sleep = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(resolve, ms, value));

describe('defineSignal', () => {
  const extract = () => true;

  it('should return a frozen plugin with the default timeout of 50 ms', () => {
    const plugin = defineSignal({ name: 'is_vip', type: 'bool', extract });
    expect(plugin).toEqual({ name: 'is_vip', type: 'bool', extract, timeoutMs: 50 });
    expect(DEFAULT_PLUGIN_TIMEOUT_MS).toBe(50);
    expect(Object.isFrozen(plugin)).toBe(true);
  });

  it('should reject names that are not lower_snake_case', () => {
    for (const name of ['UserTier', 'user-tier', '1tier', '', '_private', '__proto__', 'tier!']) {
      expect(() => defineSignal({ name, type: 'bool', extract }), name).toThrow(TypeError);
    }
    expect(() => defineSignal({ name: 'User-Tier', type: 'bool', extract })).toThrow('name "User-Tier" must be lower_snake_case');
  });

  it('should reject unknown types, a missing extract and bad timeouts', () => {
    expect(() => defineSignal({ name: 'x', type: 'float' as SignalType, extract })).toThrow(
      'signal "x" has type "float"; expected one of bool, int, double, string',
    );
    expect(() => defineSignal({ name: 'x', type: 'int', extract: undefined as never })).toThrow(
      'needs an extract({ body, headers, req, record }) function',
    );
    for (const timeoutMs of [0, -1, Number.NaN, Infinity, '50' as unknown as number]) {
      expect(() => defineSignal({ name: 'x', type: 'int', extract: () => 1, timeoutMs }), String(timeoutMs)).toThrow(TypeError);
    }
  });
});

describe('plugin signals through signals()', () => {
  let server: Served;
  let running = 0;
  let mostAtOnce = 0;
  const overlapping = async () => {
    mostAtOnce = Math.max(mostAtOnce, ++running);
    await sleep(20, 0);
    running--;
    return mostAtOnce;
  };
  beforeAll(async () => {
    const plugins = [
      defineSignal({ name: 'sync_tier', type: 'string', extract: ({ headers }) => String(headers['x-tier'] ?? 'none') }),
      defineSignal({
        name: 'async_score',
        type: 'double',
        extract: async ({ record }) => (record.requestedModel === 'smart' ? 0.5 : 0),
      }),
      defineSignal({
        name: 'throws',
        type: 'bool',
        extract: () => {
          throw new Error('lookup table missing');
        },
      }),
      defineSignal({ name: 'rejects', type: 'bool', extract: () => Promise.reject(new Error('redis down')) }),
      defineSignal({ name: 'slow', type: 'int', extract: () => sleep(300, 1) }),
      defineSignal({ name: 'patient', type: 'int', timeoutMs: 1000, extract: () => sleep(100, 42) }),
      defineSignal({ name: 'wrong_type', type: 'int', extract: () => 'abc' as unknown as number }),
      defineSignal({ name: 'fraction', type: 'int', extract: async () => 2.5 }),
      defineSignal({ name: 'nothing', type: 'string', extract: () => undefined }),
      defineSignal({ name: 'par_a', type: 'int', extract: overlapping }),
      defineSignal({ name: 'par_b', type: 'int', extract: overlapping }),
    ];
    server = await serve(signalsApp({ catalog: catalogWith('', { plugins }) }));
  });
  afterAll(() => server.close());

  const read = (names: string, headers?: Record<string, string>) =>
    post(server.url, `/v1/chat/completions?read=${names}`, CHAT, headers);

  it('should read sync and async plugins, which see the request and the record', async () => {
    const res = await read('sync_tier,async_score', { 'x-tier': 'gold' });
    expect(res.body.signals).toEqual({
      sync_tier: { kind: 'value', value: 'gold' },
      async_score: { kind: 'value', value: 0.5 },
    });
  });

  it('should record a throwing or rejecting plugin as absent and still answer', async () => {
    const res = await read('throws,rejects,model');
    expect(res.status).toBe(200);
    expect(res.body.signals).toEqual({
      throws: { kind: 'absent', reason: 'plugin threw: lookup table missing' },
      rejects: { kind: 'absent', reason: 'plugin threw: redis down' },
      model: { kind: 'value', value: 'smart' },
    });
  });

  it('should give up on a slow plugin after its timeout', async () => {
    const started = performance.now();
    const res = await read('slow');
    const took = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.body.signals.slow).toEqual({ kind: 'absent', reason: 'timed out after 50 ms' });
    expect(took).toBeLessThan(250);
  });

  it('should honour a longer timeout', async () => {
    const res = await read('patient');
    expect(res.body.signals.patient).toEqual({ kind: 'value', value: 42 });
  });

  it('should compute the async signals of one read in parallel', async () => {
    const res = await read('par_a,par_b');
    expect(res.body.signals.par_b).toEqual({ kind: 'value', value: 2 });
    expect(mostAtOnce).toBe(2);
  });

  it('should reject values of the wrong type, and record undefined as no value', async () => {
    const res = await read('wrong_type,fraction,nothing');
    expect(res.body.signals).toEqual({
      wrong_type: { kind: 'absent', reason: 'expected int, got string "abc"' },
      fraction: { kind: 'absent', reason: 'expected int, got number 2.5' },
      nothing: { kind: 'absent', reason: 'plugin returned no value' },
    });
  });
});
