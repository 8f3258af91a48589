// The loaded policy: validated, cross-checked, credentials resolved. What the middlewares read.
import type { ProviderFormat } from '../record.js';
import type { SignalType } from '../signal-types.js';
import type { BudgetsConfig, ClientKey } from './budget-types.js';
import type { FailoverPolicy } from './failover-types.js';
import type { Capability } from './capabilities.js';
import type { Secret } from './secret.js';
import type { PolicySource } from './source.js';
import type { SignalValue } from '../signal-types.js';
import type { Transitions, WorkflowConfig } from './workflow-types.js';

export type * from './failover-types.js';
export type * from './budget-types.js';
export type * from './workflow-types.js';

export type { Capability };

export interface ProviderCredential {
  /** Position in the provider's `credentials` list; what records and spans show. */
  readonly index: number;
  readonly env: string;
  readonly secret: Secret;
}

export interface ProviderConfig {
  readonly name: string;
  readonly format: ProviderFormat;
  /** Base URL without a trailing slash, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string;
  readonly credentials: readonly ProviderCredential[];
  /** Client headers forwarded besides the format's own; names, or prefixes ending in `*`. */
  readonly forwardHeaders: readonly string[];
  /** Most connections at once; `undefined` = dispatch()'s default. */
  readonly maxConnections?: number;
  /** The provider's own task API (`tasks:`), paths below `baseUrl`; `get` holds `{id}`. */
  readonly tasks?: { readonly create: string; readonly get: string };
}

export interface ModelPrice {
  /** USD per 1M input tokens. */
  readonly input: number;
  /** USD per 1M output tokens. */
  readonly output: number;
  /** USD per 1M cached input tokens. */
  readonly cachedInput?: number;
  /** USD per 1M input tokens written to the prompt cache. */
  readonly cacheWrite?: number;
  /** USD per image by `SIZE/QUALITY`, `SIZE`, `QUALITY` or `default` (see @switchyard/budget's media prices). */
  readonly image?: Readonly<Record<string, number>>;
  /** USD per second of generated video. */
  readonly videoSecond?: number;
  /** USD per 1M characters turned into speech. */
  readonly speechCharacters?: number;
  /** USD per minute of transcribed or translated audio. */
  readonly transcriptionMinute?: number;
}

export interface ModelConfig {
  /** The exact, versioned model ID. */
  readonly id: string;
  /** The one provider this model is pinned to. */
  readonly provider: string;
  readonly contextWindow?: number;
  /** The most tokens one answer may have (`max_output_tokens`). */
  readonly maxOutputTokens?: number;
  readonly capabilities: ReadonlySet<Capability>;
  readonly price?: ModelPrice;
  /** The provider's own ID for the model (`upstream_model`), sent upstream in place of `id`; `undefined`: `id`. */
  readonly upstreamModel?: string;
  /** The endpoint families it serves (`endpoints:`); `undefined` = the text ones. See `servesEndpoint`. */
  readonly endpoints?: ReadonlySet<string>;
}

export type SignalSource =
  | { readonly kind: 'jsonpath'; readonly path: string }
  | { readonly kind: 'header'; readonly header: string };

/** A signal declared under `signals:` in the policy. */
export interface DeclaredSignal {
  readonly name: string;
  readonly type: SignalType;
  readonly from: SignalSource;
  /** What rules see when the request does not carry the signal (`default:`); of `type`. */
  readonly default?: SignalValue;
  /** What spans record: its value, or only its presence (and a string's length): prompts are never recorded. */
  readonly record: 'value' | 'presence';
}

export interface RuleConfig {
  readonly name: string;
  /** The CEL condition as written. */
  readonly if: string;
  /** The exact model ID the rule routes to. */
  readonly use: string;
}

export interface RouteConfig {
  readonly name: string;
  readonly default: string;
  readonly rules: readonly RuleConfig[];
  /** Model IDs allowed to serve this route after retries fail, in order. Empty = strict. */
  readonly fallbacks: readonly string[];
  /** The route's transitions (`on:`), when it writes any; a workflow's win for the outcomes both name. */
  readonly on?: Transitions;
}

/**
 * What an unset credential env var is when a policy loads. `'require'`: a problem, the policy does not load (what a
 * gateway about to serve needs). `'defer'`: allowed, for checking a policy where its secrets are not (CI); the
 * variable's Secret then throws on `reveal()`, and `Policy.requiredEnv` says it is unset.
 */
export type SecretsMode = 'require' | 'defer';

/** An env var the policy reads a secret from (a provider credential, a client key, the budget store URL, …). */
export interface RequiredEnvVar {
  /** The variable's name, e.g. `OPENAI_API_KEY`. Never its value. */
  readonly name: string;
  /** Where the policy reads it, in order, e.g. `providers.openai.credentials[0]`, `keys[2].secret`. */
  readonly usedBy: readonly string[];
  /** Whether it held a non-empty value when the policy loaded (always `true` with `secrets: 'require'`). */
  readonly set: boolean;
}

export interface Policy {
  readonly version: 1;
  readonly timezone: string;
  readonly providers: ReadonlyMap<string, ProviderConfig>;
  readonly models: ReadonlyMap<string, ModelConfig>;
  readonly signals: ReadonlyMap<string, DeclaredSignal>;
  readonly routes: ReadonlyMap<string, RouteConfig>;
  /** Retries, fallbacks, timeouts and cooldowns (`failover:`), defaults filled in. */
  readonly failover: FailoverPolicy;
  /** Owners, their budgets and the spend store (`budgets:`), defaults filled in. */
  readonly budgets?: BudgetsConfig;
  /** Client keys (`keys:`); `undefined` = the gateway is open and every call belongs to owner `default`. */
  readonly keys?: readonly ClientKey[];
  /** The workflows (`workflows:`), by name; `default` among them when the policy defines it. */
  readonly workflows: ReadonlyMap<string, WorkflowConfig>;
  /** `workflows_required`: a call naming no defined workflow is refused (400 `unknown_workflow`). */
  readonly workflowsRequired: boolean;
  /** The key that signs gateway IDs (`ids.secret`); required when a model serves videos or tasks. */
  readonly ids?: { readonly secret: Secret };
  /** Every env var the policy reads a secret from, in the order the policy first names them. */
  readonly requiredEnv: readonly RequiredEnvVar[];
  /** Where each part was written, for errors found after loading (e.g. CEL type errors). */
  readonly source: PolicySource;
}
