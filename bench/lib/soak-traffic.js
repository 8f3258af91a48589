// The soak's traffic: the kinds of call it mixes, the clients that send them, and the tally of how they ended.
import http from 'node:http';

/** The key the mock providers accept (the gateway's provider credential). */
export const UPSTREAM_KEY = 'sk-soak-upstream';
/** The gateway's client keys: `soak` has a budget it never reaches, `broke` one that refuses every call. */
export const KEYS = { soak: 'sk-soak-client', broke: 'sk-soak-broke' };

/** What each kind of call sends, and how it must end. */
export const SCENARIOS = [
  { name: 'json', weight: 6, path: '/chat/completions', body: { model: 'smart' }, expect: [200] },
  { name: 'stream', weight: 4, path: '/chat/completions', body: { model: 'smart', stream: true }, expect: [200], done: true },
  {
    name: 'translated',
    weight: 2,
    path: '/chat/completions',
    body: { model: 'claude-sonnet-4-5', stream: true },
    expect: [200],
    done: true,
  },
  { name: 'messages', weight: 2, path: '/messages', body: { model: 'claude-sonnet-4-5', max_tokens: 64 }, expect: [200] },
  { name: 'failover', weight: 3, path: '/chat/completions', body: { model: 'failing' }, expect: [200], attempts: 3 },
  {
    name: 'upstream-5xx',
    weight: 1,
    path: '/chat/completions',
    body: { model: 'gpt-4o-mini' },
    headers: { 'x-mock-status': '502' },
    expect: [502],
  },
  {
    name: 'mid-stream drop',
    weight: 2,
    path: '/chat/completions',
    body: { model: 'gpt-4o-mini', stream: true },
    headers: { 'x-mock-drop-after-chunks': '2' },
    expect: [200],
  },
  {
    name: 'hang → timeout',
    weight: 1,
    path: '/chat/completions',
    body: { model: 'gpt-4o-mini' },
    headers: { 'x-mock-fault': 'hang' },
    expect: [504],
  },
  {
    name: 'client abort',
    weight: 2,
    path: '/chat/completions',
    body: { model: 'smart', stream: true },
    headers: { 'x-mock-chunks': '20', 'x-mock-chunk-interval-ms': '30' },
    abort: true,
  },
  { name: 'budget refusal', weight: 2, path: '/chat/completions', body: { model: 'smart' }, key: KEYS.broke, expect: [429] },
];
const TOTAL_WEIGHT = SCENARIOS.reduce((sum, s) => sum + s.weight, 0);

function pick() {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const s of SCENARIOS) if ((r -= s.weight) < 0) return s;
  return SCENARIOS[0];
}

/** `concurrency` clients sending calls back to back for `ms` on one keep-alive agent; `tick` every 2 s. */
export async function traffic(url, ms, concurrency, outcomes, tick) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const until = Date.now() + ms;
  const ticker = setInterval(() => void tick(), 2000);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const scenario = pick();
        outcomes.add(scenario, await call(url, agent, scenario));
      }
    }),
  );
  clearInterval(ticker);
  agent.destroy();
}

/** One call; resolves how it ended: { status, done, attempts } or { aborted } or { error }. */
function call(url, agent, scenario) {
  const body = JSON.stringify({
    messages: [{ role: 'user', content: 'How do I oil an oak shelf?' }],
    max_tokens: 64,
    ...scenario.body,
  });
  return new Promise((resolve) => {
    const req = http.request(`${url}${scenario.path}`, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${scenario.key ?? KEYS.soak}`,
        'anthropic-version': '2023-06-01',
        ...scenario.headers,
      },
    });
    req.setTimeout(10_000, () => req.destroy(new Error('client timeout after 10 s')));
    req.on('error', (err) => resolve(scenario.abort ? { aborted: true } : { error: err.message }));
    req.on('response', (res) => {
      if (scenario.abort) {
        res.once('data', () => {
          req.destroy();
          resolve({ aborted: true });
        });
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          done: text.includes('[DONE]'),
          attempts: Number(res.headers['x-switchyard-attempts'] ?? 0),
        }),
      );
      res.on('error', (err) => resolve({ status: res.statusCode, error: err.message }));
    });
    req.end(body);
  });
}

/** Counts per scenario, and the calls that did not end as their scenario must. */
export class Outcomes {
  counts = new Map();
  /** The first 20 problems, for the report. */
  unexpected = [];
  unexpectedCount = 0;

  add(scenario, result) {
    const key = scenario.name;
    const row = this.counts.get(key) ?? { calls: 0, statuses: new Map() };
    row.calls += 1;
    const label = result.aborted ? 'aborted' : result.error ? 'error' : String(result.status);
    row.statuses.set(label, (row.statuses.get(label) ?? 0) + 1);
    this.counts.set(key, row);
    const problem = this.#problem(scenario, result);
    if (!problem) return;
    this.unexpectedCount += 1;
    if (this.unexpected.length < 20) this.unexpected.push(`${key}: ${problem}`);
  }

  #problem(scenario, result) {
    if (scenario.abort) return result.aborted ? undefined : `not aborted (${JSON.stringify(result)})`;
    if (result.error) return result.error;
    if (!scenario.expect.includes(result.status)) return `status ${result.status}, expected ${scenario.expect.join(' or ')}`;
    if (scenario.done && !result.done) return 'stream without [DONE]';
    if (scenario.attempts && result.attempts < scenario.attempts)
      return `${result.attempts} attempts, expected ${scenario.attempts}`;
    return undefined;
  }
}
