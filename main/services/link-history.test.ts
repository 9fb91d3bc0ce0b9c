import { describe, expect, it } from 'vitest';
import { fakePlatform, memoryStore } from '../../test/support/desktop-doubles.ts';
import { LinkHistory } from './link-history.ts';

const record = {
  id: 'l1', context: 'operator', namespace: 'team-a', name: 'web-1', from: '2030-01-01T12:00:00.000Z', until: '2030-01-01T13:00:00.000Z',
  options: { viewOnly: false, singleUse: false }, gateway: 'https://gw.example', issuedBy: 'alice', revoked: false,
};

describe('LinkHistory: which consoles a link opens', () => {
  it('remembers the consoles of a link it records', () => {
    const history = new LinkHistory(memoryStore(), fakePlatform(false).platform.safeStorage);
    history.record({ ...record, consoles: ['vnc', 'serial'] }, 'https://gw.example/open#token=a.b.c&name=web-1&namespace=team-a');
    history.record({ ...record, id: 'l2', consoles: ['serial'] }, 'https://gw.example/open#token=a.b.c&name=web-1&namespace=team-a');
    expect(history.get('l1').consoles).toEqual(['vnc', 'serial']);
    expect(history.get('l2').consoles).toEqual(['serial']);
  });

  it('reads a record kept before serial links as a link to the screen', () => {
    const store = memoryStore();
    store.set('issuedLinks', [record]);
    const history = new LinkHistory(store, fakePlatform(false).platform.safeStorage);
    expect(history.list()).toEqual([{ ...record, consoles: ['vnc'], canCopyAgain: false }]);
  });
});
