/**
 * What a VM's serial console shows in the stand-in: a getty-like login prompt
 * that echoes what is typed and answers each line with the line itself and a
 * fresh prompt, so tests can see, type and read back. Pure: bytes in, bytes out.
 */
const CR = 0x0d;
const LF = 0x0a;
const CTRL_C = 0x03;
const BACKSPACE = 0x08;
const DELETE = 0x7f;

export class LoginPrompt {
  private line: number[] = [];
  /** A terminal's Enter may arrive as CR LF; the LF then belongs to the line already answered. */
  private afterCr = false;

  constructor(private readonly name: string) {}

  /** What the console writes when someone connects: a fresh prompt on a new line. */
  connect(): Buffer {
    this.line = [];
    this.afterCr = false;
    return Buffer.from(`\r\n${this.prompt()}`, 'latin1');
  }

  /** The console's answer to bytes the viewer typed. */
  feed(input: Uint8Array): Buffer {
    const out: Buffer[] = [];
    for (const byte of input) {
      const afterCr = this.afterCr;
      this.afterCr = byte === CR;
      if (byte === LF && afterCr) continue;
      out.push(this.key(byte));
    }
    return Buffer.concat(out);
  }

  private key(byte: number): Buffer {
    if (byte === CR || byte === LF) {
      const line = Buffer.from(this.line);
      this.line = [];
      return Buffer.concat([Buffer.from('\r\n'), line, Buffer.from(`\r\n${this.prompt()}`, 'latin1')]);
    }
    if (byte === CTRL_C) {
      this.line = [];
      return Buffer.from(`^C\r\n${this.prompt()}`, 'latin1');
    }
    if (byte === DELETE || byte === BACKSPACE) return this.erase();
    // Other control bytes (Ctrl-D, Ctrl-]…) echo as a tty with echoctl shows them and do not join the line.
    if (byte < 0x20) return Buffer.from(`^${String.fromCharCode(byte + 0x40)}`, 'latin1');
    this.line.push(byte);
    return Buffer.from([byte]);
  }

  /** Erases the last character, all of its UTF-8 bytes, as a tty in iutf8 mode does. */
  private erase(): Buffer {
    if (this.line.length === 0) return Buffer.alloc(0);
    let last = this.line.pop()!;
    while ((last & 0xc0) === 0x80 && this.line.length > 0) last = this.line.pop()!;
    return Buffer.from('\b \b', 'latin1');
  }

  private prompt(): string {
    return `${this.name} login: `;
  }
}
