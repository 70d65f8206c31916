/*
 * Reference for tools/verify-libm.ts only: NOT part of torchlet and NOT shipped (tools/ is not in
 * package.json "files"; nothing in src/ imports this file).
 *
 * A TypeScript transcription of glibc 2.36's x86-64 FMA sin and cos (`__sin_fma`, `__cos_fma`,
 * sysdeps/ieee754/dbl-64/s_sin.c: the IBM Accurate Mathematical Library), which torchlet's
 * src/random/libm.ts contained until sin64/cos64 replaced it. It matches glibc bit for bit for
 * |x| < 105414350 and is kept so that the replacement can be compared with what torchlet (and
 * PyTorch on x86-64 Linux) computed before.
 *
 * IBM Accurate Mathematical Library, written by International Business Machines Corp.
 * Copyright (C) 2001-2022 Free Software Foundation, Inc.
 *
 * This file is free software; you can redistribute it and/or modify it under the terms of the
 * GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This file is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY;
 * without even the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.
 * See the GNU Lesser General Public License for more details
 * (https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html).
 */

import { fma, hiWord, loWord } from '../src/random/libm.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1;
const HI = LITTLE ? 1 : 0;

function fromWords(hi: number, lo: number): number {
  u32[HI] = hi >>> 0;
  u32[LO] = lo >>> 0;
  return f64[0];
}

const BIG = 52776558133248.0; // 0x1.8p45: rounds |x| to a multiple of 1/128
const SN3 = -0.16666666666666488;
const SN5 = 0.008333332142857223;
const CS2 = 0.5;
const CS4 = -0.04166666666666644;
const CS6 = 0.001388888740079376;
const TS1 = -0.16666666666666666;
const TS2 = 0.008333333333332329;
const TS3 = -0.00019841269834414642;
const TS4 = 2.755729806860771e-6;
const TS5 = -2.5022014848318398e-8;
const HP0 = 1.5707963267948966; // pi/2 high part
const HP1 = 6.123233995736766e-17; // pi/2 low part
const HPINV = 0.6366197723675814; // 2/pi
const TOINT = 6755399441055744.0; // 0x1.8p52
const MP1 = 1.5707963407039642;
const MP2 = -1.3909067564377153e-8;
const PP3 = -4.97899623147991e-17;
const PP4 = -1.9034889620193266e-25;

let sincosTable: Float64Array | undefined;

/**
 * The sin/cos table glibc uses: for i = 0..109, [sin hi, sin lo, cos hi, cos lo] of i/128, where
 * hi = RN(f(i/128)) and lo = RN(f(i/128) - hi). glibc's copy deviates from the exactly rounded
 * lo part in a few entries (listed in LO_FIXUPS as bit-pattern deltas), reproduced here.
 */
function getSincosTable(): Float64Array {
  if (sincosTable) return sincosTable;
  const F = 240n; // fixed-point fraction bits
  const ONE = 1n << F;
  const tab = new Float64Array(440);
  const scale = Math.pow(2, -240);
  for (let i = 0; i < 110; i++) {
    const x = BigInt(i) << (F - 7n);
    const x2 = (x * x) >> F;
    // Taylor series for sin and cos in fixed point.
    let sTerm = x;
    let sSum = x;
    let cTerm = ONE;
    let cSum = ONE;
    for (let n = 1n; n < 60n; n++) {
      sTerm = -(sTerm * x2 >> F) / ((2n * n) * (2n * n + 1n));
      cTerm = -(cTerm * x2 >> F) / ((2n * n - 1n) * (2n * n));
      sSum += sTerm;
      cSum += cTerm;
      if (sTerm === 0n && cTerm === 0n) break;
    }
    const split = (v: bigint): [number, number] => {
      const hi = Number(v) * scale; // Number(bigint) rounds to nearest-even
      const rest = v - BigInt(hi / scale);
      return [hi, Number(rest) * scale];
    };
    const [sh, sl] = split(sSum);
    const [ch, cl] = split(cSum);
    tab[4 * i] = sh;
    tab[4 * i + 1] = sl;
    tab[4 * i + 2] = ch;
    tab[4 * i + 3] = cl;
  }
  // [index, delta of the 64-bit pattern]
  const LO_FIXUPS: [number, number][] = [
    [9, 1], [41, 1], [93, 39], [107, 1], [109, 1], [133, 1], [137, 1], [145, 1], [161, -2],
    [179, 1], [283, 1], [301, 1], [303, -2], [319, 1], [341, 1], [361, -2], [377, 1], [429, 1],
  ];
  for (const [idx, delta] of LO_FIXUPS) {
    const bits = BigInt.asIntN(64, (BigInt(hiWord(tab[idx])) << 32n) | BigInt(loWord(tab[idx]))) + BigInt(delta);
    const ub = BigInt.asUintN(64, bits);
    tab[idx] = fromWords(Number(ub >> 32n), Number(ub & 0xffffffffn));
  }
  sincosTable = tab;
  return tab;
}

