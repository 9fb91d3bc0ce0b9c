// xterm's DOM renderer writes its per-terminal CSS (theme colours, cell size,
// scrollbar) into <style> elements it creates as the terminal opens. Gatepass
// pages take styles only from their own files (style-src 'self', no
// 'unsafe-inline'), so the browser would refuse those elements and report a
// violation each time. The same rules handed to the document as constructed
// stylesheets are CSSOM, which a CSP leaves to the scripts it already trusts
// (script-src 'self'). So while the terminal opens, each <style> it asks the
// document for is a stand-in element: the text written to it becomes an adopted
// stylesheet for as long as the stand-in is in the page. Nothing else changes,
// and markup injected into the page still cannot style it.

const STAND_IN_TAG = 'gatepass-adopted-style';

function defineStandIn(view: Window & typeof globalThis): void {
  if (view.customElements.get(STAND_IN_TAG)) return;
  class AdoptedStyle extends view.HTMLElement {
    readonly #sheet = new view.CSSStyleSheet();
    #text = '';

    constructor() {
      super();
      // An own accessor: the terminal sets textContent, and the text must become rules, never a text node.
      Object.defineProperty(this, 'textContent', {
        configurable: true,
        get: () => this.#text,
        set: (value: string | null) => {
          this.#text = value ?? '';
          this.#sheet.replaceSync(this.#text);
        },
      });
    }

    connectedCallback(): void {
      const doc = this.ownerDocument;
      if (!doc.adoptedStyleSheets.includes(this.#sheet)) doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, this.#sheet];
    }

    disconnectedCallback(): void {
      const doc = this.ownerDocument;
      doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((sheet) => sheet !== this.#sheet);
    }
  }
  view.customElements.define(STAND_IN_TAG, AdoptedStyle);
}

/** Runs `build` (synchronous) with every <style> the document creates meanwhile given to it as an adopted stylesheet. */
export function withAdoptedStyles<T>(doc: Document, build: () => T): T {
  const view = doc.defaultView;
  if (view === null) throw new Error('the document has no window to define elements in');
  defineStandIn(view);
  const own = Object.getOwnPropertyDescriptor(doc, 'createElement');
  const create = doc.createElement.bind(doc) as (tagName: string, options?: ElementCreationOptions) => HTMLElement;
  Object.defineProperty(doc, 'createElement', {
    configurable: true,
    writable: true,
    value: (tagName: string, options?: ElementCreationOptions) =>
      (tagName.toLowerCase() === 'style' ? create(STAND_IN_TAG) : create(tagName, options)),
  });
  try {
    return build();
  } finally {
    if (own) Object.defineProperty(doc, 'createElement', own);
    else delete (doc as { createElement?: unknown }).createElement;
  }
}
