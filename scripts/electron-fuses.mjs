// electron-builder's afterPack hook (electron-builder.yml): flips Electron's
// fuses in the packaged binary, for every target, before anything is signed.
// What each fuse closes:
//   RunAsNode off            — ELECTRON_RUN_AS_NODE cannot turn the app into a plain
//                              Node that runs any script with the app's identity.
//   NODE_OPTIONS off         — no --require of someone else's code through the environment.
//   inspect arguments off    — no --inspect debugger attached to main, where keys live.
//   cookie encryption on     — the session's cookies are sealed with the OS keyring.
//   asar integrity on,
//   only load from asar on   — the app runs only the code it was packaged with.
// A fuse wire is read back after flipping: a hook that silently did nothing
// would ship an unfused app.
import { join } from 'node:path';
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses';

/** The fuses, by their @electron/fuses option. */
export const fuses = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
};

/** The packaged Electron executable electron-builder wrote for this target. */
export function packagedExecutable(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return join(appOutDir, `${packager.appInfo.productFilename}.app`);
  if (electronPlatformName === 'win32') return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
  return join(appOutDir, packager.executableName);
}

export default async function afterPack(context) {
  const executable = packagedExecutable(context);
  // An arm64 macOS binary must stay ad-hoc signed after its bytes change, or it will not start unsigned.
  const resetAdHocDarwinSignature = context.electronPlatformName === 'darwin' && context.arch === 3;
  await flipFuses(executable, { version: FuseVersion.V1, resetAdHocDarwinSignature, ...fuses });
  const wire = await getCurrentFuseWire(executable);
  for (const [option, wanted] of Object.entries(fuses)) {
    const state = wire[option];
    if (state !== (wanted ? 49 : 48)) {
      throw new Error(`fuse ${FuseV1Options[option]} of ${executable} is ${state === undefined ? 'missing from the wire' : String.fromCharCode(state)} after flipping; the package would ship it unset`);
    }
  }
}
