// "Issue only what you may open yourself" in the share dialog, in Chromium over
// the development bridge, against the stand-in's real RBAC: issuer-limited
// (dana) may read the signing key and see every VM, but open consoles only in
// team-a. The dialog says so as it opens, before anything is filled in.
import { expect, test } from '@playwright/test';
import { openApp, openShareDialog } from '../support/app-page.ts';
import { startDesktopStack } from '../support/desktop-stack.ts';
import type { DesktopStack } from '../support/desktop-stack.ts';

let stack: DesktopStack;

test.beforeAll(async () => {
  stack = await startDesktopStack();
});

test.afterAll(async () => {
  await stack?.close();
});

test('the share dialog for a console the issuer may not open says why before anything is filled in', async ({ page }) => {
  const problems = await openApp(page, stack.bridge.url, 'issuer-limited');
  const historyBefore = (await stack.api.listIssuedLinks()).length;
  const dialog = await openShareDialog(page, 'build-7');

  const refusal = dialog.getByRole('alert');
  await expect(refusal).toContainText("You may not open this VM's console, so you cannot share it.", { timeout: 15_000 });
  // Main's reason, with what to ask kubectl, under Details.
  const reason = refusal.getByText('the API server does not let you (context "issuer-limited") get virtualmachineinstances/vnc of "build-7" in namespace "team-b"');
  await expect(reason).toBeHidden();
  await refusal.getByText('Details', { exact: true }).click();
  await expect(reason).toBeVisible();
  await expect(reason).toContainText('kubectl auth can-i get virtualmachineinstances.subresources.kubevirt.io/build-7 --subresource=vnc -n team-b');
  // Words, not a raw API answer.
  await expect(refusal).not.toContainText('SelfSubjectAccessReview');
  await expect(refusal).not.toContainText('{');

  // Nothing to fill in, nothing to submit.
  await expect(dialog.getByRole('radio', { name: '15 minutes' })).toHaveCount(0);
  await expect(dialog.getByRole('textbox', { name: /^Label/ })).toHaveCount(0);
  await expect(dialog.getByRole('button', { name: 'Create link' })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  expect(await stack.api.listIssuedLinks()).toHaveLength(historyBefore);
  expect(problems).toEqual([]);
});

test('the same issuer shares a console they may open', async ({ page }) => {
  await openApp(page, stack.bridge.url, 'issuer-limited');
  const dialog = await openShareDialog(page, 'web-1');
  await expect(dialog.getByRole('status').filter({ hasText: 'Checking that you may share' })).toHaveCount(0, { timeout: 15_000 });
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await dialog.getByRole('radio', { name: '15 minutes' }).check();
  await dialog.getByRole('button', { name: 'Create link' }).click();
  await expect(dialog.getByRole('textbox', { name: 'Link to send' })).toHaveValue(/#token=.+&name=web-1&namespace=team-a$/, { timeout: 15_000 });
});

test('an issuer who may open only the serial console is offered only that, and the link grants only it', async ({ page }) => {
  stack.harness.cluster.objects.put({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'serial-only' },
    rules: [{ apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachineinstances/console'], verbs: ['get'] }],
  });
  stack.harness.cluster.objects.put({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dana-serial', namespace: 'team-b' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'serial-only' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'dana' }],
  });
  try {
    await openApp(page, stack.bridge.url, 'issuer-limited');
    const dialog = await openShareDialog(page, 'build-7');
    await expect(dialog.getByRole('status').filter({ hasText: 'Checking that you may share' })).toHaveCount(0, { timeout: 15_000 });
    await expect(dialog.getByRole('alert')).toHaveCount(0);
    await expect(dialog.getByRole('checkbox', { name: /^Screen/ })).toBeDisabled();
    await expect(dialog.getByRole('checkbox', { name: /^Screen/ })).not.toBeChecked();
    await expect(dialog.getByText('you may not open it yourself, so no link can')).toBeVisible();
    await expect(dialog.getByRole('checkbox', { name: /^Serial console/ })).toBeChecked();
    await dialog.getByRole('radio', { name: '15 minutes' }).check();
    await dialog.getByRole('button', { name: 'Create link' }).click();
    await expect(dialog.getByRole('textbox', { name: 'Link to send' })).toHaveValue(/#token=.+&name=build-7&namespace=team-b$/, { timeout: 15_000 });
    const [issued] = (await stack.api.listIssuedLinks()).filter((link) => link.name === 'build-7');
    expect(issued?.consoles).toEqual(['serial']);
  } finally {
    stack.harness.cluster.objects.delete('RoleBinding', 'team-b', 'dana-serial');
    stack.harness.cluster.objects.delete('ClusterRole', undefined, 'serial-only');
  }
});
