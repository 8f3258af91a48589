// The request bodies: a typical ~1 KB OpenAI chat completion (system + a few turns + metadata).
export const ROUTED_MODEL = 'smart';
export const ROUTED_EXPECTS = 'gpt-4o-mini-2024-07-18'; // `smart` default: no rule matches the bench body
export const PINNED_MODEL = 'gpt-4o-2024-08-06';

export function chatBody(model, { stream = false } = {}) {
  const body = {
    model,
    messages: [
      {
        role: 'system',
        content:
          'You are a concise assistant for an online hardware store. Answer in at most three sentences, ' +
          'cite the product SKU when you mention a product, and never invent prices or stock levels.',
      },
      { role: 'user', content: 'Hi! I am building a bookshelf out of oak boards, 18 mm thick.' },
      {
        role: 'assistant',
        content:
          'Great project. For 18 mm oak, use 4x40 mm wood screws (SKU WS-440) pre-drilled with a 2.5 mm bit, ' +
          'and glue the joints with a PVA wood glue (SKU GL-210) for extra strength.',
      },
      {
        role: 'user',
        content:
          'Thanks. The shelves are 90 cm wide and will hold heavy art books. Do I need a centre support, or ' +
          'will the boards hold without sagging? Also, which finish would you recommend so the wood keeps ' +
          'its light colour: oil, wax or a water-based lacquer? I would like something food-safe if possible.',
      },
    ],
    max_tokens: 256,
    temperature: 0.3,
    user: 'bench-user-42',
    metadata: { priority: 'normal', workflow: 'store-assistant' },
  };
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return JSON.stringify(body);
}

/**
 * A chat body with a ~400 KB prompt (varied English-like text, about 75,000 o200k tokens): the bench's
 * `smart` route must count its tokens exactly to decide `input_tokens > 100000`, as no byte bound settles it.
 */
export function largeChatBody(model, bytes = 400 * 1024) {
  const words = ['oak', 'shelf', 'lacquer', 'ninety', 'centimetres', 'sagging', 'heavy', 'books', 'finish', 'water-based'];
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `${words[(i * 7 + (i >> 3)) % words.length]}${i % 13 === 0 ? '. ' : ' '}`;
  return JSON.stringify({ model, messages: [{ role: 'user', content: text }], max_tokens: 64 });
}
