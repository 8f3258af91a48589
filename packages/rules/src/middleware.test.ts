import { routing } from '@switchyard/core';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { rules } from './middleware.js';
import { compile, FakeReader } from '../test/fixtures.js';
import type { CompiledRules } from './types.js';

const compiled: CompiledRules = compile(`  smart:
    default: default-model
    rules:
      - { name: long-context, if: input_tokens > 100000, use: big-model }
      - { name: vip, if: 'priority == "high"', use: schema-model }
      - { name: schema, if: has_schema, use: schema-model }
`);

/** Stands in for signals(): takes the requested model and the signal values from the JSON body. */
const fakeSignals: RequestHandler = (req, _res, next) => {
  const body = req.body as { model?: string; signals?: Record<string, never>; bounds?: Record<string, number> };
  const ctx = routing(req);
  if (body.model !== undefined) ctx.record.requestedModel = body.model;
  ctx.signals = new FakeReader(ctx.record, body.signals ?? {}, body.bounds ?? {});
  next();
};

const report: RequestHandler = (req, res) => {
  const { record, signals } = routing(req);
  res.json({
    selection: record.selection ?? null,
    ruleErrors: record.ruleErrors,
    signals: record.signals,
    readCalls: (signals as FakeReader | undefined)?.readCalls ?? null,
  });
};

const errorReport: ErrorRequestHandler = (err: Error, _req, res, _next) => {
  res.status(500).json({ error: err.message });
};

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function start(...stack: RequestHandler[]): Promise<string> {
  const app = express();
  app.post('/v1/chat/completions', express.json(), ...stack, report);
  app.use(errorReport);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, () => resolve(s));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('rules()', () => {
  it('should return a named middleware', () => {
    expect(rules({ compiled }).name).toBe('rulesMiddleware');
  });

  it('should refuse to build without compiled rules', () => {
    expect(() => rules({} as never)).toThrow(/needs options.compiled/);
  });

  it('should select by the requested route and record rule, model and signals read', async () => {
    const url = await start(fakeSignals, rules({ compiled }));
    const { status, json } = await post(url, {
      model: 'smart',
      signals: { input_tokens: 5, priority: 'high', has_schema: true },
      bounds: { input_tokens: 2_000 },
    });
    expect(status).toBe(200);
    expect(json.selection).toEqual({ kind: 'route', route: 'smart', rule: 'vip', model: 'schema-model' });
    expect(json.signals).toEqual({
      input_tokens: { kind: 'at_most', value: 2_000 },
      priority: { kind: 'value', value: 'high' },
    });
    expect(json.readCalls).toEqual([['priority']]);
  });

  it('should fall back to the default and answer normally when a rule reads an absent signal, with no rule error', async () => {
    const url = await start(fakeSignals, rules({ compiled }));
    const { status, json } = await post(url, { model: 'smart', signals: { input_tokens: 5, has_schema: false } });
    expect(status).toBe(200);
    expect(json.selection).toEqual({ kind: 'route', route: 'smart', rule: 'default', model: 'default-model' });
    expect(json.ruleErrors).toEqual([]);
    expect(json.signals).toMatchObject({ priority: { kind: 'absent', reason: 'unknown to the fake reader' } });
  });

  it('should pass a request for an exact model ID through untouched', async () => {
    const url = await start(fakeSignals, rules({ compiled }));
    const { status, json } = await post(url, { model: 'big-model', signals: { has_schema: true } });
    expect(status).toBe(200);
    expect(json).toEqual({ selection: null, ruleErrors: [], signals: {}, readCalls: [] });
  });

  it('should pass a request with no requested model through untouched', async () => {
    const url = await start(fakeSignals, rules({ compiled }));
    const { json } = await post(url, {});
    expect(json).toEqual({ selection: null, ruleErrors: [], signals: {}, readCalls: [] });
  });

  it('should fail with a configuration error when signals() is not mounted before it', async () => {
    const setModel: RequestHandler = (req, _res, next) => {
      routing(req).record.requestedModel = 'smart';
      next();
    };
    const url = await start(setModel, rules({ compiled }));
    const { status, json } = await post(url, { model: 'smart' });
    expect(status).toBe(500);
    expect(json).toEqual({ error: 'switchyard: rules() needs signals() mounted before it' });
  });
});
