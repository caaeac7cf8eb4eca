import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  HOTFIX_PR_SECTIONS,
  HOTFIX_QUALITY_GATES,
  checkHotfixPrBody,
  findHotfixPrSections,
  type HotfixPrSection,
} from '../src/plan.js';
import { HOTFIX_PR_TEMPLATE_PATH, hotfixPrTemplate, hotfixPrTemplateSections } from '../src/pr-template.js';

const REQUIRED = HOTFIX_PR_SECTIONS.map((section) => section.id);
const FILLED = {
  summary: 'Login fails for SSO users since v1.3.0. Resolves bd-a1b2.',
  'root-cause': 'The session cookie lost its SameSite attribute in v1.3.0.',
  fix: 'Set SameSite=None again when SSO is on.',
  testing: 'Added test/login.test.js for the SSO path; ran the full suite.',
  rollback: 'Revert the merge commit; nothing to migrate.',
};

const headings = (markdown: string): string[] =>
  markdown
    .split('\n')
    .filter((line) => line.startsWith('## '))
    .map((line) => line.slice(3));

describe('hotfixPrTemplate', () => {
  it('is what this repository keeps at .github/PULL_REQUEST_TEMPLATE/hotfix.md', () => {
    const file = readFileSync(new URL(`../../../${HOTFIX_PR_TEMPLATE_PATH}`, import.meta.url), 'utf8');
    expect(file).toBe(hotfixPrTemplate());
  });

  it("has the seed's sections, with the policy's required ones under the titles the policy names", () => {
    expect(headings(hotfixPrTemplate())).toEqual([
      'Summary',
      'Root cause',
      'Fix description',
      'Testing notes',
      'Quality gates',
      'Hotfix version',
      'Rollback procedure',
      'Merge instructions',
    ]);
    const required = hotfixPrTemplateSections().filter((section) => section.required);
    expect(required.map((section) => section.title).sort()).toEqual(HOTFIX_PR_SECTIONS.map((s) => s.title).sort());
  });

  it('left as it is, fails the policy check on exactly the required sections, each as empty', () => {
    const template = hotfixPrTemplate();
    // The check finds the required sections and nothing else: no other heading or line is taken for one.
    expect([...findHotfixPrSections(template).keys()].sort()).toEqual([...REQUIRED].sort());
    const findings = checkHotfixPrBody(template);
    expect(findings.map((finding) => finding.section).sort()).toEqual([...REQUIRED].sort());
    for (const finding of findings) expect(finding.title).toMatch(/^Hotfix policy: empty "/);
  });

  it('filled in, passes the policy check; each required section counts only for itself', () => {
    expect(checkHotfixPrBody(hotfixPrTemplate({ content: FILLED }))).toEqual([]);
    for (const id of REQUIRED) {
      const missing = checkHotfixPrBody(hotfixPrTemplate({ content: { ...FILLED, [id]: '' } }));
      expect(missing.map((finding) => finding.section)).toEqual([id]);
    }
  });

  it('lists the quality gates as a checklist, and a pasted gates report does not fill another section', () => {
    const template = hotfixPrTemplate();
    for (const gate of HOTFIX_QUALITY_GATES) expect(template).toContain(`- [ ] ${gate}\n`);
    const report = [
      '```',
      'Running Quality Gates...',
      '',
      'COVERAGE: ✓ 82% (≥80% required)',
      'TESTS: ✓ 47/47 passing',
      '```',
    ].join('\n');
    const body = hotfixPrTemplate({ content: { ...FILLED, testing: '', 'quality-gates': report } });
    expect(body).toContain('TESTS: ✓ 47/47 passing');
    expect(checkHotfixPrBody(body).map((finding) => finding.section)).toEqual(['testing']);
  });

  it('pre-fills a body: given text replaces the hint and starting text of its section', () => {
    const body = hotfixPrTemplate({ content: { 'hotfix-version': 'v1.2.4', 'merge-instructions': '1. Merge.' } });
    expect(body).toContain('## Hotfix version\n\nv1.2.4\n');
    expect(body).toContain('## Merge instructions\n\n1. Merge.\n');
    expect(body).not.toContain('2. Merge into the base branch');
    expect(body.endsWith('1. Merge.\n')).toBe(true);
  });

  it('follows custom required sections, and the check with the same sections agrees', () => {
    const sections: HotfixPrSection[] = [
      ...HOTFIX_PR_SECTIONS,
      {
        id: 'impact',
        title: 'Customer impact',
        headings: ['impact', 'customer impact'],
        keywords: ['customer impact'],
        hint: 'who was affected',
      },
    ];
    const template = hotfixPrTemplate({ sections });
    expect(headings(template).slice(0, 6)).toEqual([
      'Summary',
      'Root cause',
      'Fix description',
      'Testing notes',
      'Customer impact',
      'Quality gates',
    ]);
    expect(checkHotfixPrBody(template, sections)).toHaveLength(5);
    expect(
      checkHotfixPrBody(hotfixPrTemplate({ sections, content: { ...FILLED, impact: 'EU SSO users' } }), sections),
    ).toEqual([]);
    expect(template.replace(/\s+/g, ' ')).toContain(
      '"Root cause", "Fix description", "Testing notes", "Customer impact" and "Rollback procedure" are required',
    );
  });

  it('writes hints as HTML comments that never contain "--" and lines of about 100 columns', () => {
    const template = hotfixPrTemplate();
    const comments = [...template.matchAll(/<!--([\s\S]*?)-->/g)].map((match) => match[1]!);
    expect(comments.length).toBe(9);
    for (const text of comments) expect(text).not.toContain('--');
    for (const line of template.split('\n').filter((l) => l.startsWith('<!--') || l.startsWith('     '))) {
      expect(line.length).toBeLessThanOrEqual(104);
    }
  });
});
