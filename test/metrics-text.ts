// Test helpers for the metrics suites: a reader of the Prometheus text exposition format (what a scraper
// parses) and of the metric and label names a PromQL expression refers to.

/** One sample line: `name{label="value",…} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/** The samples of a Prometheus text exposition (version 0.0.4); throws on a line a scraper would reject. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fail = (why: string) => new Error(`line ${i + 1}: ${why}: ${line}`);
    const name = NAME.exec(line)?.[0];
    if (!name) throw fail('no metric name');
    let at = name.length;
    const labels: Record<string, string> = {};
    if (line[at] === '{') {
      at++;
      while (line[at] !== '}') {
        const label = NAME.exec(line.slice(at))?.[0];
        if (!label || line[at + label.length] !== '=' || line[at + label.length + 1] !== '"') throw fail('bad label');
        at += label.length + 2;
        let value = '';
        for (; line[at] !== '"'; at++) {
          if (at >= line.length) throw fail('unterminated label value');
          if (line[at] === '\\') {
            at++;
            value += line[at] === 'n' ? '\n' : line[at];
          } else value += line[at];
        }
        labels[label] = value;
        at++;
        if (line[at] === ',') at++;
        else if (line[at] !== '}') throw fail('expected , or }');
      }
      at++;
    }
    const [raw, ...rest] = line.slice(at).trim().split(/\s+/);
    const value = raw === '+Inf' ? Number.POSITIVE_INFINITY : raw === '-Inf' ? Number.NEGATIVE_INFINITY : Number(raw);
    if (raw === undefined || raw === '' || (Number.isNaN(value) && raw !== 'NaN') || rest.length > 1) throw fail('bad value');
    samples.push({ name, labels, value });
  }
  return samples;
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

/** The metric names (as a scraper stores them) and the label names a PromQL expression uses. */
export function promqlNames(expr: string): { metrics: Set<string>; labels: Set<string> } {
  const labels = new Set<string>();
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  rest = rest.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_all, list: string) => {
    for (const label of list.split(',')) if (label.trim()) labels.add(label.trim());
    return ' ';
  });
  rest = rest.replace(/\{([^}]*)\}/g, (_all, body: string) => {
    for (const m of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.add(m[1]!);
    return ' ';
  });
  rest = rest
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\w+/g, ' ')
    .replace(/\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, ' ');
  const metrics = new Set<string>();
  for (const m of rest.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const followedBy = rest.slice(m.index + m[0].length).trimStart()[0];
    if (followedBy === '(' || PROMQL_WORDS.has(m[0])) continue; // a function or an operator
    metrics.add(m[0]);
  }
  return { metrics, labels };
}
