/**
 * A small raw-DEFLATE decoder (RFC 1951), after zlib's `puff.c`, for zip entries stored with
 * method 8. PyTorch's `torch.save` always writes stored (uncompressed) entries, so this only runs
 * for archives that were re-zipped by another tool. It is written here rather than taken from
 * `node:zlib` so that the same code runs in the browser, synchronously (the browser's
 * `DecompressionStream` is asynchronous and `torch.load` is not). It favours clarity over speed:
 * canonical Huffman codes are decoded one bit at a time.
 *
 * The output size is fixed in advance (the zip's declared size, itself capped by the caller), so
 * a corrupt or hostile stream can never make it allocate more.
 */
import { FormatError } from './bytes.js';

const MAXBITS = 15;
const LBASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEXT = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DBASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DEXT = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code: how many codes of each length, and the symbols in code order. */
interface Huffman {
  counts: Uint16Array;
  symbols: Uint16Array;
}

function buildHuffman(lengths: ArrayLike<number>, n: number): Huffman {
  const counts = new Uint16Array(MAXBITS + 1);
  for (let s = 0; s < n; s++) counts[lengths[s]!]!++;
  let left = 1;
  for (let len = 1; len <= MAXBITS; len++) {
    left = left * 2 - counts[len]!;
    if (left < 0) throw new FormatError('deflate stream has an over-subscribed Huffman code');
  }
  const offs = new Uint16Array(MAXBITS + 1);
  for (let len = 1; len < MAXBITS; len++) offs[len + 1] = offs[len]! + counts[len]!;
  const symbols = new Uint16Array(n);
  for (let s = 0; s < n; s++) if (lengths[s] !== 0) symbols[offs[lengths[s]!]!++] = s;
  return { counts, symbols };
}

let FIXED: [Huffman, Huffman] | null = null;
function fixedCodes(): [Huffman, Huffman] {
  if (FIXED) return FIXED;
  const l = new Uint8Array(288);
  l.fill(8, 0, 144);
  l.fill(9, 144, 256);
  l.fill(7, 256, 280);
  l.fill(8, 280, 288);
  FIXED = [buildHuffman(l, 288), buildHuffman(new Uint8Array(30).fill(5), 30)];
  return FIXED;
}

/**
 * Inflates a raw DEFLATE stream into exactly `size` bytes.
 * @throws FormatError when the stream is corrupt, truncated, or does not produce `size` bytes.
 */
export function inflateRaw(input: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let outPos = 0;
  let inPos = 0;
  let bitBuf = 0;
  let bitCnt = 0;

  const bits = (n: number): number => {
    while (bitCnt < n) {
      if (inPos >= input.length) throw new FormatError('deflate stream is truncated');
      bitBuf |= input[inPos++]! << bitCnt;
      bitCnt += 8;
    }
    const v = bitBuf & ((1 << n) - 1);
    bitBuf >>>= n;
    bitCnt -= n;
    return v;
  };

  const decode = (h: Huffman): number => {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= MAXBITS; len++) {
      code |= bits(1);
      const count = h.counts[len]!;
      if (code - count < first) return h.symbols[index + (code - first)]!;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new FormatError('deflate stream has an invalid Huffman code');
  };

  const codes = (lit: Huffman, dist: Huffman): void => {
    for (;;) {
      const sym = decode(lit);
      if (sym < 256) {
        if (outPos >= size) throw new FormatError(`deflate stream inflates to more than the declared ${size} bytes`);
        out[outPos++] = sym;
      } else if (sym === 256) {
        return;
      } else {
        const li = sym - 257;
        if (li >= 29) throw new FormatError('deflate stream has an invalid length code');
        const len = LBASE[li]! + bits(LEXT[li]!);
        const di = decode(dist);
        if (di >= 30) throw new FormatError('deflate stream has an invalid distance code');
        const d = DBASE[di]! + bits(DEXT[di]!);
        if (d > outPos) throw new FormatError('deflate stream refers back before the start of the output');
        if (outPos + len > size) throw new FormatError(`deflate stream inflates to more than the declared ${size} bytes`);
        for (let k = 0; k < len; k++, outPos++) out[outPos] = out[outPos - d]!;
      }
    }
  };

  let last = 0;
  while (!last) {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      bitBuf = 0;
      bitCnt = 0;
      if (inPos + 4 > input.length) throw new FormatError('deflate stream is truncated');
      const len = input[inPos]! | (input[inPos + 1]! << 8);
      const nlen = input[inPos + 2]! | (input[inPos + 3]! << 8);
      inPos += 4;
      if (len !== (~nlen & 0xffff)) throw new FormatError('deflate stored block has a corrupt length');
      if (inPos + len > input.length) throw new FormatError('deflate stream is truncated');
      if (outPos + len > size) throw new FormatError(`deflate stream inflates to more than the declared ${size} bytes`);
      out.set(input.subarray(inPos, inPos + len), outPos);
      inPos += len;
      outPos += len;
    } else if (type === 1) {
      const [lit, dist] = fixedCodes();
      codes(lit, dist);
    } else if (type === 2) {
      const nlen = bits(5) + 257;
      const ndist = bits(5) + 1;
      const ncode = bits(4) + 4;
      if (nlen > 286 || ndist > 30) throw new FormatError('deflate stream has bad code counts');
      const lengths = new Uint8Array(320);
      for (let i = 0; i < ncode; i++) lengths[CL_ORDER[i]!] = bits(3);
      const lencode = buildHuffman(lengths, 19);
      let i = 0;
      while (i < nlen + ndist) {
        const sym = decode(lencode);
        if (sym < 16) {
          lengths[i++] = sym;
          continue;
        }
        if (sym === 16 && i === 0) throw new FormatError('deflate stream repeats a length with no previous length');
        const val = sym === 16 ? lengths[i - 1]! : 0;
        let rep = sym === 16 ? 3 + bits(2) : sym === 17 ? 3 + bits(3) : 11 + bits(7);
        if (i + rep > nlen + ndist) throw new FormatError('deflate stream has too many code lengths');
        while (rep--) lengths[i++] = val;
      }
      if (lengths[256] === 0) throw new FormatError('deflate stream has no end-of-block code');
      codes(buildHuffman(lengths, nlen), buildHuffman(lengths.subarray(nlen, nlen + ndist), ndist));
    } else {
      throw new FormatError('deflate stream has an invalid block type');
    }
  }
  if (outPos !== size) throw new FormatError(`deflate stream inflated to ${outPos} bytes, the zip declares ${size}`);
  return out;
}
