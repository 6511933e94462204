// G.711 µ-law and A-law, the telephone network's 8-bit encodings, expanded to floats by table (ITU-T G.711).

function mulaw(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = (((u & 0x0f) << 3) + 0x84) << exponent;
  const value = magnitude - 0x84;
  return (u & 0x80 ? -value : value) / 32768;
}

function alaw(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const value = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return (a & 0x80 ? value : -value) / 32768;
}

export const mulawTable = Float32Array.from({ length: 256 }, (_, i) => mulaw(i));
export const alawTable = Float32Array.from({ length: 256 }, (_, i) => alaw(i));
