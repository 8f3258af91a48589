// A test upstream (not built) that speaks OpenAI's chat and completions APIs and bills every call the most the
// real API could: every answer as long as its cap allows, `n` and `best_of` answers, a token per byte of text,
// framing, a tool preamble, and images by OpenAI's tile formula at the size the test names in the image URL.
// It knows nothing of the gateway's bound, so a spend test against it checks the bound, not itself.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BillingUpstream {
  /** `http://127.0.0.1:PORT/v1` */
  readonly url: string;
  /** Calls answered, and the tokens billed for them. */
  readonly billed: { calls: number; inputTokens: number; outputTokens: number };
  close(): Promise<void>;
}

export interface BillingOptions {
  /** Each model's own output cap (what it stops at when the call sets none or a higher one). */
  readonly outputCaps: Readonly<Record<string, number>>;
}

/** An image URL this upstream bills at `width` × `height` px (any other image counts as 768 × 2048, the worst). */
export function imageUrl(width: number, height: number): string {
  return `https://images.test/${width}x${height}.png`;
}

export async function startBillingUpstream(options: BillingOptions): Promise<BillingUpstream> {
  const billed = { calls: 0, inputTokens: 0, outputTokens: 0 };
  const server: Server = createServer((req, res) => {
    void readJson(req).then((body) => {
      const path = req.url ?? '';
      const model = String(body.model);
      const chat = path.endsWith('/chat/completions');
      if (!chat && !path.endsWith('/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no such path"}}');
        return;
      }
      const cap = Math.min(asked(body, chat) ?? Number.POSITIVE_INFINITY, options.outputCaps[model] ?? 4096);
      const answers = chat ? count(body.n) : Math.max(count(body.n), count(body.best_of)) * prompts(body.prompt);
      const usage = {
        prompt_tokens: chat ? chatInput(body, model) : completionInput(body),
        completion_tokens: answers * cap,
        total_tokens: 0,
      };
      usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
      billed.calls++;
      billed.inputTokens += usage.prompt_tokens;
      billed.outputTokens += usage.completion_tokens;
      const object = chat ? 'chat.completion' : 'text_completion';
      const choices = Array.from({ length: Math.min(answers, 4) }, (_, index) =>
        chat
          ? { index, message: { role: 'assistant', content: 'billed' }, finish_reason: 'length' }
          : { index, text: 'billed', finish_reason: 'length' },
      );
      const answer = { id: `bill-${billed.calls}`, object, created: 0, model, choices, usage };
      if (body.stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = chat
        ? {
            ...answer,
            object: 'chat.completion.chunk',
            choices: [{ index: 0, delta: { content: 'billed' }, finish_reason: 'length' }],
          }
        : { ...answer, choices: [{ index: 0, text: 'billed', finish_reason: 'length' }] };
      res.write(`data: ${JSON.stringify({ ...chunk, usage: undefined })}\n\n`);
      const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
      if (streamOptions?.include_usage)
        res.write(`data: ${JSON.stringify({ ...answer, object: chunk.object, choices: [] })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    billed,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

type Body = Record<string, unknown>;

function readJson(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Body));
  });
}

/** The output limit the call sets: OpenAI reads `max_completion_tokens` over `max_tokens` on chat. */
function asked(body: Body, chat: boolean): number | undefined {
  const value = chat ? (body.max_completion_tokens ?? body.max_tokens) : (body.max_tokens ?? 16);
  return typeof value === 'number' ? value : undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && value >= 1 ? Math.ceil(value) : 1;
}

function prompts(prompt: unknown): number {
  return Array.isArray(prompt) && prompt.some((p) => typeof p !== 'number') ? prompt.length : 1;
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Every byte of text a token, 4 tokens of framing a message, 3 to prime the reply, a tool preamble, the schema, images. */
function chatInput(body: Body, model: string): number {
  let tokens = 3;
  for (const message of body.messages as Body[]) {
    tokens += 4 + (typeof message.name === 'string' ? bytes(message.name) : 0);
    const content = message.content;
    if (typeof content === 'string') tokens += bytes(content);
    else if (Array.isArray(content)) {
      for (const part of content as Body[]) {
        if (part.type === 'text') tokens += bytes(String(part.text));
        else if (part.type === 'image_url') tokens += imageTokens(part.image_url as Body, model);
      }
    }
  }
  if (Array.isArray(body.tools)) tokens += 400 + bytes(JSON.stringify(body.tools));
  if (body.response_format !== undefined) tokens += bytes(JSON.stringify(body.response_format));
  return tokens;
}

function completionInput(body: Body): number {
  const list = Array.isArray(body.prompt) && body.prompt.some((p) => typeof p !== 'number') ? body.prompt : [body.prompt];
  return list.reduce<number>((sum, p) => sum + (typeof p === 'string' ? bytes(p) : Array.isArray(p) ? p.length : 1), 0);
}

/** OpenAI's tile formula: fit in 2048², short side down to 768, base + per 512-px tile; `low` is the base. */
function imageTokens(image: Body, model: string): number {
  const [base, perTile] = model.startsWith('gpt-4o-mini') ? [2833, 5667] : [85, 170];
  if (image.detail === 'low') return base;
  const size = /\/(\d+)x(\d+)\.png$/.exec(String(image.url));
  let [w, h] = size ? [Number(size[1]), Number(size[2])] : [768, 2048];
  let scale = Math.min(1, 2048 / Math.max(w, h));
  [w, h] = [w * scale, h * scale];
  scale = Math.min(1, 768 / Math.min(w, h));
  return base + perTile * Math.ceil((w * scale) / 512) * Math.ceil((h * scale) / 512);
}
