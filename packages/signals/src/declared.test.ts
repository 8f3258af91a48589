import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coerced } from './readings.js';
import { catalogWith, post, serve, signalsApp, type Served } from '../test/server.js';

const SIGNALS = `signals:
  priority:   { from: "$.metadata.priority", type: string }
  retries:    { from: "$.metadata.retries", type: int }
  ratio:      { from: "$.metadata.ratio", type: double }
  beta:       { from: "$.metadata.beta", type: bool }
  first_user: { from: "$.messages[?(@.role == 'user')].content", type: string }
  last_role:  { from: "$.messages[-1:].role", type: string }
  tags:       { from: "$.metadata['the.tags']", type: string }
  user_tier:  { from: "header:x-user-tier", type: string }
  budget_cap: { from: "header:X-Budget-Cap", type: int }
  urgent:     { from: "header:x-urgent", type: bool }
  weight:     { from: "header:x-weight", type: double }
`;
const ALL = 'priority,retries,ratio,beta,first_user,last_role,tags,user_tier,budget_cap,urgent,weight';

const CHAT = {
  model: 'smart',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'first' },
    { role: 'user', content: 'second' },
  ],
};

describe('declared signals', () => {
  let server: Served;
  beforeAll(async () => {
    const catalog = catalogWith(SIGNALS);
    expect([...catalog.types].slice(-11)).toEqual([
      ['priority', 'string'],
      ['retries', 'int'],
      ['ratio', 'double'],
      ['beta', 'bool'],
      ['first_user', 'string'],
      ['last_role', 'string'],
      ['tags', 'string'],
      ['user_tier', 'string'],
      ['budget_cap', 'int'],
      ['urgent', 'bool'],
      ['weight', 'double'],
    ]);
    server = await serve(signalsApp({ catalog }));
  });
  afterAll(() => server.close());

  const read = (body: unknown, headers?: Record<string, string>) =>
    post(server.url, `/v1/chat/completions?read=${ALL}`, body, headers);

  it('should read JSONPath and header signals of every type', async () => {
    const body = { ...CHAT, metadata: { priority: 'high', retries: 3, ratio: 0.25, beta: true, 'the.tags': 'a,b' } };
    const res = await read(body, { 'x-user-tier': 'gold', 'x-budget-cap': '500', 'x-urgent': 'true', 'x-weight': '1.5e2' });
    expect(res.status).toBe(200);
    expect(res.body.signals).toEqual({
      priority: { kind: 'value', value: 'high' },
      retries: { kind: 'value', value: 3 },
      ratio: { kind: 'value', value: 0.25 },
      beta: { kind: 'value', value: true },
      first_user: { kind: 'value', value: 'first' },
      last_role: { kind: 'value', value: 'user' },
      tags: { kind: 'value', value: 'a,b' },
      user_tier: { kind: 'value', value: 'gold' },
      budget_cap: { kind: 'value', value: 500 },
      urgent: { kind: 'value', value: true },
      weight: { kind: 'value', value: 150 },
    });
  });

  it('should coerce numeric and boolean strings in the body too', async () => {
    const res = await read({ ...CHAT, metadata: { retries: '-2', ratio: '3', beta: 'false' } });
    expect(res.body.signals.retries).toEqual({ kind: 'value', value: -2 });
    expect(res.body.signals.ratio).toEqual({ kind: 'value', value: 3 });
    expect(res.body.signals.beta).toEqual({ kind: 'value', value: false });
  });

  it('should leave a signal absent, saying so, when the request does not carry it', async () => {
    const res = await read({ model: 'smart', messages: [{ role: 'system', content: 'x' }] });
    const notPresent = { kind: 'absent', reason: 'not present in request' };
    for (const name of [
      'priority',
      'retries',
      'ratio',
      'beta',
      'first_user',
      'tags',
      'user_tier',
      'budget_cap',
      'urgent',
      'weight',
    ]) {
      expect(res.body.signals[name], name).toEqual(notPresent);
    }
    expect(res.body.signals.last_role).toEqual({ kind: 'value', value: 'system' });
  });

  it('should leave a signal absent with the mismatch when the value has the wrong type', async () => {
    const body = { ...CHAT, metadata: { priority: 1, retries: 'abc', ratio: 'fast', beta: 'yes' } };
    const res = await read(body, { 'x-budget-cap': '12.5', 'x-urgent': 'TRUE', 'x-weight': 'heavy' });
    expect(res.status).toBe(200);
    expect(res.body.signals.priority).toEqual({ kind: 'absent', reason: 'expected string, got number 1' });
    expect(res.body.signals.retries).toEqual({ kind: 'absent', reason: 'expected int, got string "abc"' });
    expect(res.body.signals.ratio).toEqual({ kind: 'absent', reason: 'expected double, got string "fast"' });
    expect(res.body.signals.beta).toEqual({ kind: 'absent', reason: 'expected bool, got string "yes"' });
    expect(res.body.signals.budget_cap).toEqual({ kind: 'absent', reason: 'expected int, got string "12.5"' });
    expect(res.body.signals.urgent).toEqual({ kind: 'absent', reason: 'expected bool, got string "TRUE"' });
    expect(res.body.signals.weight).toEqual({ kind: 'absent', reason: 'expected double, got string "heavy"' });
  });

  it('should report objects and arrays by kind, not by content', async () => {
    const res = await read({ ...CHAT, metadata: { priority: { secret: 'prompt text' }, retries: [1] } });
    expect(res.body.signals.priority).toEqual({ kind: 'absent', reason: 'expected string, got object' });
    expect(res.body.signals.retries).toEqual({ kind: 'absent', reason: 'expected int, got array' });
  });

  it('should take the first value of a repeated header', async () => {
    const body = JSON.stringify(CHAT);
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/chat/completions?read=user_tier',
          headers: { 'x-user-tier': ['gold', 'silver'] },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(JSON.parse(answer).signals.user_tier).toEqual({ kind: 'value', value: 'gold' });
  });
});

