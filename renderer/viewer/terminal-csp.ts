// xterm's DOM renderer styles the page in two ways a strict CSP (style-src
// 'self', no 'unsafe-inline') refuses: <style> elements as the terminal opens
// (see adopted-styles.ts), and a style attribute written as markup
// (setAttribute('style', …)) on the cells of a selection or in 24-bit colour.
// The same declarations set through CSSOM (element.style) are script's, which
// the CSP allows. xterm has no option for either, so the terminal is opened
// with its <style> elements adopted, and its row builder's one method that
// writes style attributes is replaced on this terminal alone. Should a later
// xterm move that method, nothing is replaced, the cells lose only that colour,
// and the end-to-end check for CSP violations fails on the upgrade.

import type { Terminal } from '@xterm/xterm';
import { withAdoptedStyles } from './adopted-styles.ts';

interface RowStyler {
  _addStyle: (element: HTMLElement, style: string) => void;
}

interface TerminalInternals {
  _core?: { _renderService?: { _renderer?: { value?: { _rowFactory?: Partial<RowStyler> } } } };
}

function styleCellsThroughCssom(terminal: Terminal): void {
  const rows = (terminal as unknown as TerminalInternals)._core?._renderService?._renderer?.value?._rowFactory;
  if (typeof rows?._addStyle !== 'function') return;
  rows._addStyle = (element, style) => {
    element.style.cssText = `${element.style.cssText}${style};`;
  };
}

/** Opens the terminal in `parent` without a style the page's CSP would refuse. */
export function openWithinCsp(terminal: Terminal, parent: HTMLElement): void {
  withAdoptedStyles(parent.ownerDocument, () => terminal.open(parent));
  styleCellsThroughCssom(terminal);
}
