// Shared by the tests: a policy header, the built-in signal types, and a fake SignalReader that counts.
import {
  parsePolicy,
  type Policy,
  type RoutingRecord,
  type SignalReader,
  type SignalReading,
  type SignalType,
  type SignalValue,
} from '@switchyard/core';
import { compileRules } from '../src/compile.js';
import type { CompiledRules } from '../src/types.js';

/** The built-in signals as DESIGN.md lists them, with their CEL types. */
export const BUILTIN_SIGNALS: ReadonlyMap<string, SignalType> = new Map<string, SignalType>([
  ['input_tokens', 'int'],
  ['max_tokens', 'int'],
  ['has_schema', 'bool'],
  ['has_tools', 'bool'],
  ['has_images', 'bool'],
  ['streaming', 'bool'],
  ['messages_count', 'int'],
  ['model', 'string'],
  ['endpoint', 'string'],
  ['workflow', 'string'],
  ['owner', 'string'],
  ['monthly_spend_pct', 'double'],
  ['hour_local', 'int'],
  ['weekday', 'string'],
]);

/** 11 lines: the first line of `routes` text passed to `loadPolicy` is line 12. */
export const HEADER = `version: 1
providers:
  openai: { format: openai, base_url: "https://api.openai.com/v1", credentials: [{ env: OPENAI_API_KEY }] }
models:
  big-model: { provider: openai }
  schema-model: { provider: openai }
  cheap-model: { provider: openai }
  default-model: { provider: openai }
signals:
  priority: { from: "$.metadata.priority", type: string }
routes:
`;

export function loadPolicy(routes: string): Policy {
  return parsePolicy(HEADER + routes, 'policy.yaml', { env: { OPENAI_API_KEY: 'sk-test' } });
}

/** Built-in signals plus the policy's declared ones: what a real reader would know. */
export function signalTypesOf(policy: Policy): Map<string, SignalType> {
  const types = new Map(BUILTIN_SIGNALS);
  for (const signal of policy.signals.values()) types.set(signal.name, signal.type);
  return types;
}

export function compile(routes: string): CompiledRules {
  const policy = loadPolicy(routes);
  return compileRules(policy, signalTypesOf(policy));
}

/** What the fake reader produces for a signal: a value, or `{ absent: reason }`. */
export type FakeSignal = SignalValue | { readonly absent: string };

/** A SignalReader over fixed values that records every call, optionally slow. */
export class FakeReader implements SignalReader {
  /** The names of each `read` call, in call order. */
  readonly readCalls: string[][] = [];
  /** The names `upperBound` was asked for. */
  readonly boundCalls: string[] = [];

  readonly #readings = new Map<string, SignalReading>();

  constructor(
    readonly record: RoutingRecord,
    private readonly values: Readonly<Record<string, FakeSignal>>,
    private readonly bounds: Readonly<Record<string, number>> = {},
    private readonly delayMs = 0,
  ) {}

  /** Every name passed to `read`, flattened. */
  get computed(): string[] {
    return this.readCalls.flat();
  }

  async read(names: readonly string[]): Promise<void> {
    this.readCalls.push([...names]);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    for (const name of names) {
      if (this.#readings.has(name)) continue;
      const value = this.values[name];
      this.#readings.set(
        name,
        value === undefined
          ? { kind: 'absent', reason: 'unknown to the fake reader' }
          : typeof value === 'object'
            ? { kind: 'absent', reason: value.absent }
            : { kind: 'value', value },
      );
    }
  }

  reading(name: string): SignalReading | undefined {
    return this.#readings.get(name);
  }

  upperBound(name: string): number | undefined {
    this.boundCalls.push(name);
    return this.bounds[name];
  }

  has(name: string): boolean {
    return name in this.values;
  }
}
