// What attempt spans say about each provider of the policy, worked out once per audit() factory.
import type { Policy, ProviderFormat } from '@switchyard/core';
import { GEN_AI_PROVIDER_ANTHROPIC, GEN_AI_PROVIDER_GCP_GEMINI, GEN_AI_PROVIDER_OPENAI } from './attributes.js';

export interface ProviderFacts {
  /** `gen_ai.provider.name`: the vendor whose API the provider speaks. */
  readonly system: string;
  /** Host and port of the base URL only: a URL may carry secrets in its user info or query. */
  readonly address?: string;
  readonly port?: number;
}

const SYSTEMS: Readonly<Record<ProviderFormat, string>> = {
  openai: GEN_AI_PROVIDER_OPENAI,
  anthropic: GEN_AI_PROVIDER_ANTHROPIC,
  gemini: GEN_AI_PROVIDER_GCP_GEMINI,
};

export function genAiProvider(format: ProviderFormat): string {
  return SYSTEMS[format];
}

export function providerFacts(policy: Policy | undefined): ReadonlyMap<string, ProviderFacts> {
  const facts = new Map<string, ProviderFacts>();
  for (const provider of policy?.providers.values() ?? []) {
    const system = genAiProvider(provider.format);
    let url: URL;
    try {
      url = new URL(provider.baseUrl);
    } catch {
      facts.set(provider.name, { system });
      continue;
    }
    const address = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    facts.set(provider.name, { system, address, port });
  }
  return facts;
}
