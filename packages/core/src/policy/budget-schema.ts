// The `budgets:` and `keys:` sections: their schema, their cross-checks and their loaded form.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Endpoint } from '../record.js';
import { MEDIA_ENDPOINTS } from './endpoints.js';
import type { BudgetsConfig, ClientKey, OwnerBudget } from './budget-types.js';
import type { PolicyEnv } from './env-vars.js';
import { Secret } from './secret.js';
import type { PolicyPath } from './source.js';
import type { ModelConfig, RouteConfig } from './types.js';

/** An environment variable's name, as the policy writes it in `{ env: NAME }`. */
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
const ownerName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'owner names are letters, digits, "_", "." or "-"');
const usd = z.number().nonnegative().finite();

/** A client secret: read from an env var at load, or written as its SHA-256 so the policy holds no secret. */
const secretSchema = z
  .strictObject({
    env: envName
      .optional()
      .describe('Environment variable holding the key, read when the policy loads (serve refuses to start while it is unset).'),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be the 64 hex digits of the SHA-256 of the key')
      .optional()
      .describe('The SHA-256 of the key, in hex: the policy then holds no secret.'),
  })
  .refine((s) => (s.env === undefined) !== (s.sha256 === undefined), 'give exactly one of env or sha256')
  // The refinement, for JSON Schema.
  .meta({ oneOf: [{ required: ['env'] }, { required: ['sha256'] }] })
  .describe('A key, by the env var that holds it or by its SHA-256; exactly one of env or sha256.');

/** `limits: { rpm, tpm }` on a key or an owner: per-minute ceilings, at least one of them. */
const limitsSchema = z
  .strictObject({
    rpm: z.number().int().positive().optional().describe('Requests per minute.'),
    tpm: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Tokens per minute: a call counts its prompt's bound plus its output cap, corrected from its usage."),
  })
  .refine((l) => l.rpm !== undefined || l.tpm !== undefined, 'give rpm, tpm or both')
  // The refinement, for JSON Schema.
  .meta({ anyOf: [{ required: ['rpm'] }, { required: ['tpm'] }] })
  .describe('Rate limits per minute (429 rate_limit_exceeded with Retry-After past them).');

const ownerSchema = z
  .strictObject({
    monthly_usd: usd.optional().describe("USD per calendar month in the policy's timezone; goes with hard_stop."),
    hard_stop: z
      .boolean()
      .optional()
      .describe('true: refuse calls that could take spend past monthly_usd; false: only rules see monthly_spend_pct.'),
    max_request_usd: z.number().positive().finite().optional().describe('Refuse a single call whose worst-case cost is higher.'),
    limits: limitsSchema.optional().describe("What all of the owner's keys may send together, per minute."),
  })
  .refine((o) => (o.monthly_usd === undefined) === (o.hard_stop === undefined), {
    message:
      'monthly_usd and hard_stop go together: hard_stop: true refuses calls past the budget, hard_stop: false only lets rules see monthly_spend_pct',
  })
  // The refinement, for JSON Schema.
  .meta({ dependencies: { monthly_usd: ['hard_stop'], hard_stop: ['monthly_usd'] } })
  .describe("An owner's budget; without monthly_usd spend is counted, never limited.");

const misplaced = (message: string) =>
  z
    .unknown()
    .optional()
    .refine((v) => v === undefined, message)
    .meta({ not: {} })
    .describe(`Not here: ${message}.`);

export const budgetsSchema = z.strictObject({
  /** Omitted: the in-memory store, one budget per gateway process. */
  store: z
    .strictObject({
      redis: z
        .strictObject({
          url: z
            .strictObject({ env: envName.describe('Environment variable holding the Redis URL (it may hold a password).') })
            .describe('The Redis URL, by the env var that holds it.'),
        })
        .describe('One Redis shared by every gateway instance.'),
      on_store_error: z
        .enum(['fail_closed', 'fail_open'])
        .default('fail_closed')
        .describe('When the store cannot be reached: refuse calls (fail_closed) or serve them uncounted (fail_open).'),
    })
    .optional()
    .describe('Where spend is kept; omitted: in memory, one budget per gateway process.'),
  owners: z
    .record(ownerName, ownerSchema)
    .default({})
    .describe('Who pays, by owner name (letters, digits, "_", "." or "-"); keys name their owner.'),
  routes: z
    .record(
      z.string().min(1),
      z.strictObject({
        max_request_usd: z.number().positive().finite().describe("A ceiling on one call's worst-case cost on this route."),
      }),
    )
    .default({})
    .describe('Per-route ceilings, by route name.'),
  admin_key: secretSchema.optional().describe("The key that may read every owner's spend (GET /v1/switchyard/budget)."),
  timezone: misplaced('budget windows are calendar months in the policy\'s top-level "timezone"; set it there'),
  on_store_error: misplaced('on_store_error goes under budgets.store, next to the store it is about'),
});

