// The instrumentation scope of every span and metric: this package's own name and version.
import { createRequire } from 'node:module';

const manifest = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export const SCOPE_NAME: string = manifest.name;
export const SCOPE_VERSION: string = manifest.version;
