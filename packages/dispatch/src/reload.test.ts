// A reloaded policy's dispatch() takes over what must outlive the reload: connection pools to providers
// whose address did not change, and cooldowns of pairs still in the policy.
import { describe, expect, it } from 'vitest';
import { post, startGateway, testPolicy } from '../test/gateway.js';
import { json, startTestUpstream } from '../test/upstream.js';

const HI = { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] };

describe('dispatch({ previous })', () => {
  it('should keep the kept-alive connection of a provider whose address did not change', async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });
    await (await post(gateway, HI)).text();

    gateway.reload(testPolicy(upstream.baseUrl, { models: 'gpt-other: { provider: local }' }));
    await (await post(gateway, HI)).text();

    expect(upstream.requests).toHaveLength(2);
    expect(upstream.connections()).toBe(1);
  });

  it('should open a new pool for a provider that moved, and close the old one', async () => {
    const first = await startTestUpstream();
    const second = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(first.baseUrl) });
    await (await post(gateway, HI)).text();

    gateway.reload(testPolicy(second.baseUrl));
    const res = await post(gateway, HI);
    await res.text();

    expect(res.status).toBe(200);
    expect(second.requests).toHaveLength(1);
    expect(await Promise.race([first.requests[0]!.connectionClosed.then(() => 'closed'), sleep(1000, 'open')])).toBe('closed');
  });

  it('should keep the cooldown of a model still in the policy, and forget one the policy no longer serves', async () => {
    const failing = await startTestUpstream(json(503, { error: { message: 'down' } }));
    const healthy = await startTestUpstream();
    const yaml = (extra = '') => ({
      providers: `backup: { format: openai, base_url: ${healthy.baseUrl}, credentials: [{ env: LOCAL_KEY }] }`,
      models: `gpt-backup: { provider: backup }${extra}`,
    });
    const routes = `
failover: { cooldown: { failures: 1, duration_ms: 60000 } }
routes:
  smart: { default: gpt-test, fallbacks: [gpt-backup] }
`;
    const policy = testPolicy(failing.baseUrl, yaml(), routes);
    const gateway = await startGateway({
      policy,
      selection: { kind: 'route', route: 'smart', rule: 'default', model: 'gpt-test' },
    });
    await (await post(gateway, { ...HI, model: 'smart' })).text();
    expect(failing.requests).toHaveLength(1);

    gateway.reload(testPolicy(failing.baseUrl, yaml(), routes));
    await (await post(gateway, { ...HI, model: 'smart' })).text();
    // Still cooling down: the route went to its fallback without calling the failing pair.
    expect(failing.requests).toHaveLength(1);
    expect(healthy.requests).toHaveLength(2);
  });
});

function sleep<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, ms, value));
}
