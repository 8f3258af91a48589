import { describe, expect, it } from 'vitest';
import { requestedSchema, SchemaChecker } from './schema-check.js';

const PERSON = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer' } },
  required: ['name'],
  additionalProperties: false,
};

function completion(...contents: Array<string | null | { refusal: string }>): Buffer {
  const choices = contents.map((content, index) => ({
    index,
    message:
      typeof content === 'object' && content !== null
        ? { role: 'assistant', content: null, ...content }
        : { role: 'assistant', content },
    finish_reason: 'stop',
  }));
  return Buffer.from(JSON.stringify({ id: 'x', object: 'chat.completion', choices }));
}

describe('requestedSchema', () => {
  it("should find a non-streamed request's json_schema", () => {
    expect(requestedSchema({ response_format: { type: 'json_schema', json_schema: { name: 'p', schema: PERSON } } })).toBe(
      PERSON,
    );
  });

  it('should find none for streams, json_object, plain text or a malformed response_format', () => {
    const format = { type: 'json_schema', json_schema: { name: 'p', schema: PERSON } };
    expect(requestedSchema({ stream: true, response_format: format })).toBeUndefined();
    expect(requestedSchema({ response_format: { type: 'json_object' } })).toBeUndefined();
    expect(requestedSchema({})).toBeUndefined();
    expect(requestedSchema({ response_format: { type: 'json_schema', json_schema: { name: 'p' } } })).toBeUndefined();
    expect(requestedSchema({ response_format: { type: 'json_schema', json_schema: { name: 'p', schema: [] } } })).toBeUndefined();
  });
});

describe('SchemaChecker', () => {
  it('should accept output that matches the schema', () => {
    const checker = new SchemaChecker();
    const validate = checker.validator(PERSON)!;
    expect(checker.check(validate, completion('{"name":"Ada","age":36}'))).toBeUndefined();
  });

  it('should report where output breaks the schema, never the output itself', () => {
    const checker = new SchemaChecker();
    const validate = checker.validator(PERSON)!;
    expect(checker.check(validate, completion('{"nom":"Ada"}'))).toEqual({ path: '', keyword: 'required' });
    expect(checker.check(validate, completion('{"name":"Ada","age":"old"}'))).toEqual({ path: '/age', keyword: 'type' });
  });

  it('should take output that is not JSON, or a body that is not a completion, as invalid', () => {
    const checker = new SchemaChecker();
    const validate = checker.validator(PERSON)!;
    expect(checker.check(validate, completion('{"name":"Ad'))).toEqual({ path: '', keyword: 'json' });
    expect(checker.check(validate, completion(null))).toEqual({ path: '', keyword: 'json' });
    expect(checker.check(validate, Buffer.from('{"choices":[]}'))).toEqual({ path: '', keyword: 'json' });
    expect(checker.check(validate, Buffer.from('not json'))).toEqual({ path: '', keyword: 'json' });
  });

  it('should check every choice, and let a refusal stand', () => {
    const checker = new SchemaChecker();
    const validate = checker.validator(PERSON)!;
    expect(checker.check(validate, completion('{"name":"Ada"}', '{}'))).toEqual({ path: '', keyword: 'required' });
    expect(checker.check(validate, completion({ refusal: 'I cannot help with that.' }))).toBeUndefined();
  });

  it('should compile a schema once, whichever request object carries it', () => {
    const checker = new SchemaChecker();
    const first = checker.validator(PERSON);
    expect(checker.validator(JSON.parse(JSON.stringify(PERSON)) as object)).toBe(first);
    expect(checker.validator({ ...PERSON, required: ['age'] })).not.toBe(first);
  });

  it('should leave a schema it cannot compile unchecked', () => {
    expect(new SchemaChecker().validator({ type: 'no-such-type' })).toBeUndefined();
  });

  it('should keep working past its cache size, including for schemas that carry an $id', () => {
    const checker = new SchemaChecker();
    for (let i = 0; i < 200; i++) {
      const validate = checker.validator({ $id: `https://example.com/s${i % 70}`, type: 'object', required: [`f${i}`] });
      expect(validate, `schema ${i}`).toBeDefined();
      expect(checker.check(validate!, completion(JSON.stringify({ [`f${i}`]: 1 })))).toBeUndefined();
    }
  });
});
