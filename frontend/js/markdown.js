// The little Markdown the API's texts use (the terms of service: `#` headings, paragraphs,
// numbered and bulleted lists) as DOM nodes. Text only, never HTML: nothing in the text
// can become markup.

const HEADING = /^(#{1,6})\s+(.*)$/;
const NUMBERED = /^\d+\.\s+(.*)$/;
const BULLET = /^[-*]\s+(.*)$/;

/**
 * Nodes for `text`. `topLevel` is the heading level a `#` becomes (e.g. 3 inside a
 * section under an h2), so the page's heading order stays logical.
 */
export function markdownNodes(text, { topLevel = 2 } = {}) {
  const nodes = [];
  let list = null;
  let paragraph = null;
  const end = () => {
    list = null;
    paragraph = null;
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const heading = line.match(HEADING);
    const numbered = line.match(NUMBERED);
    const bullet = line.match(BULLET);
    if (!line) {
      end();
    } else if (heading) {
      end();
      const level = Math.min(6, topLevel + heading[1].length - 1);
      const node = document.createElement(`h${level}`);
      node.textContent = heading[2];
      nodes.push(node);
    } else if (numbered || bullet) {
      const tag = numbered ? 'OL' : 'UL';
      if (!list || list.tagName !== tag) {
        list = document.createElement(tag);
        nodes.push(list);
      }
      paragraph = null;
      const item = document.createElement('li');
      item.textContent = (numbered || bullet)[1];
      list.append(item);
    } else if (list && list.lastElementChild && raw.startsWith(' ')) {
      list.lastElementChild.append(` ${line}`); // a list item's continued line
    } else {
      if (!paragraph) {
        list = null;
        paragraph = document.createElement('p');
        nodes.push(paragraph);
      } else {
        paragraph.append(' ');
      }
      paragraph.append(line);
    }
  }
  return nodes;
}
