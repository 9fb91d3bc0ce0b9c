// Where the app's own renderer lives — the built index.html as a file: URL, or
// the dev server in development — and whether a frame's URL is that renderer.
// Every IPC handler asks this before doing anything.

import { pathToFileURL } from 'node:url';

export type RendererLocation =
  | { kind: 'file'; indexHtml: string; url: string }
  | { kind: 'dev-server'; url: string; origin: string };

export function rendererLocation(options: { indexHtml: string; devServerUrl?: string }): RendererLocation {
  if (options.devServerUrl) {
    const url = new URL(options.devServerUrl);
    if (url.protocol !== 'http:' || !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
      throw new Error(`the renderer dev server must be http on loopback, not ${JSON.stringify(options.devServerUrl)}`);
    }
    return { kind: 'dev-server', url: url.href, origin: url.origin };
  }
  return { kind: 'file', indexHtml: options.indexHtml, url: pathToFileURL(options.indexHtml).href };
}

/** True only for the app's own page (any fragment or query, since the app routes with them). */
export function isAppFrameUrl(frameUrl: string | undefined | null, location: RendererLocation): boolean {
  if (typeof frameUrl !== 'string' || frameUrl === '') return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  if (location.kind === 'dev-server') return url.origin === location.origin;
  if (url.protocol !== 'file:' || url.host !== '') return false;
  url.hash = '';
  url.search = '';
  return url.href === location.url;
}