function copysign(mag: number, sgn: number): number {
  const m = Math.abs(mag);
  return sgn < 0 || Object.is(sgn, -0) ? -m : m;
}

function taylorSin(xx: number, a: number, da: number): number {
  let poly = fma(TS5, xx, TS4);
  poly = fma(poly, xx, TS3);
  poly = fma(poly, xx, TS2);
  poly = fma(poly, xx, TS1);
  const t = fma(xx, fma(poly, a, -(0.5 * da)), da);
  return a + t;
}

/** sin(x + dx) for |x| < ~0.855, as glibc's do_sin. */
function doSin(x: number, dx: number): number {
  if (Math.abs(x) < 0.126) return taylorSin(x * x, x, dx);
  const tab = getSincosTable();
  const xold = x;
  if (x <= 0) dx = -dx;
  const ax = Math.abs(x);
  const u = BIG + ax;
  const k = loWord(u) << 2;
  const xr = ax - (u - BIG);
  const xx = xr * xr;
  const s = xr + fma(xr * xx, fma(xx, SN5, SN3), dx);
  const c = fma(xr, dx, xx * fma(xx, fma(xx, CS6, CS4), CS2));
  const sn = tab[k];
  const ssn = tab[k + 1];
  const cs = tab[k + 2];
  const ccs = tab[k + 3];
  const cor = fma(s, cs, fma(-c, sn, fma(s, ccs, ssn)));
  return copysign(sn + cor, xold);
}

/** cos(x + dx) for |x| < ~0.855, as glibc's do_cos. */
function doCos(x: number, dx: number): number {
  const tab = getSincosTable();
  if (x < 0) dx = -dx;
  const ax = Math.abs(x);
  const u = BIG + ax;
  const k = loWord(u) << 2;
  const xr = ax - (u - BIG) + dx;
  const xx = xr * xr;
  const s = fma(xr * xx, fma(xx, SN5, SN3), xr);
  const c = xx * fma(xx, fma(xx, CS6, CS4), CS2);
  const sn = tab[k];
  const ssn = tab[k + 1];
  const cs = tab[k + 2];
  const ccs = tab[k + 3];
  const cor = fma(-s, sn, fma(-c, cs, fma(-s, ssn, ccs)));
  return cs + cor;
}

/** Reduce x modulo pi/2 (|x| < 105414350): returns quadrant; writes a + da into `out`. */
function reduceSincos(x: number, out: Float64Array): number {
  const t = fma(x, HPINV, TOINT);
  const xn = t - TOINT;
  const n = loWord(t) & 3;
  let y = fma(-xn, MP1, x);
  y = fma(-xn, MP2, y);
  const t2 = fma(-xn, PP3, y);
  const db = fma(-xn, PP3, y - t2);
  const b = fma(-xn, PP4, t2);
  out[0] = b;
  out[1] = db + fma(-xn, PP4, t2 - b);
  return n;
}

const red = new Float64Array(2);

function doSincos(a: number, da: number, n: number): number {
  const r = (n & 1) !== 0 ? doCos(a, da) : doSin(a, da);
  return (n & 2) !== 0 ? -r : r;
}

/**
 * sin(x), bit-identical to glibc 2.36's x86-64 FMA `sin` for |x| < 105414350 (beyond that,
 * where glibc uses a multi-precision reduction, this falls back to `Math.sin`).
 */
export function glibcSin(x: number): number {
  const k = hiWord(x) & 0x7fffffff;
  if (k < 0x3e500000) return x;
  if (k < 0x3feb6000) return doSin(x, 0);
  if (k < 0x400368fd) return copysign(doCos(HP0 - Math.abs(x), HP1), x);
  if (k < 0x419921fb) {
    const n = reduceSincos(x, red);
    return doSincos(red[0], red[1], n);
  }
  return Math.sin(x);
}

/**
 * cos(x), bit-identical to glibc 2.36's x86-64 FMA `cos` for |x| < 105414350 (beyond that
 * this falls back to `Math.cos`).
 */
export function glibcCos(x: number): number {
  const k = hiWord(x) & 0x7fffffff;
  if (k < 0x3e400000) return 1;
  if (k < 0x3feb6000) return doCos(x, 0);
  if (k < 0x400368fd) {
    const y = HP0 - Math.abs(x);
    const a = y + HP1;
    const da = y - a + HP1;
    return doSin(a, da);
  }
  if (k < 0x419921fb) {
    const n = reduceSincos(x, red);
    return doSincos(red[0], red[1], n + 1);
  }
  return Math.cos(x);
}
