// The hotfix pull request template (hotfix-workflow 6.7, hotfix-rules II.C), built from the same
// section definitions the policy check reads, so that a template filled in always passes the check
// and a template left as it is never does. Pure text: writing the file is the caller's business.
import { HOTFIX_PR_SECTIONS, HOTFIX_QUALITY_GATES, type HotfixPrSection } from './plan.js';

/** Where this repository keeps the template, and where `hotfix init` writes it (`?template=hotfix.md` picks it). */
export const HOTFIX_PR_TEMPLATE_PATH = '.github/PULL_REQUEST_TEMPLATE/hotfix.md';

/** One section of the template. */
export interface HotfixPrTemplateSection {
  id: string;
  /** The heading text. */
  title: string;
  /** What to write, shown as an HTML comment (invisible once rendered, ignored by the policy check). */
  hint: string;
  /** True for the sections the policy check requires (II.C). */
  required: boolean;
  /** Text the section starts with, visible (the quality gates checklist, the merge steps). */
  body?: string;
}

/** The sections the template adds around the required ones, in the seed's order of 6.7. */
const FRAME: Readonly<Record<string, Omit<HotfixPrTemplateSection, 'id' | 'required'>>> = {
  summary: {
    title: 'Summary',
    hint:
      'What is broken, for whom, and since when. Name the one ticket this hotfix is for with a closing ' +
      'reference ("Resolves <ticket id>"): one ticket per hotfix.',
  },
  'quality-gates': {
    title: 'Quality gates',
    hint:
      'Tick each gate once it passes, or paste the "Running Quality Gates..." report of the quality-gates ' +
      'action inside a ``` code block.',
  },
  'hotfix-version': {
    title: 'Hotfix version',
    hint: 'The version this hotfix releases, as version-bump computes it: v1.2.4, or v1.3.0-hotfix.1.',
  },
  'merge-instructions': {
    title: 'Merge instructions',
    hint: 'Anything reviewers must do beyond these steps (a migration, a flag to flip, an order of merges).',
    body: [
      '1. Review the fix and its regression test.',
      '2. Merge into the base branch: the release branch for an emergency or release-first hotfix, trunk for trunk-first.',
      '3. Tag the hotfix version on the merge commit.',
      '4. Forward-port (or backport) to the branches hotfix-plan lists, then close the ticket.',
    ].join('\n'),
  },
};

// Where the required sections go among the others: the seed's order, with the rollback procedure
// (which 6.7 leaves out and II.C asks for) before the merge instructions.
const BEFORE_QUALITY_GATES = new Set(['root-cause', 'fix', 'testing']);

/**
 * The template's sections in order: summary, the required sections (root cause, fix description,
 * testing notes), quality gates, hotfix version, rollback procedure, merge instructions. Required
 * sections come from `sections` (the policy's, {@link HOTFIX_PR_SECTIONS}, by default); any the template
 * does not know are placed after testing.
 */
export function hotfixPrTemplateSections(
  sections: readonly HotfixPrSection[] = HOTFIX_PR_SECTIONS,
  qualityGates: readonly string[] = HOTFIX_QUALITY_GATES,
): HotfixPrTemplateSection[] {
  const frame = (id: string): HotfixPrTemplateSection => ({ id, required: false, ...FRAME[id]! });
  const required = sections.map((section): HotfixPrTemplateSection => ({
    id: section.id,
    title: section.title,
    hint: `Required: ${section.hint}.`,
    required: true,
  }));
  const early = required.filter((section) => section.id !== 'rollback');
  const late = required.filter((section) => section.id === 'rollback');
  early.sort((a, b) => Number(!BEFORE_QUALITY_GATES.has(a.id)) - Number(!BEFORE_QUALITY_GATES.has(b.id)));
  const gates = frame('quality-gates');
  gates.body = qualityGates.map((gate) => `- [ ] ${gate}`).join('\n');
  return [frame('summary'), ...early, gates, frame('hotfix-version'), ...late, frame('merge-instructions')];
}

/** Options of {@link hotfixPrTemplate}. */
export interface HotfixPrTemplateOptions {
  /** The required sections (default {@link HOTFIX_PR_SECTIONS}, what the policy check asks for). */
  sections?: readonly HotfixPrSection[];
  /** The checklist of the quality gates section (default {@link HOTFIX_QUALITY_GATES}). */
  qualityGates?: readonly string[];
  /**
   * Text for sections by id (`root-cause`, `quality-gates`, `hotfix-version` …), in place of the hint and
   * starting text: how `hotfix finish` pre-fills a body. Blank text leaves the section as in the template.
   */
  content?: Readonly<Record<string, string>>;
}

// An HTML comment wrapped at about 100 columns, so that the file reads well in an editor too.
function comment(text: string): string {
  // "--" cannot appear inside an HTML comment; a hint never needs it.
  const words = `<!-- ${text.replace(/--+/g, '-')} -->`.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && line.length + 1 + word.length > 100) {
      lines.push(line);
      line = `     ${word}`;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

/**
 * The hotfix pull request template as Markdown: one `##` heading per section, each with its hint as an
 * HTML comment. Unfilled, the required sections are empty, so the policy check reports each one until
 * it is written; with `content`, a pre-filled pull request body.
 */
export function hotfixPrTemplate(options: HotfixPrTemplateOptions = {}): string {
  const sections = hotfixPrTemplateSections(options.sections, options.qualityGates);
  const required = sections.filter((section) => section.required).map((section) => `"${section.title}"`);
  const list = required.length > 1 ? `${required.slice(0, -1).join(', ')} and ${required.at(-1)!}` : required[0];
  const lines = [
    comment(
      `Hotfix pull request (hotfix-rules II.C). ${list ?? 'No section'} ${required.length === 1 ? 'is' : 'are'} ` +
        'required: the hotfix policy check fails while one is missing or left empty. Replace each comment with ' +
        'your text; comments are not read by the check.',
    ),
    '',
  ];
  for (const section of sections) {
    const given = options.content?.[section.id];
    lines.push(`## ${section.title}`, '');
    if (given !== undefined && given.trim() !== '') {
      lines.push(given.trim(), '');
      continue;
    }
    lines.push(comment(section.hint), '');
    if (section.body !== undefined) lines.push(section.body, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
