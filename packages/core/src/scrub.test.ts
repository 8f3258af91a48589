// Scrubber: the policy's provider credentials out of every byte passed back, wherever chunks cut them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from './policy/load.js';
import { REDACTED, Scrubber } from './scrub.js';

const KEY = 'sk-provider-live-0123456789';
const policy = parsePolicy(
  `version: 1
providers:
  a: { format: openai, base_url: "http://127.0.0.1:9/v1", credentials: [{ env: A_KEY }, { env: SHORT }] }
models: {}
`,
  'policy.yaml',
  { env: { A_KEY: KEY, SHORT: 'abc' } },
);

describe('Scrubber', () => {
  const scrubber = Scrubber.of(policy);

  it('should replace every credential in text and bytes, and leave short ones and clean bytes alone', () => {
    expect(scrubber.text(`Incorrect API key provided: ${KEY}. And ${KEY}`)).toBe(
      `Incorrect API key provided: ${REDACTED}. And ${REDACTED}`,
    );
    const clean = Buffer.from('nothing to see: abc');
    expect(scrubber.bytes(clean)).toBe(clean);
    expect(scrubber.bytes(Buffer.from(`{"error":"${KEY}"}`)).toString()).toBe(`{"error":"${REDACTED}"}`);
  });

  it('should scrub a body cut into any chunks, holding back only what could begin a credential', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 6 }),
        (before, after, cuts) => {
          const body = Buffer.from(`${before}${KEY}${after}${KEY.slice(0, 5)}`);
          const points = [...new Set(cuts.map((c) => Math.min(c, body.length)))].sort((a, b) => a - b);
          const stream = scrubber.stream();
          const out: Buffer[] = [];
          let from = 0;
          for (const at of [...points, body.length]) {
            out.push(stream.push(body.subarray(from, at)));
            from = at;
          }
          out.push(stream.end());
          expect(Buffer.concat(out).toString()).toBe(scrubber.text(body.toString()));
          expect(Buffer.concat(out).includes(KEY)).toBe(false);
        },
      ),
    );
  });

  it('should pass chunks that cannot begin a credential on at once, without copying them', () => {
    const stream = scrubber.stream();
    const chunk = Buffer.from('data: {"choices":[]}\n\n');
    expect(stream.push(chunk)).toBe(chunk);
  });
});
