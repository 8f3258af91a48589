// The `workflows:` section and the `on:` transitions (of workflows and routes), validated with zod; built by
// workflows-build.ts into WorkflowConfig and Transitions.
import { z } from 'zod';
import { CAPABILITIES } from './capabilities.js';

/** The name of the workflow a call runs as when it names none (and `workflows_required` is false). */
export const DEFAULT_WORKFLOW = 'default';

/** The model name that asks for the workflow's route (`workflows.<name>.route`). */
export const AUTO_MODEL = 'auto';

// Node's timers overflow past 2^31 - 1 ms and then fire at once.
const ms = z
  .int()
  .min(1)
  .max(2 ** 31 - 1);
const name = z.string().min(1);
const usd = z.number().nonnegative().finite();

/** A workflow's name: it travels in a header and in traces. */
export const workflowName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'workflow names are letters, digits, "_", "." or "-"');

const OUTCOMES =
  'http_4xx, http_5xx, http_NNN (400-599 but 401), timeout, connect_error, schema_invalid, schema_invalid_after_retry, refusal, unsupported_input';

/** Every outcome a transition may name; 401 is left out: a refused credential moves to the provider's next one. */
export const OUTCOME_PATTERN =
  /^(http_(4xx|5xx|40[02-9]|4[1-9][0-9]|5[0-9][0-9])|timeout|connect_error|schema_invalid|schema_invalid_after_retry|refusal|unsupported_input)$/;

const outcome = z.string().regex(OUTCOME_PATTERN, `unknown outcome; outcomes: ${OUTCOMES}`);

const terminal = z.enum(['fallback', 'stop', 'stop_and_escalate']);

const action = z.union(
  [
    z
      .enum(['fallback', 'stop', 'stop_and_escalate', 'retry_same_route'])
      .describe(
        'fallback: the next allowed model; stop: the answer goes back as it is; stop_and_escalate: the same, and the record is marked escalate; retry_same_route: one more try of the same model, then stop.',
      ),
    z
      .strictObject({
        retry_same_route: z.int().min(1).max(10).describe('Tries of the same model after the first.'),
        // biome-ignore lint/suspicious/noThenProperty: a key of the policy file, never an object that is awaited
        then: terminal.optional().describe('What follows when they are spent. Default: stop.'),
      })
      .describe('Retries of the same model, then `then`.'),
  ],
  {
    error:
      'must be fallback, stop, stop_and_escalate, retry_same_route, or { retry_same_route: N (1-10), then: fallback | stop | stop_and_escalate }',
  },
);

/** An `on:` map: outcome → action. Under a workflow, and under a route. */
export const transitionsSchema = z
  .record(outcome, action)
  .describe(
    `What each outcome of an attempt leads to; an outcome left out keeps the failover section's behaviour. Outcomes: ${OUTCOMES}.`,
  );

const requirement = z.union(
  [
    z.enum(CAPABILITIES),
    z
      .strictObject({
        long_context: z.int().positive().describe('The smallest context window (tokens) a model serving the workflow may have.'),
      })
      .describe('A context window of at least this many tokens.'),
  ],
  { error: `must be one of ${CAPABILITIES.join(', ')}, or { long_context: N }` },
);

const costSchema = z
  .strictObject({
    max_request_usd: z.number().positive().finite().optional().describe("A ceiling on one call's worst-case cost."),
    monthly_usd: usd.optional().describe("USD per calendar month for the workflow's calls; goes with hard_stop."),
    hard_stop: z.boolean().optional().describe('true: refuse calls that could take spend past monthly_usd.'),
    max_run_usd: z
      .number()
      .positive()
      .finite()
      .optional()
      .describe(
        'A ceiling on one run (the calls carrying the same x-switchyard-run, per key owner): the call that could pass it gets 429 run_budget_exceeded.',
      ),
  })
  .refine((c) => (c.monthly_usd === undefined) === (c.hard_stop === undefined), {
    message: 'monthly_usd and hard_stop go together',
  })
  // The refinement, for JSON Schema.
  .meta({ dependencies: { monthly_usd: ['hard_stop'], hard_stop: ['monthly_usd'] } })
  .describe("The workflow's cost ceilings.");

const latencySchema = z
  .strictObject({
    first_token_ms: ms.optional().describe('A deadline for each attempt\'s first token; passing it is "on_timeout".'),
    p95_first_token_ms: ms.optional().describe('The objective for the 95th percentile of time to first token.'),
    timeout_ms: ms.optional().describe('The longest one call may take.'),
    on_timeout: action.optional().describe('What passing first_token_ms leads to. Default: the timeout transition.'),
  })
  .describe("The workflow's latency targets, in milliseconds.");

const workflowSchema = z
  .strictObject({
    owner: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'owner names are letters, digits, "_", "." or "-"')
      .optional()
      .describe("Who the workflow's calls are charged to; default: the client key's owner."),
    route: name
      .optional()
      .describe(`The route (a name under routes) a call of this workflow takes when it names the model "${AUTO_MODEL}".`),
    requires: z
      .array(requirement)
      .default([])
      .describe(
        'What every model serving the workflow must have (tools, json_schema, streaming, vision, reasoning, { long_context: N }).',
      ),
    fallback: z
      .strictObject({
        allowed: z
          .array(name)
          .optional()
          .describe("Models (or routes, for their default) a fallback may move to, in order; replaces the route's fallbacks."),
        blocked: z
          .array(name)
          .default([])
          .describe('Models (or routes, for every model they name) a fallback never moves to, even when a route lists them.'),
      })
      .optional()
      .describe("Where the workflow's calls may go when their model fails."),
    on: transitionsSchema.optional(),
    cost: costSchema.optional(),
    latency: latencySchema.optional(),
    risk: z.string().optional().describe('Free text, recorded with every call of the workflow as evidence.'),
  })
  .describe('A class of calls (support chat, extraction, …): what its models need, where it may fall back, its limits.');

export const workflowsSchema = z
  .record(workflowName, workflowSchema)
  .describe(
    `Workflows by name; a call names its own with the header x-switchyard-workflow or metadata.workflow. "${DEFAULT_WORKFLOW}" is the one calls without a name run as.`,
  );

export type WorkflowsDocument = z.output<typeof workflowsSchema>;
export type WorkflowDocument = WorkflowsDocument[string];
export type TransitionsDocument = z.output<typeof transitionsSchema>;
export type ActionDocument = z.output<typeof action>;