export const keysSchema = z
  .array(
    z
      .strictObject({
        name: z.string().min(1).describe("The key's name, unique, for logs and traces."),
        secret: secretSchema,
        owner: ownerName.describe('Who its calls are billed to (a name under budgets.owners, when there is a budgets section).'),
        /** Omitted: every route and model. */
        allow: z
          .array(z.string().min(1))
          .min(1)
          .optional()
          .describe('Routes and exact model IDs the key may call; omitted: every one.'),
        limits: limitsSchema.optional().describe("What this key may send per minute; its owner's limits apply too."),
        workflows: z
          .array(z.string().min(1))
          .min(1)
          .optional()
          .describe(
            'Workflows the key may run as (a call naming none runs as default); omitted: every one. Another gets 403 workflow_not_allowed.',
          ),
      })
      .describe('A client key of this gateway.'),
  )
  .min(1, 'list at least one key, or remove keys: to leave the gateway open');

type Problem = (path: PolicyPath, message: string, key?: string) => void;

export interface BudgetSections {
  readonly budgets?: z.output<typeof budgetsSchema>;
  readonly keys?: z.output<typeof keysSchema>;
}

/** Cross-checks `budgets:` and `keys:` against the models and routes, and reads their secrets from `env`. */
export function buildBudgets(
  doc: BudgetSections,
  env: PolicyEnv,
  models: ReadonlyMap<string, ModelConfig>,
  routes: ReadonlyMap<string, RouteConfig>,
  problem: Problem,
): { budgets: BudgetsConfig; keys: readonly ClientKey[] | undefined } {
  const b = doc.budgets;
  const digestOf = (path: PolicyPath, s: { env?: string; sha256?: string }, what: string) =>
    s.sha256 !== undefined ? new Secret(s.sha256.toLowerCase()) : env.secret([...path, 'env'], s.env ?? '', what, sha256);

  const owners = new Map<string, OwnerBudget>();
  for (const [name, o] of Object.entries(b?.owners ?? {})) {
    owners.set(name, {
      name,
      monthlyUsd: o.monthly_usd,
      hardStop: o.hard_stop ?? false,
      maxRequestUsd: o.max_request_usd,
      limits: o.limits,
    });
  }
  const routeMaxRequestUsd = new Map<string, number>();
  for (const [name, r] of Object.entries(b?.routes ?? {})) {
    if (!routes.has(name))
      problem(['budgets', 'routes'], `budgets.routes: "${name}" is not a route (routes: ${list(routes.keys())})`, name);
    routeMaxRequestUsd.set(name, r.max_request_usd);
  }
  if ([...owners.values()].some((o) => o.hardStop)) {
    for (const model of models.values()) {
      if (!model.price)
        problem(
          ['models', model.id],
          `model "${model.id}" needs a price: an owner has hard_stop, and a call to an unpriced model could not be counted`,
        );
      // A media-only model's worst case comes from its per-image, per-second… prices, not from tokens.
      else if (model.maxOutputTokens === undefined && model.contextWindow === undefined && !mediaOnly(model.endpoints)) {
        problem(
          ['models', model.id],
          `model "${model.id}" needs max_output_tokens or context_window: an owner has hard_stop, and a call without max_tokens must have a worst case`,
        );
      }
    }
  }
  const store = b?.store;
  const budgets: BudgetsConfig = {
    store: store
      ? {
          kind: 'redis',
          env: store.redis.url.env,
          url: env.secret(['budgets', 'store', 'redis', 'url', 'env'], store.redis.url.env, 'budget store'),
        }
      : { kind: 'memory' },
    onStoreError: store?.on_store_error ?? 'fail_closed',
    owners,
    routeMaxRequestUsd,
    adminKeyDigest: b?.admin_key ? digestOf(['budgets', 'admin_key'], b.admin_key, 'admin key') : undefined,
  };

  if (!doc.keys) return { budgets, keys: undefined };
  const names = new Set<string>();
  const digests = new Map<string, string>();
  const keys = doc.keys.map((k, i): ClientKey => {
    const at: PolicyPath = ['keys', i];
    if (names.has(k.name)) problem([...at, 'name'], `two keys are named "${k.name}"`);
    names.add(k.name);
    if (b && !owners.has(k.owner)) {
      problem([...at, 'owner'], `key "${k.name}": owner "${k.owner}" is not in budgets.owners (owners: ${list(owners.keys())})`);
    }
    k.allow?.forEach((name, j) => {
      if (!routes.has(name) && !models.has(name)) {
        problem(
          [...at, 'allow', j],
          `key "${k.name}" allows "${name}", which is neither a route nor a model (routes: ${list(routes.keys())}; models: ${list(models.keys())})`,
        );
      }
    });
    const digest = digestOf([...at, 'secret'], k.secret, `key "${k.name}"`);
    // An unset env var has no digest to compare (and is already reported when secrets are required).
    if (digest.isSet) {
      const hex = digest.reveal();
      const other = digests.get(hex);
      if (other !== undefined)
        problem([...at, 'secret'], `keys "${other}" and "${k.name}" have the same secret; a call could not tell whose it is`);
      digests.set(hex, k.name);
    }
    return {
      name: k.name,
      digest,
      owner: k.owner,
      allow: k.allow && new Set(k.allow),
      workflows: k.workflows && new Set(k.workflows),
      limits: k.limits,
    };
  });
  return { budgets, keys };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function list(names: Iterable<string>): string {
  return [...names].join(', ') || 'none';
}

function mediaOnly(endpoints: ReadonlySet<string> | undefined): boolean {
  return endpoints !== undefined && [...endpoints].every((e) => MEDIA_ENDPOINTS.has(e as Endpoint));
}
