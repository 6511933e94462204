import crypto from 'node:crypto';

// The draw is reproducible and checkable by anyone holding the seed: the position of a pick among its
// candidates is HMAC-SHA256 keyed with the seed over "csr:<id>:draw:<index>:try:<n>", the first four bytes
// read as an unsigned big-endian integer, rejected when at or above the largest multiple of the candidate
// count below 2^32 (so every position is equally likely), otherwise taken modulo the count.
// An auditor can redo it with `printf 'csr:7:draw:0:try:0' | openssl dgst -sha256 -hmac <seed>`.

const RANGE = 2 ** 32;

/** A fresh seed for a plan's period: 128 random bits as hex. */
export function newSeed(): string {
  return crypto.randomBytes(16).toString('hex');
}

export function drawMessage(csrId: number, drawIndex: number, attempt: number): string {
  return `csr:${csrId}:draw:${drawIndex}:try:${attempt}`;
}

/** The position (0-based) of the CSR's draw number `drawIndex` among `count` candidates. */
export function drawPosition(seed: string, csrId: number, drawIndex: number, count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new RangeError('A draw needs at least one candidate.');
  const limit = RANGE - (RANGE % count);
  for (let attempt = 0; ; attempt += 1) {
    const word = crypto
      .createHmac('sha256', seed)
      .update(drawMessage(csrId, drawIndex, attempt))
      .digest()
      .readUInt32BE(0);
    if (word < limit) return word % count;
  }
}

/** Fingerprint of the ordered candidate list a draw chose from (call ids joined by commas). */
export function candidatesDigest(callIds: number[]): string {
  return crypto.createHash('sha256').update(callIds.join(',')).digest('hex');
}
