// Writes policy.schema.json from the zod schema the loader uses (src/policy/json-schema.ts, as built in dist/).
// Run `npm run schema -w @switchyard/core` after changing the policy's schema; commit the file it writes.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { policyJsonSchema } from '../dist/policy/json-schema.js';

const file = fileURLToPath(new URL('../policy.schema.json', import.meta.url));
writeFileSync(file, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
