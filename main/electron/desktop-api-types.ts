// The main-side contract the Electron glue is written against, from main's
// implementation (main/desktop-api-impl.ts): the glue takes it as a parameter,
// so tests pass a fake and the app passes createDesktopApi's result.

export type { ConsoleChannel, DesktopApiImpl, KeyValueStore, Platform, TrayModel } from '../desktop-api-impl.ts';
