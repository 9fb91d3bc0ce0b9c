import { describe, expect, it } from 'vitest';
import { UpdateRequests } from './update-requests.ts';

describe('merged update requests', () => {
  it('keeps one request outstanding and merges what the viewers ask meanwhile into one', () => {
    const requests = new UpdateRequests();
    expect(requests.ask(false)).toEqual({ incremental: true });
    expect(requests.ask(false)).toBeUndefined();
    expect(requests.ask(false)).toBeUndefined();
    expect(requests.answered()).toEqual({ incremental: true });
    expect(requests.answered()).toBeUndefined();
    expect(requests.ask(false)).toEqual({ incremental: true });
  });

  it('asks for the whole screen when any merged request needed it', () => {
    const requests = new UpdateRequests();
    requests.ask(false);
    expect(requests.ask(true)).toBeUndefined();
    expect(requests.ask(false)).toBeUndefined();
    expect(requests.answered()).toEqual({ incremental: false });
    expect(requests.answered()).toBeUndefined();
  });

  it('sends a full request at once when nothing is outstanding', () => {
    expect(new UpdateRequests().ask(true)).toEqual({ incremental: false });
  });
});
