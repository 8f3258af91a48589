// What a model can do, as the policy declares it (`models.<id>.capabilities`).

// `reasoning`: an OpenAI reasoning model (o1…, gpt-5…), which takes its output cap as `max_completion_tokens`.
export const CAPABILITIES = ['tools', 'json_schema', 'streaming', 'vision', 'reasoning'] as const;

export type Capability = (typeof CAPABILITIES)[number];
