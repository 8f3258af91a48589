// `switchyard test --reporter junit`: JUnit XML, which CI systems (GitHub Actions, GitLab, Jenkins) show per case.
import type { CaseResult, PolicyTestReport } from 'switchyard';
import { difference } from './test-text.js';

export function junitReport(report: PolicyTestReport): string {
  const errors = report.results.filter((r) => r.error !== undefined).length;
  const failures = report.failed - errors;
  const time = seconds(report.results.reduce((sum, r) => sum + r.durationMs, 0));
  const counts = `tests="${report.results.length}" failures="${failures}" errors="${errors}" time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="switchyard policy tests" ${counts}>`,
    `  <testsuite name="${attr(report.file)}" ${counts}>`,
    '    <properties>',
    `      <property name="policy" value="${attr(report.policy.source ?? '')}"/>`,
    `      <property name="policy.version" value="${attr(report.policy.version)}"/>`,
    '    </properties>',
    ...report.results.flatMap((r) => testCase(report.file, r)),
    '  </testsuite>',
    '</testsuites>',
  ].join('\n');
}

function testCase(file: string, r: CaseResult): string[] {
  const open = `    <testcase name="${attr(r.name)}" classname="${attr(file)}" file="${attr(file)}" line="${r.line}" time="${seconds(r.durationMs)}"`;
  if (r.passed) return [`${open}/>`];
  if (r.error !== undefined) {
    return [`${open}>`, `      <error message="${attr(r.error)}" type="case_error">${text(r.error)}</error>`, '    </testcase>'];
  }
  const diffs = r.mismatches.map(difference);
  return [
    `${open}>`,
    `      <failure message="${attr(diffs.join('; '))}" type="mismatch">${text(diffs.join('\n'))}</failure>`,
    '    </testcase>',
  ];
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function text(s: string): string {
  return xmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Only the characters XML 1.0 allows, even escaped: no control characters but tab and line ends, no lone surrogates. */
function xmlChars(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    const allowed =
      code === 0x09 ||
      code === 0x0a ||
      code === 0x0d ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      code >= 0x10000;
    if (allowed) out += ch;
  }
  return out;
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
