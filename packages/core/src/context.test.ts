import { EventEmitter, once } from 'node:events';
import { IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { RoutingContext, routing } from './context.js';
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

describe('the end of a call', () => {
  /** A response that closes when told: what RoutingContext watches. */
  function response() {
    const res = new EventEmitter() as EventEmitter & { closed: boolean; writableFinished: boolean };
    res.closed = false;
    res.writableFinished = false;
    return Object.assign(res, {
      close(finished: boolean) {
        res.closed = true;
        res.writableFinished = finished;
        res.emit('close');
      },
    });
  }

  it('should run answer hooks, then settle hooks once closed and released, then resolve settled, in that order', async () => {
    const ctx = new RoutingContext();
    const res = response();
    ctx.watch(res as unknown as ServerResponse);
    const order: string[] = [];
    ctx.onAnswer(() => {
      order.push('answer: budget prices');
      return { 'x-switchyard-cost-usd': '0.01' };
    });
    ctx.onSettle(async () => {
      order.push('settle: budget settles');
    });
    void ctx.settled.then((closed) => order.push(`settled: audit ends the span (finished ${closed.finished})`));
    const release = ctx.hold(); // dispatch, still completing the record

    expect(ctx.answered({ model: 'm', usage: undefined })).toEqual({ 'x-switchyard-cost-usd': '0.01' });
    res.close(true);
    await Promise.resolve();
    expect(order).toEqual(['answer: budget prices']); // held: nothing settles yet
    release();
    release(); // idempotent
    await ctx.settled;
    expect(order).toEqual(['answer: budget prices', 'settle: budget settles', 'settled: audit ends the span (finished true)']);
  });

  it('should settle a call whose hook throws or rejects, and one abandoned before any answer', async () => {
    const ctx = new RoutingContext();
    const res = response();
    ctx.watch(res as unknown as ServerResponse);
    ctx.onSettle(() => {
      throw new Error('store down');
    });
    ctx.onSettle(() => Promise.reject(new Error('store down')));
    res.close(false);
    await expect(ctx.settled).resolves.toMatchObject({ finished: false });
  });
});
