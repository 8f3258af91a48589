import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayIds, looksLikeGatewayId } from './gateway-id.js';
import { Secret } from './policy/secret.js';

const ids = new GatewayIds(new Secret('k'.repeat(40)));
const minted = { kind: 'video' as const, provider: 'alpha', model: 'sora-2', id: 'video_123', owner: 'team', route: 'clips' };

describe('gateway IDs', () => {
  it('carry provider, model, owner, route and the provider ID, under a readable prefix', () => {
    const id = ids.wrap(minted);
    expect(id).toMatch(/^video_sy1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(looksLikeGatewayId(id)).toBe(true);
    expect(ids.unwrap(id)).toEqual(minted);
    expect(ids.unwrap(id, 'task')).toBeUndefined();
  });

  it('any change to any character is refused', () => {
    const id = ids.wrap(minted);
    fc.assert(
      fc.property(fc.nat({ max: id.length - 1 }), fc.constantFrom(...'AB_-x0.'), (at, c) => {
        fc.pre(id[at] !== c);
        expect(ids.unwrap(id.slice(0, at) + c + id.slice(at + 1))).toBeUndefined();
      }),
    );
  });

  it('another key does not read them; junk is refused without throwing', () => {
    const id = ids.wrap(minted);
    expect(new GatewayIds(new Secret('j'.repeat(40))).unwrap(id)).toBeUndefined();
    for (const junk of ['', 'video_', 'video_sy1.', 'video_sy1..', 'resp_sy1.e30.AAAAAAAAAAAAAAAAAAAAAA', 'x'.repeat(5000)])
      expect(ids.unwrap(junk)).toBeUndefined();
  });
});
