// `node --import tsx --import ./test/support/fake-electron-hook.ts …`: every
// `import 'electron'` in that process (the built main bundle included) gets
// test/support/fake-electron.ts instead of the real module, which needs the binary.

import { register } from 'node:module';

const fake = new URL('./fake-electron.ts', import.meta.url).href;
const hook = `export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return next(${JSON.stringify(fake)}, context);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
