import { routing } from '@switchyard/core';
import express, { type RequestHandler } from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineSignal } from './define-signal.js';
import { signals } from './middleware.js';
import { catalogWith, post, serve, signalsApp, type Served } from '../test/server.js';

// Counts how often the tokenizer module is imported and how often it counts.
const tokenizer = vi.hoisted(() => ({ imports: 0, counts: 0 }));
vi.mock('gpt-tokenizer/encoding/o200k_base', async (importOriginal) => {
  tokenizer.imports++;
  const actual = await importOriginal<typeof import('gpt-tokenizer/encoding/o200k_base')>();
  return {
    ...actual,
    countTokens: (...args: Parameters<typeof actual.countTokens>) => {
      tokenizer.counts++;
      return actual.countTokens(...args);
    },
  };
});

const CHAT = { model: 'smart', messages: [{ role: 'user', content: 'hello world' }] };

describe('laziness and caching', () => {
  const extract = vi.fn(() => 'gold');
  const slowExtract = vi.fn(() => new Promise<string>((resolve) => setTimeout(resolve, 10, 'later')));
  let server: Served;
  let twiceServer: Served;

  /** Reads `?read=` twice, and `?parallel=` in two overlapping reads, before answering. */
  const readTwice: RequestHandler = async (req, res) => {
    const reader = routing(req).signals!;
    const names = typeof req.query.read === 'string' ? req.query.read.split(',') : [];
    await reader.read(names);
    await reader.read(names);
    if (typeof req.query.parallel === 'string') {
      const parallel = req.query.parallel.split(',');
      await Promise.all([reader.read(parallel), reader.read(parallel)]);
    }
    const read = [...names, ...(typeof req.query.parallel === 'string' ? req.query.parallel.split(',') : [])];
    const signals = Object.fromEntries(read.map((name) => [name, reader.reading(name)]));
    res.json({ signals, bound: reader.upperBound('input_tokens') });
  };

  beforeAll(async () => {
    const plugins = [
      defineSignal({ name: 'tier', type: 'string', extract }),
      defineSignal({ name: 'slow', type: 'string', extract: slowExtract }),
    ];
    const catalog = catalogWith('signals:\n  priority: { from: "$.metadata.priority", type: string }\n', { plugins });
    server = await serve(signalsApp({ catalog }));
    const twice = express();
    twice.use(signals({ catalog }), readTwice);
    twiceServer = await serve(twice);
  });
  afterAll(async () => {
    await server.close();
    await twiceServer.close();
  });
  beforeEach(() => {
    extract.mockClear();
    slowExtract.mockClear();
  });

  it('should not load the tokenizer, nor run a plugin, for requests whose rules read neither', async () => {
    const res = await post(server.url, '/v1/chat/completions?read=model,has_tools,priority', {
      ...CHAT,
      metadata: { priority: 'high' },
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.signals).sort()).toEqual(['has_tools', 'model', 'priority']);
    expect(res.body.bound).toBeGreaterThan(0); // the bound never needs the tokenizer
    expect(tokenizer.imports).toBe(0);
    expect(tokenizer.counts).toBe(0);
    expect(extract).not.toHaveBeenCalled();
    expect(slowExtract).not.toHaveBeenCalled();
  });

  it('should load the tokenizer on the first read of input_tokens, once', async () => {
    await post(server.url, '/v1/chat/completions?read=input_tokens', CHAT);
    await post(server.url, '/v1/chat/completions?read=input_tokens', CHAT);
    expect(tokenizer.imports).toBe(1);
    expect(tokenizer.counts).toBeGreaterThan(0);
  });

  it('should compute a signal once per request however often it is read', async () => {
    const before = tokenizer.counts;
    const res = await post(twiceServer.url, '/chat/completions?read=tier,input_tokens&parallel=slow,slow', CHAT);
    expect(res.status).toBe(200);
    expect(res.body.signals).toEqual({
      tier: { kind: 'value', value: 'gold' },
      input_tokens: { kind: 'value', value: 2 + 3 + 3 },
      slow: { kind: 'value', value: 'later' },
    });
    expect(extract).toHaveBeenCalledTimes(1);
    expect(slowExtract).toHaveBeenCalledTimes(1);
    expect(tokenizer.counts - before).toBe(1); // one text piece, counted once
  });

  it('should compute again for the next request', async () => {
    await post(twiceServer.url, '/chat/completions?read=tier', CHAT);
    await post(twiceServer.url, '/chat/completions?read=tier', CHAT);
    expect(extract).toHaveBeenCalledTimes(2);
  });
});