describe('declared signals over a body built to be walked', () => {
  let server: Served;
  beforeAll(async () => {
    const catalog = catalogWith(`signals:
  anywhere: { from: "$..priority", type: string }
  plain:    { from: "$.metadata.priority", type: string }
  filtered: { from: "$.items[?(@.kind == 'vip')].id", type: int }
`);
    server = await serve(signalsApp({ catalog }));
  });
  afterAll(() => server.close());

  // 2.9 MB of small objects, none of them what the paths look for.
  const items = Array.from({ length: 60_000 }, (_, i) => ({ id: i, kind: 'row', text: `item number ${i}` }));

  it('should leave a signal absent, saying where its search stopped, instead of walking megabytes', async () => {
    const res = await post(server.url, '/v1/chat/completions?read=anywhere,plain,filtered', { ...CHAT, items });
    expect(res.status).toBe(200);
    expect(res.body.signals.anywhere).toEqual({ kind: 'absent', reason: 'JSONPath stopped after 10000 nodes' });
    expect(res.body.signals.filtered).toEqual({ kind: 'absent', reason: 'JSONPath stopped after 10000 nodes' });
    expect(res.body.signals.plain).toEqual({ kind: 'absent', reason: 'not present in request' });
  });

  it('should find a value the walk reaches before its budget', async () => {
    const body = { ...CHAT, metadata: { priority: 'high' }, items: [{ id: 7, kind: 'vip' }, ...items] };
    const res = await post(server.url, '/v1/chat/completions?read=anywhere,plain,filtered', body);
    expect(res.body.signals.anywhere).toEqual({ kind: 'value', value: 'high' });
    expect(res.body.signals.plain).toEqual({ kind: 'value', value: 'high' });
    expect(res.body.signals.filtered).toEqual({ kind: 'value', value: 7 });
  });
});

describe('coercion', () => {
  it('should accept only integers for int, within the safe range', () => {
    expect(coerced('int', 7)).toEqual({ kind: 'value', value: 7 });
    expect(coerced('int', '+7')).toEqual({ kind: 'value', value: 7 });
    expect(coerced('int', 7.5).kind).toBe('absent');
    expect(coerced('int', '7.0').kind).toBe('absent');
    expect(coerced('int', '').kind).toBe('absent');
    expect(coerced('int', '99999999999999999999')).toEqual({
      kind: 'absent',
      reason: 'expected int, got string "99999999999999999999"',
    });
  });

  it('should accept finite numbers for double', () => {
    expect(coerced('double', '.5')).toEqual({ kind: 'value', value: 0.5 });
    expect(coerced('double', '-2.5e-1')).toEqual({ kind: 'value', value: -0.25 });
    expect(coerced('double', '1e999').kind).toBe('absent');
    expect(coerced('double', 'NaN').kind).toBe('absent');
    expect(coerced('double', ' 1').kind).toBe('absent');
  });

  it('should treat null as not present and truncate long strings in the reason', () => {
    expect(coerced('string', null)).toEqual({ kind: 'absent', reason: 'not present in request' });
    const reading = coerced('int', 'x'.repeat(500));
    expect(reading.kind === 'absent' && reading.reason.length).toBeLessThan(70);
  });
});

describe('declared signals with a default', () => {
  let server: Served;
  beforeAll(async () => {
    const catalog = catalogWith(`signals:
  priority: { from: "$.metadata.priority", type: string, default: normal }
  tier:     { from: "header:x-tier", type: int, default: 1 }
  beta:     { from: "$.metadata.beta", type: bool, default: false }
`);
    server = await serve(signalsApp({ catalog }));
  });
  afterAll(() => server.close());

  const read = (body: unknown, headers?: Record<string, string>) =>
    post(server.url, '/v1/chat/completions?read=priority,tier,beta', body, headers);

  it('should read the default when the request does not carry the signal', async () => {
    const res = await read({ ...CHAT, metadata: { priority: null } });
    expect(res.body.signals).toEqual({
      priority: { kind: 'value', value: 'normal' },
      tier: { kind: 'value', value: 1 },
      beta: { kind: 'value', value: false },
    });
  });

  it('should read what the request carries over the default', async () => {
    const res = await read({ ...CHAT, metadata: { priority: 'high', beta: true } }, { 'x-tier': '3' });
    expect(res.body.signals).toEqual({
      priority: { kind: 'value', value: 'high' },
      tier: { kind: 'value', value: 3 },
      beta: { kind: 'value', value: true },
    });
  });

  it('should leave a value of the wrong type absent, saying why, rather than hide it behind the default', async () => {
    const res = await read({ ...CHAT, metadata: { priority: 5 } }, { 'x-tier': 'gold' });
    expect(res.body.signals.priority).toEqual({ kind: 'absent', reason: 'expected string, got number 5' });
    expect(res.body.signals.tier).toEqual({ kind: 'absent', reason: 'expected int, got string "gold"' });
  });
});
