// What a request needs from a model, read from the signals only when a candidate must be checked; and what a
// workflow requires of every model that serves it, whatever the request holds.
import type { Capability, ModelConfig, SignalReader, WorkflowConfig } from '@switchyard/core';

/**
 * Why a candidate cannot serve the request. `workflow` names the workflow whose `requires:` asked for it;
 * without it, the request itself needs it (tools offered, a JSON schema, images, a stream, its size).
 */
export type Unmet =
  | { readonly reason: 'missing_capability'; readonly capability: Capability; readonly workflow?: string }
  | { readonly reason: 'context_window'; readonly needed: number; readonly contextWindow: number; readonly workflow?: string };

/** An Unmet's details as event attributes. */
export function unmetAttributes(unmet: Unmet): Record<string, string | number> {
  const detail: Record<string, string | number> =
    unmet.reason === 'missing_capability'
      ? { capability: unmet.capability }
      : { needed_tokens: unmet.needed, context_window: unmet.contextWindow };
  if (unmet.workflow !== undefined) detail.workflow = unmet.workflow;
  return detail;
}

/**
 * What `model` lacks of `workflow`'s `requires:`, or `undefined`. A model that states no context window does
 * not meet a `long_context` requirement: it is not known to.
 */
export function workflowUnmet(workflow: WorkflowConfig | undefined, model: ModelConfig): Unmet | undefined {
  if (!workflow) return undefined;
  const { capabilities, longContext } = workflow.requires;
  for (const capability of capabilities) {
    if (!model.capabilities.has(capability)) return { reason: 'missing_capability', capability, workflow: workflow.name };
  }
  if (longContext !== undefined && (model.contextWindow ?? 0) < longContext) {
    return { reason: 'context_window', needed: longContext, contextWindow: model.contextWindow ?? 0, workflow: workflow.name };
  }
  return undefined;
}

/** Signals that say a request needs a capability, in the order they are checked. */
const NEEDS: ReadonlyArray<readonly [signal: string, capability: Capability]> = [
  ['has_tools', 'tools'],
  ['has_schema', 'json_schema'],
  ['has_images', 'vision'],
  ['streaming', 'streaming'],
];
const FLAGS = [...NEEDS.map(([signal]) => signal), 'max_tokens'];

/**
 * Checks candidates (the chosen model and its fallbacks) against one request. Signals are read (through the request's reader, which
 * keeps them; the routing record lists only what rules read) on the first check, and
 * `input_tokens` only when a candidate's context window is not settled by the prompt's byte length.
 * Without a signal reader nothing is known, and no candidate is ruled out.
 */
export class RequestNeeds {
  readonly #reader: SignalReader | undefined;
  #flags: Promise<void> | undefined;

  constructor(reader: SignalReader | undefined) {
    this.#reader = reader;
  }

  /** What `model` lacks for this request, or `undefined` when it can serve it. */
  async unmet(model: ModelConfig): Promise<Unmet | undefined> {
    const reader = this.#reader;
    if (!reader) return undefined;
    await (this.#flags ??= reader.read(FLAGS) ?? Promise.resolve());
    for (const [signal, capability] of NEEDS) {
      if (this.#value(signal) === true && !model.capabilities.has(capability))
        return { reason: 'missing_capability', capability };
    }
    const contextWindow = model.contextWindow;
    if (contextWindow === undefined) return undefined;
    const maxTokens = this.#number('max_tokens') ?? 0;
    const bound = reader.upperBound('input_tokens');
    if (bound !== undefined && bound + maxTokens <= contextWindow) return undefined;
    await reader.read(['input_tokens']);
    const input = this.#number('input_tokens');
    if (input === undefined || input + maxTokens <= contextWindow) return undefined;
    return { reason: 'context_window', needed: input + maxTokens, contextWindow };
  }

  #value(signal: string): unknown {
    const reading = this.#reader?.reading(signal);
    return reading?.kind === 'value' ? reading.value : undefined;
  }

  #number(signal: string): number | undefined {
    const value = this.#value(signal);
    return typeof value === 'number' ? value : undefined;
  }
}
