// The little CBOR (RFC 8949) a COSE_Sign1 notation envelope needs: decoding definite-length items
// (unsigned/negative integers, byte and text strings, arrays, maps, tags, simple values, floats),
// and encoding the Sig_structure that is signed. Indefinite lengths, which COSE's deterministic
// encoding never uses, are refused; so is nesting beyond a small depth (hostile input).

export type CborValue = number | bigint | string | Uint8Array | boolean | null | undefined | CborValue[] | Map<CborValue, CborValue> | CborTagged;

export interface CborTagged {
  tag: number;
  value: CborValue;
}

const MAX_DEPTH = 16;

export class CborError extends Error {}

export function isTagged(value: CborValue): value is CborTagged {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value) && !(value instanceof Map);
}

/** One CBOR item from the start of `bytes`; trailing bytes are an error. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const reader = { bytes, offset: 0 };
  const value = readItem(reader, 0);
  if (reader.offset !== bytes.length) throw new CborError('trailing bytes after the CBOR item');
  return value;
}

interface Reader {
  bytes: Uint8Array;
  offset: number;
}

function take(reader: Reader, count: number): Uint8Array {
  if (reader.offset + count > reader.bytes.length) throw new CborError('CBOR item is cut short');
  const out = reader.bytes.subarray(reader.offset, reader.offset + count);
  reader.offset += count;
  return out;
}

function readArgument(reader: Reader, info: number): number | bigint {
  if (info < 24) return info;
  const width = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
  if (!width) throw new CborError(info === 31 ? 'indefinite-length CBOR is not used by COSE' : 'malformed CBOR length');
  const raw = take(reader, width);
  let value = 0n;
  for (const byte of raw) value = (value << 8n) | BigInt(byte);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function length(reader: Reader, info: number): number {
  const value = readArgument(reader, info);
  // Every byte string holds that many bytes and every array or map item takes at least one: a
  // length beyond what is left is a lie, refused before anything is allocated for it.
  if (typeof value !== 'number' || value > reader.bytes.length - reader.offset) throw new CborError('CBOR length is larger than the data');
  return value;
}

function readItem(reader: Reader, depth: number): CborValue {
  if (depth > MAX_DEPTH) throw new CborError('CBOR nested too deeply');
  const initial = take(reader, 1)[0];
  const major = initial >> 5;
  const info = initial & 0x1f;
  switch (major) {
    case 0:
      return readArgument(reader, info);
    case 1: {
      const n = readArgument(reader, info);
      return typeof n === 'number' ? -1 - n : -1n - n;
    }
    case 2:
      return Uint8Array.from(take(reader, length(reader, info)));
    case 3:
      return Buffer.from(take(reader, length(reader, info))).toString('utf8');
    case 4: {
      const count = length(reader, info);
      const items: CborValue[] = [];
      for (let i = 0; i < count; i++) items.push(readItem(reader, depth + 1));
      return items;
    }
    case 5: {
      const count = length(reader, info);
      const map = new Map<CborValue, CborValue>();
      for (let i = 0; i < count; i++) {
        const key = readItem(reader, depth + 1);
        map.set(key, readItem(reader, depth + 1));
      }
      return map;
    }
    case 6: {
      const tag = readArgument(reader, info);
      return { tag: Number(tag), value: readItem(reader, depth + 1) };
    }
    default:
      return readSimple(reader, info);
  }
}

function readSimple(reader: Reader, info: number): CborValue {
  if (info === 20) return false;
  if (info === 21) return true;
  if (info === 22) return null;
  if (info === 23) return undefined;
  const view = (n: number) => {
    const raw = take(reader, n);
    return new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  };
  if (info === 25) return halfFloat(view(2).getUint16(0));
  if (info === 26) return view(4).getFloat32(0);
  if (info === 27) return view(8).getFloat64(0);
  throw new CborError('unsupported CBOR simple value');
}

function halfFloat(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
  const out = Buffer.alloc(5);
  out[0] = (major << 5) | 26;
  out.writeUInt32BE(length, 1);
  return out;
}

/** RFC 9052 §4.4: the bytes a COSE_Sign1 signature is made over (no external AAD). */
export function coseSign1ToBeSigned(protectedHeader: Uint8Array, payload: Uint8Array): Buffer {
  const context = Buffer.from('Signature1', 'utf8');
  return Buffer.concat([
    head(4, 4),
    head(3, context.length),
    context,
    head(2, protectedHeader.length),
    protectedHeader,
    head(2, 0),
    head(2, payload.length),
    payload,
  ]);
}

/** For tests and seeding: a CBOR encoding of the same value kinds (definite lengths, shortest heads). */
export function encodeCbor(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new CborError('only integers are encoded here');
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(encodeCbor)]);
  if (value instanceof Map) return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [encodeCbor(k), encodeCbor(v)])]);
  if (value === false) return Buffer.from([0xf4]);
  if (value === true) return Buffer.from([0xf5]);
  if (value === null) return Buffer.from([0xf6]);
  if (value === undefined) return Buffer.from([0xf7]);
  if (isTagged(value)) return Buffer.concat([head(6, value.tag), encodeCbor(value.value)]);
  throw new CborError('value cannot be encoded');
}
