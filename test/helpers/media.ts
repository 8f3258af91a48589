// The media test policy: two OpenAI-format mocks with task APIs, image, speech, transcription, video and task models.
import type { PolicyContext } from './gateway.js';

/** The ID signing key the media policies read from E2E_ID_SECRET. */
export const ID_SECRET = 'e2e-id-secret-0123456789abcdef0123456789';

/** `videoProvider` pins sora-2 and suno (a policy edit moving them). */
export function mediaPolicy(ctx: PolicyContext, videoProvider = 'alpha'): string {
  const provider = (name: string) =>
    `{ format: openai, base_url: ${ctx.url(name)}, credentials: [{ env: ${ctx.env(name)} }], tasks: { create: /music/generate, get: "/music/tasks/{id}" } }`;
  return `version: 1
ids: { secret: { env: E2E_ID_SECRET } }
providers:
  alpha: ${provider('alpha')}
  beta: ${provider('beta')}
models:
  gpt-image-2: { provider: alpha, endpoints: [images], price: { image: { "1024x1024/high": 0.2, "1024x1024": 0.04, default: 0.08 } } }
  tts-1: { provider: alpha, endpoints: [audio], price: { speech_characters: 15 } }
  whisper-1: { provider: alpha, endpoints: [audio], price: { transcription_minute: 0.006 } }
  sora-2: { provider: ${videoProvider}, endpoints: [videos], price: { video_second: 0.1 } }
  suno: { provider: ${videoProvider}, endpoints: [tasks] }
  gpt-4o-2024-08-06: { provider: alpha, capabilities: [streaming] }
routes:
  images: { default: gpt-image-2 }
  clips: { default: sora-2 }
  studio:
    default: gpt-image-2
    rules: [{ name: speech, if: 'endpoint == "audio"', use: tts-1 }]
`;
}
