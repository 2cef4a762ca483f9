"""What staff would notice on any screen, checked on every element rather than on named ones.

``AUDIT`` runs in the page and lists, for the part of the page under a CSS selector:
- content cut: an element or a line of text reaching past the side of a box that hides overflow,
  with no scrolling box between them to reach it;
- elements past the window's right edge with no scrolling or clipping box around them;
- icons much larger than the text beside them (an SVG with no size renders at 300x150); an SVG
  with text of its own is a drawing (a chart), not an icon;
- text under WCAG AA contrast (4.5:1, 3:1 for large text), computed from the colours in effect,
  backgrounds blended through every translucent layer up to the page; a drawing's text too;
- a drawing's shapes whose outline is under 3:1 against the page (WCAG's contrast of graphics);
- a coloured help block without the icon Wagtail indents it for;
- text touching the side border of its box (no room between the line and the border).
"""

AUDIT = r"""(selector) => {
  // Wagtail's page editor keeps its collapsed minimap off-canvas by design, until it is opened.
  const OFF_CANVAS = '.w-minimap:not(.w-minimap--expanded)';
  const problems = new Set();
  const root = document.querySelector(selector) || document.body;
  const describe = e => {
    const text = (e.innerText || e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50);
    const id = e.id ? '#' + e.id : '';
    const classes = typeof e.className === 'string' && e.className.trim()
      ? '.' + e.className.trim().split(/\s+/).slice(0, 3).join('.') : '';
    return `${e.tagName.toLowerCase()}${id}${classes} "${text}"`;
  };
  const shown = e => {
    const box = e.getBoundingClientRect(), style = getComputedStyle(e);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
      && !e.closest('[hidden], [aria-hidden=true]:not(svg), .visuallyhidden, .w-sr-only, template')
      && !e.closest(OFF_CANVAS);
  };
  const hides = value => value === 'hidden' || value === 'clip';
  const scrolls = value => value === 'auto' || value === 'scroll';
  // The nearest box that decides whether something past its side can be seen: one that hides
  // what overflows, or one that scrolls to it.
  // Wagtail's slim header (its breadcrumbs) scrolls sideways with no scrollbar to see: what it
  // cuts counts as cut.
  const scrollsVisibly = box => scrolls(getComputedStyle(box).overflowX) && !box.closest('header');
  const clipsSideways = box => hides(getComputedStyle(box).overflowX)
    || (scrolls(getComputedStyle(box).overflowX) && !scrollsVisibly(box));
  const framing = e => {
    for (let box = e.parentElement; box && box !== document.body; box = box.parentElement) {
      if (clipsSideways(box) || scrollsVisibly(box)) return box;
    }
    return null;
  };
  // What a box shows: each visible element and each line of text inside it, by its rectangle.
  const contents = box => {
    const parts = [];
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) {
        if (!node.textContent.trim() || !shown(node.parentElement)) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const rect of range.getClientRects()) parts.push([node.parentElement, rect]);
      } else if (shown(node) && !node.closest('svg') && !getComputedStyle(node).position.match(/fixed|absolute/)) {
        parts.push([node, node.getBoundingClientRect()]);
      }
    }
    return parts;
  };
  // Each line of text inside a box: its element and its rectangle.
  const textLines = box => {
    const found = [];
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || !shown(node.parentElement)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) found.push([node.parentElement, rect]);
    }
    return found;
  };
  const rgba = value => {
    const parts = value.match(/[\d.]+/g) || [0, 0, 0, 0];
    return parts.length >= 4 ? parts.slice(0, 4).map(Number) : [...parts.map(Number), 1];
  };
  const over = (top, bottom) => {
    const alpha = top[3];
    return [0, 1, 2].map(i => top[i] * alpha + bottom[i] * (1 - alpha)).concat(1);
  };
  const background = e => {
    const layers = [];
    for (let box = e; box; box = box.parentElement) {
      const colour = rgba(getComputedStyle(box).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const luminance = ([r, g, b]) => {
    const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const contrast = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const width = document.documentElement.clientWidth;
  const side = (style, edge) => parseFloat(style[`border${edge}Width`]) >= 1
    && style[`border${edge}Style`] !== 'none' && rgba(style[`border${edge}Color`])[3] > 0;
  const bordered = e => { const style = getComputedStyle(e); return side(style, 'Left') || side(style, 'Right'); };
  const nearestBordered = e => { for (let box = e; box; box = box.parentElement) if (bordered(box)) return box; return null; };
  for (const e of [root, ...root.querySelectorAll('*')]) {
    const tag = e.tagName.toLowerCase();
    const drawing = e.closest('svg') && e.closest('svg').querySelector('text');
    if (!shown(e) || (e.closest('svg') && tag !== 'svg' && !drawing)) continue;
    const style = getComputedStyle(e), box = e.getBoundingClientRect();
    if (drawing && ['rect', 'path', 'circle'].includes(tag) && style.stroke !== 'none') {
      const ratio = contrast(over(rgba(style.stroke), background(e)), background(e));
      if (ratio < 3) problems.add(`graphic contrast ${ratio.toFixed(2)}:1: ` + describe(e));
      continue;
    }
    if (clipsSideways(e) || hides(style.overflowY)) {
      const edge = e.getBoundingClientRect();
      for (const [part, rect] of contents(e)) {
        const sideways = clipsSideways(e) && (rect.right > edge.right + 1 || rect.left < edge.left - 1);
        const below = hides(style.overflowY) && (rect.bottom > edge.bottom + 1 || rect.top < edge.top - 1);
        if ((sideways || below) && !(scrollsVisibly(framing(part) || e) && framing(part) !== e)) {
          problems.add(`cut ${sideways ? 'sideways' : 'below'}: ${describe(part)} in ${describe(e)}`);
        }
      }
    }
    if (box.right > width + 1 && !framing(e)) problems.add('past the window: ' + describe(e));
    // Text that touches the side border of its box: the nearest bordered box around the text.
    if (bordered(e)) {
      const inner = {left: box.left + parseFloat(style.borderLeftWidth),
                     right: box.right - parseFloat(style.borderRightWidth)};
      for (const [part, rect] of textLines(e)) {
        if (nearestBordered(part) !== e) continue;
        if (rect.width && (rect.left - inner.left < 3 || inner.right - rect.right < 3)
            && rect.left >= inner.left - 1 && rect.right <= inner.right + 1) {
          problems.add('touching its border: ' + describe(part) + ' in ' + describe(e));
        }
      }
    }
    // Wagtail pads a help block for its icon: without one, a blank indent (plain help is w-help-text).
    if (e.matches('.help-block') && !e.querySelector(':scope > svg.icon')) {
      problems.add('help block without its icon: ' + describe(e));
    }
    if (tag === 'svg') {
      const text = parseFloat(getComputedStyle(e.parentElement).fontSize);
      if (!drawing && box.height > Math.max(2.5 * text, 40)) {
        problems.add(`icon ${Math.round(box.width)}x${Math.round(box.height)}: ` + describe(e.parentElement));
      }
      continue;
    }
    const ownText = [...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!ownText || style.opacity === '0') continue;
    const back = background(e), fore = over(rgba(tag === 'text' ? style.fill : style.color), back);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const ratio = contrast(fore, back);
    if (ratio < needed) problems.add(`contrast ${ratio.toFixed(2)}:1: ` + describe(e));
  }
  return [...problems];
}"""


def audit(page, selector="body"):
    """What ``AUDIT`` finds on ``page`` (empty: nothing a reader would trip over)."""
    return page.evaluate(AUDIT, selector)
