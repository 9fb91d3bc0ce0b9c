// The `vnc://` URL a desktop's VNC client handler is launched with. Only a
// loopback port can be named this way (a Unix socket has no vnc:// form), and
// the one-time password never goes into it: a handler is started with the URL
// on its command line, where every local user can read it, and the password is
// what keeps those users off the port. The person types it when the client asks.

const LOOPBACK_ADDRESS = /^127\.0\.0\.1:([1-9]\d{0,4})$/;
const LAUNCH_URL = /^vnc:\/\/127\.0\.0\.1:([1-9]\d{0,4})$/;

const isPort = (text: string | undefined): boolean => text !== undefined && Number(text) <= 65535;

/** `vnc://127.0.0.1:PORT` for a loopback bridge address; undefined for anything else (a Unix socket). */
export function vncLaunchUrl(address: string): string | undefined {
  const port = LOOPBACK_ADDRESS.exec(address)?.[1];
  return isPort(port) ? `vnc://127.0.0.1:${port}` : undefined;
}

/** Whether a URL is one vncLaunchUrl makes: what a platform may hand to the vnc:// handler, and nothing else. */
export function isVncLaunchUrl(url: string): boolean {
  return isPort(LAUNCH_URL.exec(url)?.[1]);
}
