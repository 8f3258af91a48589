// What a model can do, as the policy declares it (`models.<id>.capabilities`).

export const CAPABILITIES = ['tools', 'json_schema', 'streaming', 'vision'] as const;

export type Capability = (typeof CAPABILITIES)[number];
