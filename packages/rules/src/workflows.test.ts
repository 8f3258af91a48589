// workflows(): the workflow a call runs as, its evidence in the record, and `auto` taking the workflow's route.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorHandler, parsePolicy, type Policy, routing } from '@switchyard/core';
import { signalCatalog, signals } from '@switchyard/signals';
import express, { type RequestHandler } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { compileRules } from './compile.js';
import { rules } from './middleware.js';
import { workflows, type WorkflowsOptions } from './workflows.js';

function policyWith(extra: string): Policy {
  return parsePolicy(
    `version: 1
providers:
  p: { format: openai, base_url: "https://p.test/v1" }
models:
  big: { provider: p }
  small: { provider: p }
routes:
  smart: { default: small, rules: [{ name: tools, if: has_tools, use: big }] }
${extra}`,
    'policy.yaml',
    { env: {} },
  );
}

const WORKFLOWS = `workflows:
  support: { route: smart, risk: "medium: customer-facing" }
  batch: {}
`;

const report: RequestHandler = (req, res) => {
  const { record } = routing(req);
  res.json({
    workflow: record.workflow,
    workflowRisk: record.workflowRisk ?? null,
    runId: record.runId ?? null,
    selection: record.selection ?? null,
    events: record.events.map((e) => [e.name, e.attributes]),
    ruleErrors: record.ruleErrors,
  });
};

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function start(policy: Policy, allowedWorkflows?: WorkflowsOptions['allowedWorkflows']): Promise<string> {
  const catalog = signalCatalog(policy);
  const compiled = compileRules(policy, catalog.types);
  const app = express();
  const wf = workflows({ policy, compiled, allowedWorkflows });
  app.post('/v1/chat/completions', signals({ catalog }), wf, rules({ compiled }), report);
  app.use(errorHandler({ onInternalError: () => {} }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
}

async function post(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('workflows()', () => {
  it('should record the workflow a call names, by header or metadata, with its risk and run', async () => {
    const url = await start(policyWith(WORKFLOWS));
    const byHeader = await post(
      url,
      { model: 'smart' },
      { 'x-switchyard-workflow': 'support', 'x-switchyard-run': 'job-42:step.1' },
    );
    expect(byHeader.json).toMatchObject({ workflow: 'support', workflowRisk: 'medium: customer-facing', runId: 'job-42:step.1' });
    const byBody = await post(url, { model: 'smart', metadata: { workflow: 'batch' } });
    expect(byBody.json).toMatchObject({ workflow: 'batch', workflowRisk: null, runId: null, events: [] });
  });

  it('should run a call naming none, or an unknown one, as default, noting the unknown name', async () => {
    const url = await start(policyWith(WORKFLOWS));
    expect((await post(url, { model: 'smart' })).json).toMatchObject({ workflow: 'default', events: [] });
    const unknown = await post(url, { model: 'smart' }, { 'x-switchyard-workflow': 'supprot' });
    expect(unknown.status).toBe(200);
    expect(unknown.json).toMatchObject({
      workflow: 'default',
      events: [['switchyard.workflow.unknown', { requested: '"supprot"' }]],
    });
  });

  it('should refuse an unknown or missing workflow with 400 unknown_workflow when the policy requires one', async () => {
    const url = await start(policyWith(`workflows_required: true\n${WORKFLOWS}`));
    const unknown = await post(url, { model: 'smart' }, { 'x-switchyard-workflow': 'supprot' });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({
      error: {
        message: 'Unknown workflow "supprot" (workflows: support, batch).',
        type: 'invalid_request_error',
        param: null,
        code: 'unknown_workflow',
      },
    });
    const missing = await post(url, { model: 'smart' });
    expect(missing.status).toBe(400);
    expect((missing.json.error as { message: string }).message).toBe(
      'This gateway needs each call to name its workflow, in the header x-switchyard-workflow or in metadata.workflow (workflows: support, batch).',
    );
    expect((await post(url, { model: 'smart', metadata: { workflow: 'batch' } })).status).toBe(200);
  });

  it('should refuse with 403 a call that would run as a workflow its key is not granted, unnamed and unknown ones as default', async () => {
    const grants: Record<string, ReadonlySet<string>> = { support: new Set(['support']), batch: new Set(['batch', 'default']) };
    const url = await start(policyWith(WORKFLOWS), (req) => grants[String(req.headers['x-test-key'])]);
    const as = (key: string | undefined, workflow?: string) =>
      post(
        url,
        { model: 'smart' },
        { ...(key && { 'x-test-key': key }), ...(workflow && { 'x-switchyard-workflow': workflow }) },
      );
    const refused = await as('support', 'batch');
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({
      error: {
        message:
          'This API key may not run calls as workflow "batch"; it may run as: support. Name one in the header x-switchyard-workflow (or metadata.workflow in a JSON body).',
        type: 'permission_error',
        param: null,
        code: 'workflow_not_allowed',
      },
    });
    expect((await as('support')).status).toBe(403);
    expect((await as('support', 'supprot')).json.error).toMatchObject({
      message: expect.stringContaining('workflow "default" (it names "supprot", which is not defined)'),
    });
    expect((await as('support', 'support')).json).toMatchObject({ workflow: 'support' });
    expect((await as('batch')).json).toMatchObject({ workflow: 'default' });
    expect((await as('batch', 'supprot')).json).toMatchObject({ workflow: 'default' });
    expect((await as(undefined, 'support')).json).toMatchObject({ workflow: 'support' });
  });

  it("should list only the key's own workflows when a required workflow is unknown", async () => {
    const grants: Record<string, ReadonlySet<string>> = { support: new Set(['support']) };
    const url = await start(
      policyWith(`workflows_required: true\n${WORKFLOWS}`),
      (req) => grants[String(req.headers['x-test-key'])],
    );
    const unknown = await post(url, { model: 'smart' }, { 'x-test-key': 'support', 'x-switchyard-workflow': 'supprot' });
    expect(unknown.json.error).toMatchObject({
      code: 'unknown_workflow',
      message: 'Unknown workflow "supprot" (workflows: support).',
    });
  });

  it("should take the workflow's route, rules included, for the generic model auto", async () => {
    const url = await start(policyWith(WORKFLOWS));
    const plain = await post(url, { model: 'auto' }, { 'x-switchyard-workflow': 'support' });
    expect(plain.json.selection).toEqual({ kind: 'route', route: 'smart', rule: 'default', model: 'small' });
    const tools = await post(
      url,
      { model: 'auto', tools: [{ type: 'function', function: { name: 'f' } }] },
      { 'x-switchyard-workflow': 'support' },
    );
    expect(tools.json.selection).toEqual({ kind: 'route', route: 'smart', rule: 'tools', model: 'big' });
  });

  it('should answer auto with 400 when the workflow names no route, and leave other models to rules()', async () => {
    const url = await start(policyWith(WORKFLOWS));
    const none = await post(url, { model: 'auto' }, { 'x-switchyard-workflow': 'batch' });
    expect(none.status).toBe(400);
    expect(none.json.error).toMatchObject({ code: 'workflow_has_no_route', param: 'model' });
    const named = await post(url, { model: 'smart' }, { 'x-switchyard-workflow': 'support' });
    expect(named.json.selection).toEqual({ kind: 'route', route: 'smart', rule: 'default', model: 'small' });
    const exact = await post(url, { model: 'big' }, { 'x-switchyard-workflow': 'support' });
    expect(exact.json.selection).toBeNull();
  });

  it('should leave auto alone when no workflow has a route (the policy may then name a route auto)', async () => {
    const url = await start(policyWith(`  auto: { default: big }\nworkflows:\n  batch: {}\n`));
    const res = await post(url, { model: 'auto' }, { 'x-switchyard-workflow': 'batch' });
    expect(res.json.selection).toEqual({ kind: 'route', route: 'auto', rule: 'default', model: 'big' });
  });

  it('should refuse a run ID that is not one', async () => {
    const url = await start(policyWith(WORKFLOWS));
    for (const bad of ['-starts-with-dash', 'has space', 'x'.repeat(129)]) {
      const res = await post(url, { model: 'smart' }, { 'x-switchyard-run': bad });
      expect(res.status, bad).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'invalid_run_id' });
    }
  });

  it('should refuse to build without a loaded policy', () => {
    expect(() => workflows({} as never)).toThrow(/options.policy must be a loaded Policy/);
  });
});
