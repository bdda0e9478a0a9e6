/**
 * Newick (the PHYLIP "New Hampshire" format) writer and parser. Names that contain blanks or Newick punctuation
 * are single-quoted, a quote inside doubled ('O''Brien'). Unquoted underscores are kept as underscores, as
 * IQ-TREE, RAxML and ape do, rather than read as blanks as the 1986 standard says: FASTA ids like Homo_sapiens
 * must match the tree's leaves. Numeric internal labels are bootstrap supports; [comments] are skipped.
 * Both directions use explicit stacks: a caterpillar tree of 10,000 leaves is deeper than recursion allows.
 */
import { EXIT_DATA, RnnseqError } from '../errors.js';
import { formatDecimal } from './decimal.js';
import type { TreeNode } from './tree.js';

const BRANCH_LENGTH_DIGITS = 6;
const NEEDS_QUOTES = /[\s()[\]':;,]/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Characters that end an unquoted label: blanks and Newick punctuation. */
const LABEL_END = new Uint8Array(128);
for (const ch of " \t\n\r\v\f()[]':;,") LABEL_END[ch.charCodeAt(0)] = 1;
const BLANK = new Uint8Array(128);
for (const ch of ' \t\n\r\v\f') BLANK[ch.charCodeAt(0)] = 1;

export function formatNewick(tree: TreeNode): string {
  const out: string[] = [];
  // Post-order without recursion: a node is visited once to open it and once to close it.
  const stack: Array<{ node: TreeNode; opened: boolean }> = [{ node: tree, opened: false }];
  let first = true;
  while (stack.length > 0) {
    const top = stack.pop()!;
    const { node } = top;
    if (!top.opened) {
      if (!first && out[out.length - 1] !== '(') out.push(',');
      first = false;
      if (node.children.length > 0) {
        out.push('(');
        stack.push({ node, opened: true });
        for (let c = node.children.length - 1; c >= 0; c--) stack.push({ node: node.children[c]!, opened: false });
        continue;
      }
    } else {
      out.push(')');
    }
    out.push(nodeLabel(node));
    if (node.length !== undefined) out.push(`:${formatDecimal(node.length, BRANCH_LENGTH_DIGITS)}`);
  }
  return `${out.join('')};\n`;
}

function nodeLabel(node: TreeNode): string {
  const internal = node.children.length > 0;
  if (internal && node.support !== undefined) return formatDecimal(node.support, BRANCH_LENGTH_DIGITS);
  if (node.name === undefined) return '';
  // An internal name that looks like a number would come back as a support value: quote it.
  if (node.name === '' || NEEDS_QUOTES.test(node.name) || (internal && NUMBER.test(node.name))) {
    return `'${node.name.replaceAll("'", "''")}'`;
  }
  return node.name;
}

/** Parses one tree; `source` names the file in error messages. */
export function parseNewick(text: string, source: string): TreeNode {
  return new NewickParser(text, source).parse();
}

class NewickParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  parse(): TreeNode {
    this.skip();
    if (this.pos >= this.text.length) throw this.error('no tree (empty input)', 0);
    const open: TreeNode[] = [];
    let done: TreeNode | undefined;
    for (;;) {
      this.skip();
      if (this.peek() === '(') {
        this.pos++;
        open.push({ children: [] });
        continue;
      }
      const at = this.pos;
      const label = this.label();
      if (label === undefined) throw this.error(`expected a leaf name or '(' but found ${this.describe()}`);
      if (label.text === '') throw this.error('a leaf without a name', at);
      done = { name: label.text, children: [] };
      this.branchLength(done);
      // Close every subtree this leaf ends.
      for (;;) {
        this.skip();
        const parent = open[open.length - 1];
        if (parent === undefined) break;
        parent.children.push(done);
        if (this.peek() === ',') {
          this.pos++;
          done = undefined;
          break;
        }
        if (this.peek() !== ')') throw this.error(`expected ',' or ')' but found ${this.describe()}`);
        this.pos++;
        open.pop();
        this.internalLabel(parent);
        this.branchLength(parent);
        done = parent;
      }
      if (done !== undefined && open.length === 0) break;
    }
    this.skip();
    if (this.peek() !== ';') throw this.error(`expected ';' at the end of the tree but found ${this.describe()}`);
    this.pos++;
    this.skip();
    if (this.pos < this.text.length) throw this.error('text after the end of the tree (one tree per file)');
    return done!;
  }

  private internalLabel(node: TreeNode): void {
    const label = this.label();
    if (label === undefined || label.text === '') return;
    if (!label.quoted && NUMBER.test(label.text)) node.support = Number(label.text);
    else node.name = label.text;
  }

  private branchLength(node: TreeNode): void {
    this.skip();
    if (this.peek() !== ':') return;
    this.pos++;
    this.skip();
    const at = this.pos;
    const label = this.label();
    if (label === undefined || label.quoted || !NUMBER.test(label.text)) {
      throw this.error(`branch length after ':' must be a number, found ${label ? `'${label.text}'` : this.describe()}`, at);
    }
    node.length = Number(label.text);
  }

  /** A quoted or unquoted label at the current position; undefined when there is none. */
  private label(): { text: string; quoted: boolean } | undefined {
    this.skip();
    const start = this.pos;
    if (this.peek() === "'") {
      let text = '';
      this.pos++;
      for (;;) {
        const quote = this.text.indexOf("'", this.pos);
        if (quote < 0) throw this.error('quoted name is never closed', start);
        text += this.text.slice(this.pos, quote);
        this.pos = quote + 1;
        if (this.peek() !== "'") return { text, quoted: true };
        text += "'";
        this.pos++;
      }
    }
    while (this.pos < this.text.length && !isLabelEnd(this.text.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) return undefined;
    return { text: this.text.slice(start, this.pos), quoted: false };
  }

  /** Skips blanks and [comments] (IQ-TREE and BEAST annotations among them). */
  private skip(): void {
    for (;;) {
      while (this.pos < this.text.length && isBlank(this.text.charCodeAt(this.pos))) this.pos++;
      if (this.peek() !== '[') return;
      const close = this.text.indexOf(']', this.pos);
      if (close < 0) throw this.error("comment '[' is never closed");
      this.pos = close + 1;
    }
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private describe(): string {
    const ch = this.peek();
    return ch === undefined ? 'the end of the input' : `'${ch}'`;
  }

  private error(message: string, at = this.pos): RnnseqError {
    const where = this.source === '-' ? '<stdin>' : this.source;
    return new RnnseqError(`${where}: Newick error at character ${at + 1}: ${message}`, EXIT_DATA);
  }
}

function isLabelEnd(code: number): boolean {
  return code < 128 ? LABEL_END[code] === 1 : /\s/.test(String.fromCharCode(code));
}

function isBlank(code: number): boolean {
  return code < 128 ? BLANK[code] === 1 : /\s/.test(String.fromCharCode(code));
}
