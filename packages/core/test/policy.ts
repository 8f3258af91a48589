// Fixtures for the policy tests (not built: tsconfig excludes src/**/test-*.ts).

/**
 * The DESIGN.md example policy trimmed to providers/models/signals/routes. Two changes: the example's
 * `long-context` rule uses gemini-2.5-pro, which its `models` lacks, so a Gemini provider and that model
 * are added; openai's base_url carries a trailing slash, which loading must trim.
 */
export const DESIGN_POLICY = `version: 1
providers:
  openai:
    format: openai                  # openai | anthropic | gemini
    base_url: https://api.openai.com/v1/
    credentials:                    # tried in order on 429 / 5xx of the same provider
      - env: OPENAI_API_KEY
      - env: OPENAI_API_KEY_BACKUP
  anthropic: { format: anthropic, base_url: https://api.anthropic.com, credentials: [{ env: ANTHROPIC_API_KEY }] }
  groq:      { format: openai, base_url: https://api.groq.com/openai/v1, credentials: [{ env: GROQ_API_KEY }] }
  gemini:    { format: gemini, base_url: "https://generativelanguage.googleapis.com/v1beta//", credentials: [{ env: GEMINI_API_KEY }] }

models:                             # exact, versioned IDs; each pinned to exactly one provider
  gpt-4o-2024-08-06:
    provider: openai
    context_window: 128000
    capabilities: [tools, json_schema, streaming, vision]
    price: { input: 2.50, output: 10.00, cached_input: 1.25 }   # USD per 1M tokens
  claude-sonnet-4-5-20250929: { provider: anthropic, context_window: 200000, capabilities: [tools, streaming, vision], price: { input: 3, output: 15 } }
  llama-3.3-70b-versatile:    { provider: groq, context_window: 128000, capabilities: [tools, streaming], price: { input: 0.59, output: 0.79 } }
  gemini-2.5-pro:             { provider: gemini, context_window: 1048576 }

signals:                            # custom signals pulled from the request body or headers
  priority:  { from: "$.metadata.priority", type: string }
  user_tier: { from: "header:X-User-Tier", type: string }

routes:                             # the names clients send as "model"
  smart:
    default: claude-sonnet-4-5-20250929
    rules:                          # first match wins, else default
      - name: long-context
        if: input_tokens > 100000
        use: gemini-2.5-pro
      - name: schema
        if: has_schema
        use: gpt-4o-2024-08-06
      - name: burn-rate
        if: monthly_spend_pct > 0.8
        use: llama-3.3-70b-versatile
    fallbacks: [gpt-4o-2024-08-06]  # allowed other routes, in order, after retries; none = strict
`;

/** Provider keys for DESIGN_POLICY, each distinctive enough to search for in any output. */
export const DESIGN_ENV: Readonly<Record<string, string>> = {
  OPENAI_API_KEY: 'sk-openai-primary-3f9a1c',
  OPENAI_API_KEY_BACKUP: 'sk-openai-backup-77d0e2',
  ANTHROPIC_API_KEY: 'sk-ant-api03-b5c6d7',
  GROQ_API_KEY: 'gsk_groq_8e9f0a',
  GEMINI_API_KEY: 'AIza-gemini-1b2c3d',
};
