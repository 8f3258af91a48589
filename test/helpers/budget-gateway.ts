// Test helper (not built): the whole stack from a policy with budgets, on a free loopback port, keeping
// every request's routing record, with a close() that also closes the budget store.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { routing, type RoutingRecord } from '@switchyard/core';
import express from 'express';
import { compilePolicy, parsePolicy, switchyard, type CompiledPolicy, type CompileOptions } from 'switchyard';

export interface Exchange {
  readonly record: RoutingRecord;
  /** Resolves after the response closed and the budget settled it. */
  readonly settled: Promise<void>;
}

export interface BudgetGateway {
  /** `http://127.0.0.1:PORT/v1` */
  readonly url: string;
  readonly compiled: CompiledPolicy;
  readonly exchanges: Exchange[];
  /** The last request's record, once it is settled. */
  lastRecord(): Promise<RoutingRecord>;
  /** Every request's settlement so far. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface BudgetGatewayOptions extends CompileOptions {
  readonly yaml: string;
  readonly env?: Readonly<Record<string, string>>;
}

export async function startBudgetGateway(options: BudgetGatewayOptions): Promise<BudgetGateway> {
  const { yaml, env = {}, ...compileOptions } = options;
  const compiled = compilePolicy(parsePolicy(yaml, 'budget-policy.yaml', { env }), compileOptions);
  const exchanges: Exchange[] = [];
  const app = express();
  app.use((req, res, next) => {
    const { record } = routing(req);
    // The budget starts settling on the turn after 'close'; one turn later its store call is under way.
    const settled = new Promise<void>((resolve) => res.once('close', () => setImmediate(() => setImmediate(resolve)))).then(() =>
      compiled.budget.idle(),
    );
    exchanges.push({ record, settled });
    next();
  });
  app.use('/v1', switchyard(compiled, { onInternalError: () => {} }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    compiled,
    exchanges,
    async lastRecord() {
      const last = exchanges.at(-1);
      if (!last) throw new Error('test: no request reached the gateway');
      await last.settled;
      return last.record;
    },
    async settled() {
      await Promise.all(exchanges.map((e) => e.settled));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await compiled.budget.shutdown();
    },
  };
}

/** A chat completion POSTed with `key` (if any); the parsed body, status and headers. */
export async function chat(
  url: string,
  body: Record<string, unknown>,
  key?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Hello!' }], ...body }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}
