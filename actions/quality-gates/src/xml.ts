// A small, strict XML reader for report files (Cobertura, JUnit): elements and attributes only.
// Report XML is machine-written and plain, so a full parser (and a dependency) would buy nothing;
// what matters is that a truncated or garbled file is refused with the line where it breaks,
// instead of being read as "0 tests" or "0 % covered".

/** An element: its name, attributes (entities decoded) and child elements; text is dropped. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

/** A file that is not well-formed XML; `line` is 1-based. */
export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`${message} (line ${line})`);
    this.name = 'XmlSyntaxError';
  }
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_.:]*/y;
const SPACE = /\s*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string, lineAt: () => number): string {
  return text.replace(/&([^;\s&]{1,10});|&/g, (match, entity: string | undefined) => {
    if (entity === undefined) throw new XmlSyntaxError('a bare "&" (write &amp;)', lineAt());
    if (entity in ENTITIES) return ENTITIES[entity]!;
    const code = /^#x([0-9a-f]+)$/i.exec(entity)?.[1] ?? /^#([0-9]+)$/.exec(entity)?.[1];
    if (code !== undefined) {
      const value = entity.startsWith('#x') || entity.startsWith('#X') ? parseInt(code, 16) : parseInt(code, 10);
      if (value > 0 && value <= 0x10ffff) return String.fromCodePoint(value);
    }
    throw new XmlSyntaxError(`an unknown entity ${match}`, lineAt());
  });
}

/**
 * Parses an XML document into its root element. Comments, processing instructions, a DOCTYPE and
 * CDATA are skipped; throws {@link XmlSyntaxError} for anything not well-formed (an unclosed or
 * mismatched tag, a broken attribute, text or a second element after the root, an empty file).
 */
export function parseXml(text: string): XmlElement {
  const source = text.replace(/^\uFEFF/, '');
  let pos = 0;
  const lineAt = (at = pos): number => {
    let line = 1;
    for (let i = source.indexOf('\n'); i >= 0 && i < at; i = source.indexOf('\n', i + 1)) line++;
    return line;
  };
  const fail = (message: string, at = pos): never => {
    throw new XmlSyntaxError(message, lineAt(at));
  };
  const skipPast = (marker: string, what: string): void => {
    const end = source.indexOf(marker, pos);
    if (end < 0) fail(`an unclosed ${what}`);
    pos = end + marker.length;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const match = NAME.exec(source);
    if (match === null) return fail('a tag without a valid name');
    pos = NAME.lastIndex;
    return match[0];
  };
  const skipSpace = (): void => {
    SPACE.lastIndex = pos;
    SPACE.exec(source);
    pos = SPACE.lastIndex;
  };

  let root: XmlElement | undefined;
  const stack: XmlElement[] = [];
  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    const textEnd = lt < 0 ? source.length : lt;
    if (stack.length === 0 && source.slice(pos, textEnd).trim() !== '') {
      fail(root === undefined ? 'text before the root element' : 'text after the root element');
    }
    if (lt < 0) break;
    pos = lt;
    if (source.startsWith('<!--', pos)) {
      skipPast('-->', 'comment');
    } else if (source.startsWith('<![CDATA[', pos)) {
      if (stack.length === 0) fail('CDATA outside the root element');
      skipPast(']]>', 'CDATA section');
    } else if (source.startsWith('<?', pos)) {
      skipPast('?>', 'processing instruction');
    } else if (source.startsWith('<!DOCTYPE', pos)) {
      if (root !== undefined) fail('a DOCTYPE after the root element');
      // An internal subset ([…]) may hold ">" characters: skip to its "]" first.
      const bracket = source.indexOf('[', pos);
      const close = source.indexOf('>', pos);
      if (bracket >= 0 && close >= 0 && bracket < close) {
        pos = bracket;
        skipPast(']', 'DOCTYPE');
      }
      skipPast('>', 'DOCTYPE');
    } else if (source.startsWith('</', pos)) {
      const start = pos;
      pos += 2;
      const name = readName();
      skipSpace();
      if (source[pos] !== '>') fail(`a broken end tag </${name}`, start);
      pos++;
      const open = stack.pop();
      if (open === undefined) fail(`an end tag </${name}> without a start tag`, start);
      if (open!.name !== name) fail(`</${name}> closes <${open!.name}>`, start);
    } else {
      const start = pos;
      pos++;
      const element: XmlElement = { name: readName(), attributes: {}, children: [] };
      for (;;) {
        const before = pos;
        skipSpace();
        if (source.startsWith('/>', pos) || source[pos] === '>') break;
        if (pos === before) fail(`a broken tag <${element.name}`, start);
        const attribute = readName();
        skipSpace();
        if (source[pos] !== '=') fail(`attribute ${attribute} of <${element.name}> has no value`);
        pos++;
        skipSpace();
        const quote = source[pos];
        if (quote !== '"' && quote !== "'") fail(`attribute ${attribute} of <${element.name}> is not quoted`);
        const end = source.indexOf(quote!, pos + 1);
        if (end < 0) fail(`attribute ${attribute} of <${element.name}> is not closed`);
        const raw = source.slice(pos + 1, end);
        if (raw.includes('<')) fail(`attribute ${attribute} of <${element.name}> contains "<"`);
        if (attribute in element.attributes) fail(`attribute ${attribute} repeated in <${element.name}>`);
        element.attributes[attribute] = decodeEntities(raw, () => lineAt(pos));
        pos = end + 1;
      }
      if (pos >= source.length) fail(`an unclosed tag <${element.name}`, start);
      const selfClosing = source[pos] === '/';
      pos += selfClosing ? 2 : 1;
      const parent = stack.at(-1);
      if (parent !== undefined) parent.children.push(element);
      else if (root === undefined) root = element;
      else fail(`a second root element <${element.name}>`, start);
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length > 0) fail(`<${stack.at(-1)!.name}> is never closed (the file may be cut short)`, source.length);
  if (root === undefined) fail('no root element (the file is empty or not XML)', source.length);
  return root!;
}

/** Every element named `name` below `element` (depth first, document order), not `element` itself. */
export function xmlDescendants(element: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (node: XmlElement): void => {
    for (const child of node.children) {
      if (child.name === name) found.push(child);
      walk(child);
    }
  };
  walk(element);
  return found;
}
