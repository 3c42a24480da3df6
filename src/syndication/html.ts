import type { Block } from '../resources/articles/schemas.js';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Block text is plain text by contract: every character that means something in HTML is
 * escaped, in text and attribute position alike, so a headline like `<script>` or `AT&amp;T`
 * reaches a partner's page as the very characters the editor typed.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function blockHtml(block: Block): string {
  switch (block.type) {
    case 'paragraph':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'heading':
      return `<h2>${escapeHtml(block.text)}</h2>`;
    case 'blockquote': {
      const quote = `<blockquote><p>${escapeHtml(block.text)}</p></blockquote>`;
      // HTML puts a quotation's attribution outside the blockquote: a figure with a caption.
      return block.attribution
        ? `<figure>${quote}<figcaption>${escapeHtml(block.attribution)}</figcaption></figure>`
        : quote;
    }
  }
}

/** The body as an HTML fragment, one element per block, everything from the text escaped. */
export function bodyHtml(body: readonly Block[]): string {
  return body.map(blockHtml).join('\n');
}

/** The body as plain text: blocks separated by a blank line, attributions after a dash. */
export function bodyText(body: readonly Block[]): string {
  return body
    .map((b) => (b.type === 'blockquote' && b.attribution ? `${b.text} — ${b.attribution}` : b.text))
    .join('\n\n');
}
