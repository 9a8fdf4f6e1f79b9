// Self-signed X.509 v3 certificates made with node:crypto keys, for seeding signatures whose
// verification is real (node:crypto can make and use keys but has no certificate builder). The DER
// follows RFC 5280 §4.1; only what a signing certificate needs is written: subject = issuer, a
// validity window, the public key, SAN / key usage / extended key usage, and optionally Fulcio's
// OIDC-issuer extensions (1.3.6.1.4.1.57264.1.1, raw UTF-8 in the octet string, and .1.8, a UTF8String).
import crypto from 'node:crypto';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);
const octets = (content: Buffer) => tlv(0x04, content);
const bitString = (content: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const printable = (text: string) => tlv(0x13, Buffer.from(text, 'ascii'));
const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));
const NULL = Buffer.from([0x05, 0x00]);

function integer(bytes: Buffer): Buffer {
  // Positive: a leading 1 bit needs a 0 byte in front.
  return tlv(0x02, bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(text: string): Buffer {
  const parts = text.split('.').map(Number);
  const out = [40 * parts[0] + parts[1]];
  for (const part of parts.slice(2)) {
    const groups: number[] = [];
    let v = part;
    do {
      groups.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < groups.length - 1; i++) groups[i] |= 0x80;
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(date: Date): Buffer {
  // UTCTime up to 2049 (RFC 5280 §4.1.2.5), YYMMDDHHMMSSZ.
  const iso = date.toISOString();
  return tlv(0x17, Buffer.from(`${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`, 'ascii'));
}

const NAME_OIDS: Record<string, string> = { CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11', L: '2.5.4.7', ST: '2.5.4.8', C: '2.5.4.6' };

function name(parts: Array<[keyof typeof NAME_OIDS, string]>): Buffer {
  return seq(...parts.map(([key, value]) => set(seq(oid(NAME_OIDS[key]), key === 'C' ? printable(value) : utf8(value)))));
}

function extension(id: string, value: Buffer, critical = false): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

export interface CertificateRequest {
  /** Subject (= issuer) name parts, in order, e.g. [['CN', 'signer'], ['O', 'Example'], ['C', 'US']]. */
  subject: Array<['CN' | 'O' | 'OU' | 'L' | 'ST' | 'C', string]>;
  /** Subject alternative names. */
  emails?: string[];
  uris?: string[];
  /** Fulcio's OIDC issuer extension, as in a keyless cosign certificate. */
  oidcIssuer?: string;
  /** Fulcio's newer OIDC issuer extension (1.3.6.1.4.1.57264.1.8, a DER UTF8String inside). */
  oidcIssuerV2?: string;
  notBefore: Date;
  notAfter: Date;
  serial: Buffer;
}

export interface SigningIdentity {
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  /** The certificate, DER. */
  der: Buffer;
  pem: string;
}

function algorithmOf(key: crypto.KeyObject): Buffer {
  if (key.asymmetricKeyType === 'ec') return seq(oid('1.2.840.10045.4.3.2')); // ecdsa-with-SHA256
  if (key.asymmetricKeyType === 'rsa') return seq(oid('1.2.840.113549.1.1.11'), NULL); // sha256WithRSAEncryption
  throw new Error(`x509: no signature algorithm for ${key.asymmetricKeyType} keys here`);
}

/** A key pair and a self-signed certificate for its public key. */
export function selfSignedIdentity(keyType: 'ec' | 'rsa', request: CertificateRequest): SigningIdentity {
  const { privateKey, publicKey } =
    keyType === 'ec' ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }) : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const algorithm = algorithmOf(privateKey);
  const subject = name(request.subject);
  const altNames = [
    ...(request.emails ?? []).map((email) => tlv(0x81, Buffer.from(email, 'ascii'))),
    ...(request.uris ?? []).map((uri) => tlv(0x86, Buffer.from(uri, 'ascii'))),
  ];
  const extensions = [
    extension('2.5.29.15', tlv(0x03, Buffer.from([0x07, 0x80])), true), // keyUsage: digitalSignature
    extension('2.5.29.37', seq(oid('1.3.6.1.5.5.7.3.3'))), // extKeyUsage: codeSigning
    extension('2.5.29.19', seq(), true), // basicConstraints: not a CA
    ...(altNames.length ? [extension('2.5.29.17', seq(...altNames))] : []),
    ...(request.oidcIssuer ? [extension('1.3.6.1.4.1.57264.1.1', Buffer.from(request.oidcIssuer, 'utf8'))] : []),
    ...(request.oidcIssuerV2 ? [extension('1.3.6.1.4.1.57264.1.8', utf8(request.oidcIssuerV2))] : []),
  ];
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(request.serial),
    algorithm,
    subject,
    seq(time(request.notBefore), time(request.notAfter)),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const signature = crypto.sign('sha256', tbs, privateKey);
  const der = seq(tbs, algorithm, bitString(signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  return { privateKey, publicKey, der, pem };
}
