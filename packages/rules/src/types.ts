// The public shapes of a compiled rule set and of the rules() middleware's options.
import type { Policy, Selection, SignalType } from '@switchyard/core';
import type { SignalCatalog } from '@switchyard/signals';

/** What rule evaluation selects: a route's matched rule (or `default`) and its model. */
export type RouteSelection = Extract<Selection, { kind: 'route' }>;

/** A comparison operator that may stand between `input_tokens` and a numeric literal. */
export type ComparisonOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/**
 * One comparison of `input_tokens` with a numeric literal, turned around if needed so that
 * `input_tokens` is on the left: `100000 < input_tokens` is kept as `{ op: '>', value: 100000 }`.
 */
export interface TokenComparison {
  readonly op: ComparisonOp;
  readonly value: number;
}

/** A CEL activation: signal name → CEL value (`int` signals as BigInt). */
export type Activation = Readonly<Record<string, unknown>>;

/** One rule of one route, parsed and type-checked once at policy load. Safe to share across requests. */
export interface CompiledRule {
  /** The route (client-facing model name) the rule belongs to. */
  readonly route: string;
  /** The rule's name as written in the policy; what `record.selection.rule` shows when it matches. */
  readonly name: string;
  /** The exact model ID the rule routes to. */
  readonly use: string;
  /** The CEL condition as written in the policy. */
  readonly condition: string;
  /** The signals the condition reads, in order of first use; macro loop variables are not signals. */
  readonly reads: readonly string[];
  /**
   * Set when the rule may be decided from the upper bound of `input_tokens` (its byte length) without
   * tokenizing: every use of `input_tokens` in the condition is a direct operand of a comparison with a
   * numeric literal, and these are those comparisons. `undefined` when the rule does not read
   * `input_tokens`, or reads it in any other way (then it is always computed exactly).
   */
  readonly inputTokensBound: readonly TokenComparison[] | undefined;
  /**
   * Evaluates the condition. True only for a CEL `true`.
   * @throws the library's `EvaluationError` (with `code` and `summary`) when evaluation fails, e.g. a
   *   variable left out of the activation or an integer overflow.
   */
  matches(activation: Activation): boolean;
}

/** A route's compiled rules, in the order they are tried. */
export interface CompiledRoute {
  readonly name: string;
  /** The model used when no rule matches. */
  readonly default: string;
  readonly rules: readonly CompiledRule[];
}

/** Every route's rules, compiled from one policy load. Immutable; share it across requests. */
export interface CompiledRules {
  /** By route name (the `model` a client sends). */
  readonly routes: ReadonlyMap<string, CompiledRoute>;
  /** The signal types the rules were checked against; evaluation uses them to convert values to CEL. */
  readonly signalTypes: ReadonlyMap<string, SignalType>;
}

/** Structural limits on each rule's CEL expression, enforced when it is parsed. */
export interface CelLimits {
  /** Most AST nodes in one condition. Default: 1000. */
  readonly maxAstNodes?: number;
  /** Deepest nesting of calls, selects, indexes and literals. Default: 32. */
  readonly maxDepth?: number;
  /** Most elements in one list literal. Default: 1000. */
  readonly maxListElements?: number;
  /** Most entries in one map literal. Default: 1000. */
  readonly maxMapEntries?: number;
  /** Most arguments in one call. Default: 32. */
  readonly maxCallArguments?: number;
}

/** Options for `compileRules`. */
export interface CompileRulesOptions {
  /** Limits on each condition's size; see `CelLimits` for the defaults. */
  readonly limits?: CelLimits;
}

/** Options for the `rules()` middleware: the policy (compiled here), or rules compiled already. */
export type RulesOptions =
  | {
      /** The policy whose routes' rules are compiled once, when the middleware is built. */
      readonly policy: Policy;
      /** The signals rules may read. Default: the built-in signals and the policy's declared ones. */
      readonly catalog?: SignalCatalog;
      readonly compiled?: undefined;
    }
  | {
      /** The policy's rules, from `compileRules(policy, signalTypes)`; `signals()` must be mounted before. */
      readonly compiled: CompiledRules;
      readonly policy?: undefined;
    };
