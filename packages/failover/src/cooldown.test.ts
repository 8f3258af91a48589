import { describe, expect, it } from 'vitest';
import { CooldownRegistry } from './cooldown.js';

const P = 'openai';
const M = 'gpt-4o-2024-08-06';

function failTimes(registry: CooldownRegistry, n: number, now: number): boolean[] {
  return Array.from({ length: n }, () => registry.failed(P, M, now));
}

describe('CooldownRegistry', () => {
  it('should start a cooldown at the Nth consecutive failure, not before', () => {
    const registry = new CooldownRegistry({ failures: 3, durationMs: 1000 });
    expect(failTimes(registry, 3, 0)).toEqual([false, false, true]);
    expect(registry.available(P, M, 1)).toBe(false);
    expect(registry.available(P, M, 999)).toBe(false);
  });

  it('should forget failures after a success', () => {
    const registry = new CooldownRegistry({ failures: 2, durationMs: 1000 });
    registry.failed(P, M, 0);
    registry.succeeded(P, M);
    expect(registry.failed(P, M, 0)).toBe(false);
    expect(registry.available(P, M, 0)).toBe(true);
  });

  it('should keep pairs apart: another model of the provider, or the model elsewhere, is not affected', () => {
    const registry = new CooldownRegistry({ failures: 1, durationMs: 1000 });
    registry.failed(P, M, 0);
    expect(registry.available(P, 'other', 0)).toBe(true);
    expect(registry.available('azure', M, 0)).toBe(true);
  });

  it('should let exactly one probe through once the window is over', () => {
    const registry = new CooldownRegistry({ failures: 1, durationMs: 1000 });
    registry.failed(P, M, 0);
    expect(registry.available(P, M, 1000)).toBe(true);
    expect(registry.available(P, M, 1001)).toBe(false);
  });

  it('should end the cooldown when the probe succeeds', () => {
    const registry = new CooldownRegistry({ failures: 1, durationMs: 1000 });
    registry.failed(P, M, 0);
    registry.available(P, M, 1000);
    registry.succeeded(P, M);
    expect(registry.available(P, M, 1001)).toBe(true);
    expect(registry.available(P, M, 1002)).toBe(true);
  });

  it('should start the next cooldown at once when the probe fails', () => {
    const registry = new CooldownRegistry({ failures: 3, durationMs: 1000 });
    failTimes(registry, 3, 0);
    registry.available(P, M, 1500);
    expect(registry.failed(P, M, 1500)).toBe(true);
    expect(registry.available(P, M, 2400)).toBe(false);
    expect(registry.available(P, M, 2500)).toBe(true);
  });

  it('should not lengthen a cooldown for failures of calls that started before it', () => {
    const registry = new CooldownRegistry({ failures: 1, durationMs: 1000 });
    registry.failed(P, M, 0);
    expect(registry.failed(P, M, 500)).toBe(false);
    expect(registry.available(P, M, 1000)).toBe(true);
  });

  it('should let another probe through when one never reported back', () => {
    const registry = new CooldownRegistry({ failures: 1, durationMs: 1000 });
    registry.failed(P, M, 0);
    expect(registry.available(P, M, 1000)).toBe(true);
    expect(registry.available(P, M, 1999)).toBe(false);
    expect(registry.available(P, M, 2000)).toBe(true);
  });

  it('should never cool down with failures: 0', () => {
    const registry = new CooldownRegistry({ failures: 0, durationMs: 1000 });
    expect(failTimes(registry, 50, 0).some(Boolean)).toBe(false);
    expect(registry.available(P, M, 0)).toBe(true);
  });
});
