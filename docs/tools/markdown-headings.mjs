// A markdown-it rule for the docs site (typedoc's `markdownItLoader`, see typedoc.config.mjs).
//
// typedoc builds a heading's anchor and its "On this page" entry from the heading's plain text
// only, so a heading such as "## `paykit demo`" gets the anchor `_` and an empty entry, and links
// written for GitHub (#paykit-demo) fail typedoc's link check. This rule keeps inline code in
// headings as code but hands its text to typedoc as text: anchors then match GitHub's.

/** Splits each inline code span of a heading into `<code>`, its text, `</code>`. */
function headingCode(state) {
  const tokens = state.tokens;
  for (let i = 1; i < tokens.length; i++) {
    if (tokens[i].type !== 'inline' || tokens[i - 1].type !== 'heading_open' || !tokens[i].children) continue;
    tokens[i].children = tokens[i].children.flatMap((child) => {
      if (child.type !== 'code_inline') return [child];
      const open = new state.Token('html_inline', '', 0);
      open.content = '<code>';
      const text = new state.Token('text', '', 0);
      text.content = child.content;
      const close = new state.Token('html_inline', '', 0);
      close.content = '</code>';
      return [open, text, close];
    });
  }
}

/** Installs the rule on typedoc's markdown-it instance. */
export function markdownHeadings(md) {
  md.core.ruler.push('paykit_heading_code', headingCode);
}
