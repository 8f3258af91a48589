// An Express app that already exists, with its own routes, mounting the Switchyard stack on /v1.
import express from 'express';
import { loadPolicy, switchyard } from 'switchyard';

export async function createApp(policyFile) {
  const app = express();

  // The app's own routes, with its own body parser: they are not touched by the stack.
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  app.post('/api/notes', express.json(), (req, res) => res.status(201).json({ saved: req.body }));

  // Everything an OpenAI client sends to /v1 is routed by policy.
  app.use('/v1', switchyard(await loadPolicy(policyFile)));
  return app;
}
