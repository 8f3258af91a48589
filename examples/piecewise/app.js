// The stack piece by piece, in front of the team's own handler: Switchyard decides (signals, rules, pinning)
// and records (audit); the team's handler makes the upstream call itself, with whatever client it likes.
import { audit } from '@switchyard/audit';
import { errorHandler, loadPolicyFile, routing } from '@switchyard/core';
import { pin } from '@switchyard/pinning';
import { rules } from '@switchyard/rules';
import { signals } from '@switchyard/signals';
import express from 'express';

export async function createApp(policyFile) {
  // Each middleware takes the policy and compiles what it needs once; none needs another's output objects.
  const policy = await loadPolicyFile(policyFile);
  const app = express();
  app.post(
    '/v1/chat/completions',
    audit({ policy }), // first: every outcome is recorded as a span, a refused call included
    signals({ policy }), // reads the body once; signals are computed only when a rule asks
    rules({ policy }), // "assistant" → a model, by the first rule that holds
    pin({ policy }), // the model → its provider, exactly; an unknown model is a 404 in OpenAI's shape
    callChosenModel(policy),
  );
  app.use(errorHandler());
  return app;
}

/** The team's own handler: sends the request to the provider and model the policy chose, non-streamed. */
function callChosenModel(policy) {
  return async function teamHandler(req, res, next) {
    try {
      const { record, request } = routing(req, res);
      const { target } = record;
      const provider = policy.providers.get(target.provider);
      const model = policy.models.get(target.model);
      const upstream = await fetch(`${provider.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${provider.credentials[0].secret.reveal()}`,
        },
        body: JSON.stringify({ ...request.body, model: model.upstreamModel ?? model.id, stream: false }),
      });
      res
        .status(upstream.status)
        .set('content-type', upstream.headers.get('content-type') ?? 'application/json')
        .set('x-chosen-model', target.model)
        .send(Buffer.from(await upstream.arrayBuffer()));
    } catch (err) {
      next(err);
    }
  };
}
