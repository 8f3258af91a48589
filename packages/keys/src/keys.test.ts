import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { errorHandler, parsePolicy, routing } from '@switchyard/core';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyAllowList, keys, match, presentedKey } from './keys.js';

const policy = (keysYaml: string) =>
  parsePolicy(
    `version: 1
providers: { p: { format: openai, base_url: "http://127.0.0.1:9/v1" } }
models: { m: { provider: p } }
routes: { smart: { default: m } }
${keysYaml}`,
    'policy.yaml',
    { env: { K1: 'sk-one', K2: 'sk-two' } },
  );

const KEYED = `keys:
  - { name: one, secret: { env: K1 }, owner: team-one, allow: [smart] }
  - { name: two, secret: { sha256: ${createHash('sha256').update('sk-two').digest('hex')} }, owner: team-two }
`;

function app(yaml: string) {
  const a = express();
  a.use(keys({ policy: policy(yaml) }));
  a.get('/who', (req, res) => {
    const allow = keyAllowList(req);
    res.json({ owner: routing(req).record.owner, allow: allow ? [...allow] : null });
  });
  a.use(errorHandler());
  return a;
}

let url: string;
let openUrl: string;
const servers: import('node:http').Server[] = [];
beforeAll(async () => {
  for (const yaml of [KEYED, '']) {
    const server = app(yaml).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    servers.push(server);
  }
  url = `http://127.0.0.1:${(servers[0]!.address() as AddressInfo).port}`;
  openUrl = `http://127.0.0.1:${(servers[1]!.address() as AddressInfo).port}`;
});
afterAll(() => {
  for (const s of servers) s.close();
});

const who = async (base: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}/who`, { headers });
  return { status: res.status, body: (await res.json()) as any };
};

describe('keys()', () => {
  it('should set the owner and allow list of the key, from Bearer or x-api-key, env or sha256 secrets', async () => {
    expect(await who(url, { authorization: 'Bearer sk-one' })).toEqual({
      status: 200,
      body: { owner: 'team-one', allow: ['smart'] },
    });
    expect(await who(url, { 'x-api-key': 'sk-two' })).toEqual({ status: 200, body: { owner: 'team-two', allow: null } });
    expect((await who(url, { authorization: 'bearer   sk-two ' })).body.owner).toBe('team-two');
  });

  it('should answer 401 missing_api_key or invalid_api_key otherwise, never echoing the key', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer' }, { 'x-api-key': ' ' }] as Record<
      string,
      string
    >[]) {
      const r = await who(url, headers);
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(r.body.error.code).toBe('missing_api_key');
    }
    const wrong = await who(url, { authorization: 'Bearer sk-one-but-longer' });
    expect(wrong).toMatchObject({ status: 401, body: { error: { type: 'authentication_error', code: 'invalid_api_key' } } });
    expect(JSON.stringify(wrong.body)).not.toContain('sk-one');
  });

  it('should let every call through as owner "default" when the policy has no keys', async () => {
    expect(await who(openUrl, { authorization: 'Bearer anything' })).toEqual({
      status: 200,
      body: { owner: 'default', allow: null },
    });
    expect(await who(openUrl)).toEqual({ status: 200, body: { owner: 'default', allow: null } });
  });

  it('should refuse to be built without a policy', () => {
    expect(() => keys({} as never)).toThrow(TypeError);
  });
});

describe('presentedKey() and match()', () => {
  const req = (headers: Record<string, string | string[]>) => ({ headers }) as never;

  it('should prefer Authorization over x-api-key, and take the first of repeated x-api-key headers', () => {
    expect(presentedKey(req({ authorization: 'Bearer a', 'x-api-key': 'b' }))).toBe('a');
    expect(presentedKey(req({ authorization: 'Token a', 'x-api-key': 'b' }))).toBe('b');
    expect(presentedKey(req({ 'x-api-key': ['c', 'd'] }))).toBe('c');
  });

  it('should compare against every key and return the first that matches', () => {
    const digest = (s: string) => createHash('sha256').update(s).digest();
    const known = [
      { digest: digest('x'), n: 1 },
      { digest: digest('y'), n: 2 },
      { digest: digest('y'), n: 3 },
    ];
    expect(match(known, 'y')?.n).toBe(2);
    expect(match(known, 'z')).toBeUndefined();
  });
});
