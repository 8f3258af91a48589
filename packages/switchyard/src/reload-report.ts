// How a reload is told: a span (`switchyard.policy.reload`), and a line for people (stdout, or stderr with
// every problem when the new policy was rejected).
import { SpanStatusCode, trace, type TracerProvider } from '@opentelemetry/api';
import { ATTR_POLICY_VERSION } from '@switchyard/audit';
import type { PolicyProblem } from '@switchyard/core';
import { createRequire } from 'node:module';

/** The span of one reload attempt. */
export const SPAN_POLICY_RELOAD = 'switchyard.policy.reload';
/** The event on a rejected reload's span, one per problem (`file`, `line`, `column`, `message`). */
export const EVENT_POLICY_PROBLEM = 'switchyard.policy.problem';
/** The policy file. */
export const ATTR_POLICY_SOURCE = 'switchyard.policy.source';
/** The version served before the reload (after it, too, when it was rejected). */
export const ATTR_POLICY_PREVIOUS_VERSION = 'switchyard.policy.previous_version';
/** What asked for the reload: `watch`, `signal` (SIGHUP) or `api` (`gateway.reload()`). */
export const ATTR_POLICY_RELOAD_TRIGGER = 'switchyard.policy.reload.trigger';
/** Whether the new version now serves. */
export const ATTR_POLICY_RELOAD_OK = 'switchyard.policy.reload.ok';

/** What asked for a reload. */
export type ReloadTrigger = 'watch' | 'signal' | 'api';

/** How one reload attempt ended. */
export type ReloadResult =
  | {
      readonly ok: true;
      /** The version now served. */
      readonly version: string;
      readonly previousVersion: string;
      /** `false` when the file held the version already served: nothing was rebuilt. */
      readonly changed: boolean;
      readonly trigger: ReloadTrigger;
    }
  | {
      readonly ok: false;
      /** The rejected file's version; `null` when it could not be read. */
      readonly version: string | null;
      /** The version still served. */
      readonly previousVersion: string;
      /** Every problem, one `file:line:column: cause` per line, or why the file could not be read or served. */
      readonly message: string;
      readonly problems: readonly PolicyProblem[];
      readonly trigger: ReloadTrigger;
    };

const manifest = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

/** Records one reload attempt as a span of its own, with one event per problem when it was rejected. */
export function reloadSpan(provider: TracerProvider | undefined, source: string, result: ReloadResult): void {
  const tracer = (provider ?? trace.getTracerProvider()).getTracer(manifest.name, manifest.version);
  const span = tracer.startSpan(SPAN_POLICY_RELOAD, {
    attributes: {
      [ATTR_POLICY_SOURCE]: source,
      [ATTR_POLICY_PREVIOUS_VERSION]: result.previousVersion,
      [ATTR_POLICY_RELOAD_TRIGGER]: result.trigger,
      [ATTR_POLICY_RELOAD_OK]: result.ok,
      ...(result.version === null ? {} : { [ATTR_POLICY_VERSION]: result.version }),
    },
  });
  if (!result.ok) {
    for (const p of result.problems) {
      span.addEvent(EVENT_POLICY_PROBLEM, { file: p.file, line: p.line, column: p.column, message: p.message });
    }
    span.setStatus({ code: SpanStatusCode.ERROR, message: result.message });
  }
  span.end();
}

/** The line(s) people read: where a reload went, or every problem of a rejected one. */
export function reloadLog(source: string, result: ReloadResult): { stream: 'stdout' | 'stderr'; text: string } {
  if (result.ok) {
    const what = result.changed ? `${result.previousVersion} -> ${result.version}` : `${result.version} unchanged`;
    return { stream: 'stdout', text: `switchyard: policy reloaded (${result.trigger}): ${source} ${what}` };
  }
  const head = `switchyard: policy reload rejected (${result.trigger}), still serving ${result.previousVersion}:`;
  return { stream: 'stderr', text: `${head}\n${result.message}` };
}
