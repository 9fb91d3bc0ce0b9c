import { describe, expect, it } from 'vitest';
import { UpdateRequests } from './update-requests.ts';

describe('merged update requests', () => {
  it('keeps one incremental request outstanding and folds what the viewers ask meanwhile into one', () => {
    const requests = new UpdateRequests();
    expect(requests.ask(false)).toEqual({ incremental: true });
    expect(requests.ask(false)).toBeUndefined();
    expect(requests.ask(false)).toBeUndefined();
    expect(requests.answered()).toEqual({ incremental: true });
    expect(requests.answered()).toBeUndefined();
    expect(requests.ask(false)).toEqual({ incremental: true });
  });

  it('asks for the whole screen at once, even while an incremental request waits for a change that may never come', () => {
    const requests = new UpdateRequests();
    requests.ask(false);
    expect(requests.ask(true)).toEqual({ incremental: false });
    expect(requests.ask(false)).toBeUndefined();
    expect(requests.answered()).toEqual({ incremental: true });
    expect(requests.answered()).toBeUndefined();
  });

  it('asks for the whole screen once while a full request is outstanding, and again once it was answered', () => {
    const requests = new UpdateRequests();
    expect(requests.ask(true)).toEqual({ incremental: false });
    expect(requests.ask(true)).toBeUndefined();
    expect(requests.ask(false)).toBeUndefined();
    expect(requests.answered()).toEqual({ incremental: true });
    expect(requests.ask(true)).toEqual({ incremental: false });
  });
});
