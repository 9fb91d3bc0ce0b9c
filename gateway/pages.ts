import { escapeHtml } from './http-util.ts';

// Pages carry no inline script or style (the CSP forbids both); their behaviour
// lives in the small files under gateway/static/, served at /_gatepass/.
function page(title: string, body: string, script?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Gatepass</title>
<link rel="stylesheet" href="/_gatepass/gatepass.css">
${script ? `<script src="/_gatepass/${script}" defer></script>` : ''}
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface LoginFields {
  token?: string;
  name?: string;
  namespace?: string;
}

/** kube-gateway's `/login`: a form posting to `/auth/jwt/set`, submitted by its script when all three fields are filled. */
export function loginPage(fields: LoginFields): string {
  const input = (id: keyof LoginFields, label: string, type = 'text') =>
    `<label for="${id}">${label}</label><input id="${id}" name="${id}" type="${type}" autocomplete="off" spellcheck="false" required value="${escapeHtml(fields[id] ?? '')}">`;
  return page('Open a console', `<h1>Open a VM console</h1>
<form id="login" method="post" action="/auth/jwt/set">
${input('token', 'Token', 'password')}
${input('name', 'VM name')}
${input('namespace', 'Namespace')}
<button type="submit">Open console</button>
</form>`, 'login.js');
}

/** `/open#token=…&name=…&namespace=…`: the fragment never reaches a server, so the page posts it. */
export function openPage(): string {
  return page('Opening console', `<h1>Opening the console…</h1>
<form id="open" method="post" action="/auth/jwt/set" hidden>
<input name="token" type="hidden"><input name="name" type="hidden"><input name="namespace" type="hidden">
</form>
<p id="status" role="status">Checking the link.</p>
<noscript><p>This page needs JavaScript to read the link. Use <a href="/login">the form</a> instead.</p></noscript>`, 'open.js');
}

export interface ErrorPage {
  title: string;
  detail: string;
}

export function errorPage({ title, detail }: ErrorPage): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(detail)}</p>
<p>Ask whoever sent you the link for a new one.</p>`);
}
