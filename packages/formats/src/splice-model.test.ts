import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spliceModel } from './splice-model.js';

const splice = (text: string, model: string) => spliceModel(Buffer.from(text), model)?.toString();

describe('spliceModel()', () => {
  it('should replace only the top-level model value, keeping every other byte', () => {
    const text = '{ "messages":[{"role":"user","content":"model: \\"x\\""}],\n  "model" : "smart", "n":1 }';
    expect(splice(text, 'gpt-4o')).toBe(text.replace('"smart"', '"gpt-4o"'));
  });

  it('should skip "model" keys and values that are not the top-level key', () => {
    const text = '{"metadata":{"model":"inner"},"tools":["model"],"note":"\\"model\\":\\"no\\"","model":"smart"}';
    expect(JSON.parse(splice(text, 'm2')!)).toEqual({ ...JSON.parse(text), model: 'm2' });
  });

  it('should encode the new name as JSON', () => {
    expect(JSON.parse(splice('{"model":"a"}', 'we"ird\\name')!)).toEqual({ model: 'we"ird\\name' });
  });

  it('should leave to the caller what the bytes do not say plainly', () => {
    expect(splice('{"messages":[]}', 'm')).toBeUndefined(); // no model
    expect(splice('{"model":"a","model":"b"}', 'm')).toBeUndefined(); // twice: JSON.parse takes the last
    expect(splice('{"mod\\u0065l":"a"}', 'm')).toBeUndefined(); // escaped key
    expect(splice('{"model":42}', 'm')).toBeUndefined(); // not a string
    expect(splice('{"model":"unterminated}', 'm')).toBeUndefined();
  });

  it('should give what serialising the parsed body with the new model gives, for any object', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('model', 'messages', 'a"b', 'x\\'));
    const body = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    fc.assert(
      fc.property(body, fc.string(), fc.string(), fc.boolean(), (object, before, after, spaced) => {
        const source = { ...object, model: before };
        const text = JSON.stringify(source, null, spaced ? 2 : undefined);
        const out = splice(text, after);
        expect(out).toBeDefined();
        // Compared with a round trip, which JSON itself makes of values such as -0.
        expect(JSON.parse(out!)).toEqual(JSON.parse(JSON.stringify({ ...source, model: after })));
      }),
      { numRuns: 500 },
    );
  });
});
