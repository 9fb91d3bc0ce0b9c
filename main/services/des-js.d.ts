// The part of des.js (a pure-JS DES; Node's OpenSSL 3 no longer offers DES-ECB) that VNC authentication uses.
declare module 'des.js' {
  interface BlockCipher {
    update(data: ArrayLike<number>): number[];
    final(): number[];
  }
  const des: {
    DES: { create(options: { type: 'encrypt' | 'decrypt'; key: ArrayLike<number>; padding?: boolean }): BlockCipher };
  };
  export default des;
}
