// What `switchyard check` prints for a policy that loads.
import type { CompiledPolicy } from 'switchyard';

export function summarize(file: string, { policy, catalog }: CompiledPolicy): string {
  const lines = [`${file}: OK`];
  lines.push(`  providers: ${[...policy.providers.values()].map((p) => `${p.name} (${p.format})`).join(', ') || 'none'}`);
  lines.push(`  models:    ${[...policy.models.values()].map((m) => `${m.id} -> ${m.provider}`).join(', ') || 'none'}`);
  for (const route of policy.routes.values()) {
    const rules = route.rules.map((r) => `${r.name} -> ${r.use}`).join(', ');
    const fallbacks = route.fallbacks.length > 0 ? `; fallbacks ${route.fallbacks.join(', ')}` : '; strict';
    lines.push(`  route ${route.name}: ${rules ? `${rules}, ` : ''}default -> ${route.default}${fallbacks}`);
  }
  lines.push(`  signals:   ${catalog.types.size} readable (${[...policy.signals.keys()].join(', ') || 'no'} declared)`);
  return lines.join('\n');
}
