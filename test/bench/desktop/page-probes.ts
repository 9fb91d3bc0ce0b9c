// Scripts that run inside Chromium, kept as plain JavaScript source: this
// project's Node type-check has no DOM, and tsx would wrap compiled functions
// in helpers the page does not have. Times are epoch milliseconds
// (performance.timeOrigin + performance.now()), comparable with the same clock
// read in Node on this machine. "Painted" is the first task after the next
// animation frame, i.e. after the frame that shows the change.

export interface Timings {
  /** When the change was in the DOM. */
  dom: number;
  /** After the frame that showed it. */
  painted: number;
}

export interface RowTimings extends Timings {
  /** The page's navigation start (performance.timeOrigin). */
  navigationStart: number;
  rows: number;
}

export interface KeyTimings extends Timings {
  /** The keydown event's own timestamp, on the same clock. */
  key: number;
}

/**
 * Init script: window.gpFirstRows resolves when the VM grid first shows a body
 * row, window.gpAllRows when it shows rows and is no longer busy (every page
 * in). Both carry the page's navigation start (performance.timeOrigin).
 */
export const WATCH_FIRST_ROWS = `
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const grid = '[role="grid"][aria-label="Virtual machines"]';
  const settled = (check, resolve) => {
    const observer = new MutationObserver(() => {
      if (!check()) return;
      observer.disconnect();
      const dom = now();
      requestAnimationFrame(() => setTimeout(() => resolve({
        dom,
        painted: now(),
        navigationStart: performance.timeOrigin,
        rows: document.querySelectorAll(grid + ' [role="row"]').length - 1,
      })));
    });
    observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-busy'] });
  };
  const hasRows = () => document.querySelector(grid + ' [role="row"][aria-rowindex="2"]') !== null;
  window.gpFirstRows = new Promise((resolve) => settled(hasRows, resolve));
  window.gpAllRows = new Promise((resolve) => settled(() => hasRows() && document.querySelector(grid)?.getAttribute('aria-busy') !== 'true', resolve));
})();`;

/**
 * Arms window.gpNextCount: the next keydown's time, then when the count
 * (".toolbar__count", "N of M VMs") starts with `expected`.
 */
export function armCountProbe(expected: string): string {
  return `(() => {
  const expected = ${JSON.stringify(expected)};
  const now = () => performance.timeOrigin + performance.now();
  const count = document.querySelector('.toolbar__count');
  if (!count) throw new Error('no .toolbar__count on the page');
  window.gpNextCount = new Promise((resolve) => {
    let key = NaN;
    document.addEventListener('keydown', (event) => { key = performance.timeOrigin + event.timeStamp; }, { capture: true, once: true });
    const observer = new MutationObserver(() => {
      if (!(count.textContent || '').startsWith(expected)) return;
      observer.disconnect();
      const dom = now();
      requestAnimationFrame(() => setTimeout(() => resolve({ key, dom, painted: now() })));
    });
    observer.observe(count, { childList: true, subtree: true, characterData: true });
  });
})()`;
}

/**
 * The baseline: the same rows rendered the naive way, every one a table row in
 * the DOM, filtered by hiding rows on each input event without any delay.
 * Evaluated in an empty page with the rows' JSON; resolves after the frame
 * that shows the table.
 */
export function renderNaiveTable(json: string): string {
  return `new Promise((resolve) => {
  const now = () => performance.timeOrigin + performance.now();
  const start = now();
  const rows = JSON.parse(${JSON.stringify(json)}).rows;
  rows.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }) || a.namespace.localeCompare(b.namespace));
  document.body.innerHTML = '';
  const search = document.createElement('input');
  search.type = 'search';
  search.setAttribute('aria-label', 'Search');
  const count = document.createElement('span');
  count.className = 'toolbar__count';
  const table = document.createElement('table');
  const body = document.createElement('tbody');
  const haystacks = [];
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const text of [row.name, row.namespace, row.status, row.ready ? 'Yes' : 'No', row.node || '—', row.ips.join(', ') || '—', row.guestOS || '—', row.createdAt]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    body.append(tr);
    haystacks.push([row.name, row.namespace, row.status, row.node || '', ...row.ips, row.guestOS || ''].join('\\n').toLowerCase());
  }
  table.append(body);
  const total = rows.length.toLocaleString('en-US');
  count.textContent = total + ' of ' + total + ' VMs';
  search.addEventListener('input', () => {
    const words = search.value.toLowerCase().split(/\\s+/).filter((w) => w !== '');
    let shown = 0;
    body.childNodes.forEach((tr, i) => {
      const match = words.every((w) => haystacks[i].includes(w));
      tr.style.display = match ? '' : 'none';
      if (match) shown += 1;
    });
    count.textContent = shown.toLocaleString('en-US') + ' of ' + total + ' VMs';
  });
  document.body.append(search, count, table);
  void table.offsetHeight;
  const dom = now();
  requestAnimationFrame(() => setTimeout(() => resolve({ start, dom, painted: now(), rows: rows.length })));
})`;
}
