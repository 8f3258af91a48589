import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Route, Router } from './router.js';

const route = (name: string): Route => Object.assign(() => undefined, { routeName: name });
const nameOf = (match: ReturnType<Router['match']>): string | undefined =>
  match.kind === 'found' ? (match.route as Route & { routeName: string }).routeName : match.kind;

describe('Router', () => {
  const router = new Router()
    .on('GET', '/videos', route('list'))
    .on('GET', '/videos/:id', route('retrieve'))
    .on('DELETE', '/videos/:id', route('remove'))
    .on('GET', '/videos/:id/content', route('content'))
    .on('POST', '/videos/:id/remix', route('remix'), 'openai', 'raw')
    .on('POST', '/models/:call', route('gemini'), 'own');

  it('should match exact paths, inner one-segment params and trailing params that take the rest', () => {
    expect(nameOf(router.match('GET', '/videos'))).toBe('list');
    expect(router.match('GET', '/videos/video_1/content')).toMatchObject({ kind: 'found', param: 'video_1', rawBody: false });
    expect(router.match('POST', '/videos/video_1/remix')).toMatchObject({ kind: 'found', param: 'video_1', rawBody: true });
    expect(router.match('GET', '/videos/video_1')).toMatchObject({ kind: 'found', param: 'video_1' });
    expect(router.match('POST', '/models/org/m:generateContent')).toMatchObject({
      kind: 'found',
      param: 'org/m:generateContent',
      ownAuth: true,
    });
  });

  it('should let a trailing param take what an inner pattern cannot (the route then refuses it)', () => {
    expect(router.match('GET', '/videos/a/b/content')).toMatchObject({ kind: 'found', param: 'a/b/content' });
    expect(nameOf(router.match('GET', '/videos/a/b/content'))).toBe('retrieve');
  });

  it('should answer wrong-method with the allowed methods, and not-found', () => {
    expect(router.match('PUT', '/videos/x/content')).toEqual({ kind: 'wrong-method', allowed: 'GET' });
    expect(router.match('PUT', '/videos/x')).toEqual({ kind: 'wrong-method', allowed: 'GET, DELETE' });
    expect(router.match('GET', '/images')).toEqual({ kind: 'not-found' });
    expect(router.match('GET', '/videos/')).toEqual({ kind: 'not-found' });
  });

  it('should hand back any one-segment ID decoded', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((id) => !id.includes('/')),
        (id) => {
          const match = router.match('GET', `/videos/${encodeURIComponent(id)}/content`);
          return match.kind === 'found' && match.param === id && nameOf(match) === 'content';
        },
      ),
    );
  });
});
