import type { ModelConfig, SignalReader, SignalReading } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { RequestNeeds, unmetAttributes, workflowUnmet } from './needs.js';

/** A reader over fixed readings that notes what was read, and a byte-length bound for input_tokens. */
function fakeReader(readings: Record<string, SignalReading>, bound: number) {
  const reads: string[] = [];
  const known = new Map<string, SignalReading>();
  const reader: SignalReader = {
    async read(names) {
      for (const name of names) {
        reads.push(name);
        known.set(name, readings[name] ?? { kind: 'absent', reason: 'not present' });
      }
    },
    reading: (name) => known.get(name),
    upperBound: (name) => (name === 'input_tokens' ? bound : undefined),
    has: () => true,
  };
  return { reader, reads };
}

const yes: SignalReading = { kind: 'value', value: true };
const no: SignalReading = { kind: 'value', value: false };

function model(
  capabilities: ModelConfig['capabilities'] extends ReadonlySet<infer C> ? C[] : never,
  contextWindow?: number,
): ModelConfig {
  return { id: 'm', provider: 'p', capabilities: new Set(capabilities), contextWindow };
}

describe('RequestNeeds', () => {
  it('should name the first capability the request needs and the model lacks', async () => {
    const { reader } = fakeReader({ has_tools: yes, has_schema: no, has_images: yes, streaming: yes }, 10);
    const needs = new RequestNeeds(reader);
    expect(await needs.unmet(model(['streaming']))).toEqual({ reason: 'missing_capability', capability: 'tools' });
    expect(await needs.unmet(model(['tools', 'streaming']))).toEqual({ reason: 'missing_capability', capability: 'vision' });
    expect(await needs.unmet(model(['tools', 'vision']))).toEqual({ reason: 'missing_capability', capability: 'streaming' });
    expect(await needs.unmet(model(['tools', 'vision', 'streaming']))).toBeUndefined();
  });

  it('should ask for json_schema only when the request has a schema', async () => {
    const withSchema = fakeReader({ has_schema: yes }, 10);
    expect(await new RequestNeeds(withSchema.reader).unmet(model([]))).toEqual({
      reason: 'missing_capability',
      capability: 'json_schema',
    });
    const without = fakeReader({ has_schema: no }, 10);
    expect(await new RequestNeeds(without.reader).unmet(model([]))).toBeUndefined();
  });

  it('should settle the context window from the byte length when it fits, without counting tokens', async () => {
    const { reader, reads } = fakeReader({ max_tokens: { kind: 'value', value: 100 } }, 900);
    expect(await new RequestNeeds(reader).unmet(model([], 1000))).toBeUndefined();
    expect(reads).not.toContain('input_tokens');
  });

  it('should count tokens when the byte length does not settle it, and skip a window too small', async () => {
    const { reader, reads } = fakeReader(
      { max_tokens: { kind: 'value', value: 100 }, input_tokens: { kind: 'value', value: 950 } },
      4000,
    );
    const needs = new RequestNeeds(reader);
    expect(await needs.unmet(model([], 1000))).toEqual({ reason: 'context_window', needed: 1050, contextWindow: 1000 });
    expect(await needs.unmet(model([], 1050))).toBeUndefined();
    expect(reads.filter((name) => name === 'input_tokens').length).toBeGreaterThan(0);
  });

  it('should not rule a model out when the token count is absent, or the model states no window', async () => {
    const { reader } = fakeReader({}, 4000);
    const needs = new RequestNeeds(reader);
    expect(await needs.unmet(model([], 1000))).toBeUndefined();
    expect(await needs.unmet(model([]))).toBeUndefined();
  });

  it('should read the capability signals once for any number of candidates', async () => {
    const { reader, reads } = fakeReader({}, 1);
    const needs = new RequestNeeds(reader);
    await needs.unmet(model([]));
    await needs.unmet(model([]));
    expect(reads.filter((name) => name === 'has_tools')).toHaveLength(1);
  });

  it('should rule nothing out without a signal reader', async () => {
    expect(await new RequestNeeds(undefined).unmet(model([], 1))).toBeUndefined();
  });
});

describe('workflowUnmet', () => {
  const workflow = (requires: { capabilities?: string[]; longContext?: number }) =>
    ({
      name: 'w',
      requires: { capabilities: new Set(requires.capabilities ?? []), longContext: requires.longContext },
      fallback: { blocked: new Set() },
      on: new Map(),
    }) as unknown as Parameters<typeof workflowUnmet>[0];

  it('should name the first capability the workflow requires and the model lacks, whatever the request holds', () => {
    expect(workflowUnmet(workflow({ capabilities: ['tools', 'vision'] }), model(['tools']))).toEqual({
      reason: 'missing_capability',
      capability: 'vision',
      workflow: 'w',
    });
    expect(workflowUnmet(workflow({ capabilities: ['tools'] }), model(['tools']))).toBeUndefined();
    expect(workflowUnmet(undefined, model([]))).toBeUndefined();
  });

  it('should hold a model to long_context, and one without a stated window fails it', () => {
    expect(workflowUnmet(workflow({ longContext: 100_000 }), model([], 128_000))).toBeUndefined();
    expect(workflowUnmet(workflow({ longContext: 100_000 }), model([], 32_000))).toEqual({
      reason: 'context_window',
      needed: 100_000,
      contextWindow: 32_000,
      workflow: 'w',
    });
    expect(workflowUnmet(workflow({ longContext: 100_000 }), model([]))).toMatchObject({ contextWindow: 0 });
  });

  it('should name the workflow in the event attributes, and only then', () => {
    expect(unmetAttributes({ reason: 'missing_capability', capability: 'tools', workflow: 'w' })).toEqual({
      capability: 'tools',
      workflow: 'w',
    });
    expect(unmetAttributes({ reason: 'missing_capability', capability: 'tools' })).toEqual({ capability: 'tools' });
  });
});
