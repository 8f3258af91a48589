// The demo's keys: clients' keys for the gateway, and the provider keys the mocks accept. Override any of
// them with the environment variable of the same name.
export const KEYS = {
  JAEGER_KEY_SEARCH: 'sk-jaeger-search-backend',
  JAEGER_KEY_INTERN: 'sk-jaeger-intern-laptop',
  JAEGER_OPENAI_KEY: 'sk-jaeger-openai',
  JAEGER_GROQ_KEY: 'sk-jaeger-groq',
  JAEGER_GROQ_KEY_BACKUP: 'sk-jaeger-groq-backup',
};

for (const [name, value] of Object.entries(KEYS)) process.env[name] ??= value;
