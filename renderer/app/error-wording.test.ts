import { describe, expect, it } from 'vitest';
import type { DesktopError } from '../../shared/desktop-api.ts';
import { attempts, explainError } from './error-wording.ts';

const CODES: DesktopError['code'][] = ['invalid-input', 'not-found', 'forbidden', 'unauthorized', 'unreachable', 'kubeconfig', 'gateway', 'unsupported', 'internal'];

// What the API server says, which must never be the sentence itself.
const RAW = 'virtualmachineinstances.subresources.kubevirt.io "testvm" is forbidden: User "alice" cannot get resource';

describe('explainError', () => {
  it('gives every attempt one sentence for every code, without the raw text', () => {
    for (const attempt of attempts) {
      for (const code of CODES) {
        const sentence = explainError(attempt, { code, message: RAW } as DesktopError);
        expect(sentence, `${attempt} × ${code}`).toMatch(/^[A-Z].*[.?)]$/);
        // One sentence: no full stop followed by another sentence, no line breaks.
        expect(sentence, `${attempt} × ${code}`).not.toMatch(/\.\s+[A-Z]|\n/);
        expect(sentence).not.toContain('forbidden:');
        expect(sentence).not.toContain('User "');
      }
    }
  });

  it('tells the codes apart within an attempt', () => {
    for (const attempt of attempts) {
      const sentences = new Set(CODES.map((code) => explainError(attempt, { code })));
      expect(sentences.size, attempt).toBe(CODES.length);
    }
  });

  it('says what a refusal means for the person', () => {
    expect(explainError('screenshot', { code: 'forbidden' })).toBe('You may not take screenshots of this VM.');
    expect(explainError('list-vms', { code: 'forbidden' })).toBe('You may not list the VMs in this context.');
    expect(explainError('revoke-link', { code: 'forbidden' })).toBe('You may not revoke links in this cluster.');
    expect(explainError('console-openings', { code: 'forbidden' })).toBe("You may not read who opened this VM's console.");
  });

  it('says what the person was doing when the code alone is general', () => {
    expect(explainError('screenshot', { code: 'unreachable' })).toBe('Could not take a screenshot of this VM: the cluster cannot be reached right now.');
    expect(explainError('find-gateway', { code: 'unreachable' })).toBe("Could not find this cluster's gateway: the gateway cannot be reached right now.");
    expect(explainError('load-links', { code: 'unreachable' })).toBe('Could not load the issued links: the development bridge cannot be reached right now.');
    expect(explainError('list-vms', { code: 'unauthorized' })).toBe('The cluster did not accept your credentials (they may have expired), so Gatepass could not list the VMs of this context.');
    expect(explainError('save-favourite', { code: 'internal' })).toBe('Something went wrong in Gatepass while trying to save the favourite.');
    expect(explainError('share', { code: 'kubeconfig' })).toBe("Could not issue the link: this context's kubeconfig entry cannot be used.");
  });

  it('has words of its own where the general ones would mislead', () => {
    expect(explainError('read-link', { code: 'invalid-input' })).toBe('This is not a console link Gatepass can read.');
    expect(explainError('copy-link', { code: 'unsupported' })).toBe('This link was stored without its token, so it cannot be copied or sent again; issue a new one.');
    expect(explainError('revoke-link', { code: 'unsupported' })).toBe("This link's gateway cannot revoke links: the link stays valid until it expires.");
    expect(explainError('screenshot', { code: 'not-found' })).toBe('This VM has no screen to show: it is not running, or no longer exists.');
  });

  it('reads a code a newer main may send as an internal failure, not as nothing', () => {
    expect(explainError('share', { code: 'rate-limited' as DesktopError['code'] })).toBe(explainError('share', { code: 'internal' }));
  });
});
