import { once } from 'node:events';
import { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { routing, type RoutingContext } from './context.js';
import { createRecord } from './record.js';

const newRequest = () => new IncomingMessage(new Socket());

describe('createRecord', () => {
  it('should start empty, owned by default, at the given time', () => {
    expect(createRecord(1_700_000_000_000)).toEqual({
      startedAt: 1_700_000_000_000,
      owner: 'default',
      signals: {},
      ruleErrors: [],
      attempts: [],
      events: [],
    });
  });

  it('should default the start time to now', () => {
    const before = Date.now();
    const { startedAt } = createRecord();
    expect(startedAt).toBeGreaterThanOrEqual(before);
    expect(startedAt).toBeLessThanOrEqual(Date.now());
  });
});

describe('routing', () => {
  it('should return the same context on repeated calls for one request', () => {
    const req = newRequest();
    const first = routing(req);
    expect(routing(req)).toBe(first);
    expect(routing(req).record).toBe(first.record);
  });

  it('should return a distinct context and record for each request', () => {
    const a = routing(newRequest());
    const b = routing(newRequest());
    expect(a).not.toBe(b);
    expect(a.record).not.toBe(b.record);
    a.record.owner = 'search-team';
    a.record.attempts.push({ provider: 'openai', model: 'gpt-4o', credentialIndex: 0, startedAt: 1 });
    expect(b.record.owner).toBe('default');
    expect(b.record.attempts).toEqual([]);
  });

  it('should create a fresh record with no parsed request or signal reader', () => {
    const ctx = routing(newRequest());
    expect(ctx.request).toBeUndefined();
    expect(ctx.signals).toBeUndefined();
    expect(ctx.record).toMatchObject({ owner: 'default', signals: {}, ruleErrors: [], attempts: [] });
    expect(ctx.record.startedAt).toBeGreaterThan(0);
  });

  it('should share one context between the middlewares of a request, and not across requests', async () => {
    const contexts: RoutingContext[] = [];
    const app = express();
    app.use((req, _res, next) => {
      routing(req).record.requestedModel = String(req.query.model);
      next();
    });
    app.get('/', (req, res) => {
      const ctx = routing(req);
      contexts.push(ctx);
      res.json({ model: ctx.record.requestedModel });
    });
    const server = app.listen(0);
    try {
      await once(server, 'listening');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(await (await fetch(`${base}/?model=smart`)).json()).toEqual({ model: 'smart' });
      expect(await (await fetch(`${base}/?model=cheap`)).json()).toEqual({ model: 'cheap' });
      expect(contexts).toHaveLength(2);
      expect(contexts[0]).not.toBe(contexts[1]);
      expect(contexts.map((c) => c.record.requestedModel)).toEqual(['smart', 'cheap']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
