import { describe, expect, it } from 'vitest';
import { LoginPrompt } from '../cluster/serial/login-prompt.ts';

const text = (b: Buffer): string => b.toString('latin1');

function typed(prompt: LoginPrompt, ...chunks: Array<string | number[]>): string {
  return chunks.map((c) => text(prompt.feed(typeof c === 'string' ? Buffer.from(c, 'latin1') : Uint8Array.from(c)))).join('');
}

describe('LoginPrompt', () => {
  it('greets a new connection with a prompt on a fresh line, named after the VM', () => {
    expect(text(new LoginPrompt('web-1').connect())).toBe('\r\nweb-1 login: ');
    expect(text(new LoginPrompt('db-1').connect())).toBe('\r\ndb-1 login: ');
  });

  it('echoes each byte and answers a line on CR with the line and a new prompt', () => {
    const prompt = new LoginPrompt('web-1');
    prompt.connect();
    expect(typed(prompt, 'ro', 'ot')).toBe('root');
    expect(typed(prompt, '\r')).toBe('\r\nroot\r\nweb-1 login: ');
    expect(typed(prompt, 'x\r')).toBe('x\r\nx\r\nweb-1 login: ');
  });

  it('takes CR LF as one Enter, however it is split, and a lone LF as Enter', () => {
    const prompt = new LoginPrompt('vm');
    expect(typed(prompt, 'a\r', '\nb\r\n')).toBe('a\r\na\r\nvm login: b\r\nb\r\nvm login: ');
    expect(typed(prompt, 'c\n')).toBe('c\r\nc\r\nvm login: ');
    expect(typed(prompt, '\r\r')).toBe('\r\n\r\nvm login: \r\n\r\nvm login: ');
  });

  it('answers Ctrl-C with ^C and a fresh prompt, forgetting the line', () => {
    const prompt = new LoginPrompt('vm');
    expect(typed(prompt, 'half', [0x03])).toBe('half^C\r\nvm login: ');
    expect(typed(prompt, 'ok\r')).toBe('ok\r\nok\r\nvm login: ');
  });

  it('shows Ctrl-D and Ctrl-] in caret notation without adding them to the line', () => {
    const prompt = new LoginPrompt('vm');
    expect(typed(prompt, 'a', [0x04, 0x1d], 'b\r')).toBe('a^D^]b\r\nab\r\nvm login: ');
  });

  it('erases the last character, a whole UTF-8 one, on DEL or backspace', () => {
    const prompt = new LoginPrompt('vm');
    const out = Buffer.concat([prompt.feed(Buffer.from('aé', 'utf8')), prompt.feed(Uint8Array.from([0x7f])), prompt.feed(Buffer.from('b')), prompt.feed(Uint8Array.from([0x08])), prompt.feed(Buffer.from('c\r'))]);
    expect(out.toString('utf8')).toBe('aé\b \bb\b \bc\r\nac\r\nvm login: ');
    expect(typed(prompt, [0x7f], 'z\r')).toBe('z\r\nz\r\nvm login: ');
  });

  it('starts a fresh line when someone connects again', () => {
    const prompt = new LoginPrompt('vm');
    typed(prompt, 'left over');
    prompt.connect();
    expect(typed(prompt, 'new\r')).toBe('new\r\nnew\r\nvm login: ');
  });
});
