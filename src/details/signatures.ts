// Signatures read and, where the key or certificate is at hand, checked with node:crypto:
// - cosign (https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md): each layer is a
//   simple signing payload; its `dev.cosignproject.cosign/signature` annotation is the base64
//   signature over the payload bytes, `dev.sigstore.cosign/certificate` the signer's PEM certificate
//   (keyless), else a key the caller has.
// - notation (https://github.com/notaryproject/specifications/tree/main/specs): a JWS JSON
//   envelope (application/jose+json) or a COSE_Sign1 (application/cose) over a payload naming the
//   target artifact, with the signing certificate chain in x5c / x5chain.
// What is checked is said plainly: the signature against the key, and that the payload names this
// image. A certificate's chain to Fulcio or a trust store, transparency logs and trust policies are not.
import type * as crypto from 'node:crypto';
import { isRecord } from '../distribution/json';
import { coseSign1ToBeSigned, decodeCbor, isTagged, type CborValue } from './cbor';
import type { SignatureInfo, VerificationStatus } from './model';

/** node:crypto on the first check, not when the module loads: a regx run that checks no signature never pays for it. */
function nodeCrypto(): typeof crypto {
  return require('node:crypto') as typeof crypto;
}

export const SignatureTypes = {
  cosignArtifact: 'application/vnd.dev.cosign.artifact.sig.v1+json',
  simpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
  notary: 'application/vnd.cncf.notary.signature',
  jws: 'application/jose+json',
  cose: 'application/cose',
} as const;

export const CosignAnnotations = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  bundle: 'dev.sigstore.cosign/bundle',
} as const;

/** A public key the caller trusts, by a name shown back in the result (e.g. the file name). */
export interface PublicKeyInput {
  name: string;
  pem: string;
}

const NOT_CHAINED = "The certificate's chain to Fulcio or another trust root, and any transparency-log entry, were NOT checked.";
const NOT_TRUSTED = "The certificate's chain to a trust store and notation's trust policy were NOT checked.";

const verification = (status: VerificationStatus, detail: string) => ({ status, detail });

// ---------------------------------------------------------------------------------------------
// Certificates

/** "C=US\nO=Example\nCN=signer" (Node's form) → "CN=signer, O=Example, C=US" (RFC 4514 order). */
function distinguishedName(text: string): string {
  return text.split('\n').filter(Boolean).reverse().join(', ');
}

function commonName(text: string): string | undefined {
  return text.split('\n').find((part) => part.startsWith('CN='))?.slice(3);
}

/** The first email or URI of the subject alternative names ("email:a@b.c, URI:https://…"). */
function alternativeName(certificate: crypto.X509Certificate): string | undefined {
  for (const part of (certificate.subjectAltName ?? '').split(/,\s*/)) {
    const m = /^(email|URI):(.+)$/.exec(part.trim());
    if (m) return m[2];
  }
  return undefined;
}

// Fulcio's OIDC issuer extensions: 1.3.6.1.4.1.57264.1.1 (raw UTF-8, deprecated) and .1.8 (a DER UTF8String).
const FULCIO_ISSUER_V1 = Buffer.from([0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x01]);
const FULCIO_ISSUER_V2 = Buffer.from([0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x08]);

/** The contents of the OCTET STRING after an extension's OID in the DER (skipping a critical flag). */
function extensionValue(der: Buffer, oid: Buffer): Buffer | undefined {
  const at = der.indexOf(oid);
  if (at < 0) return undefined;
  let offset = at + oid.length;
  if (der[offset] === 0x01) offset += 3; // BOOLEAN critical
  if (der[offset] !== 0x04) return undefined;
  const read = readLength(der, offset + 1);
  return read ? der.subarray(read.start, read.start + read.length) : undefined;
}

function readLength(der: Buffer, offset: number): { start: number; length: number } | undefined {
  const first = der[offset];
  if (first === undefined) return undefined;
  if (first < 0x80) return { start: offset + 1, length: first };
  const count = first & 0x7f;
  if (count < 1 || count > 3) return undefined;
  let length = 0;
  for (let i = 1; i <= count; i++) length = (length << 8) | (der[offset + i] ?? 0);
  return offset + 1 + count + length <= der.length ? { start: offset + 1 + count, length } : undefined;
}

function oidcIssuer(certificate: crypto.X509Certificate): string | undefined {
  const v2 = extensionValue(certificate.raw, FULCIO_ISSUER_V2);
  if (v2 && v2[0] === 0x0c) {
    const read = readLength(v2, 1);
    if (read) return v2.subarray(read.start, read.start + read.length).toString('utf8');
  }
  return extensionValue(certificate.raw, FULCIO_ISSUER_V1)?.toString('utf8');
}

function parseCertificate(pemOrDer: string | Uint8Array): crypto.X509Certificate | undefined {
  try {
    return new (nodeCrypto().X509Certificate)(typeof pemOrDer === 'string' ? pemOrDer : Buffer.from(pemOrDer));
  } catch {
    return undefined;
  }
}

/** Who a certificate names, and who issued it: an OIDC issuer (Fulcio), else the issuer's CN. */
export function certificateIdentity(certificate: crypto.X509Certificate): { signer: string; issuer?: string } {
  const signer = alternativeName(certificate) ?? (distinguishedName(certificate.subject) || 'an unnamed certificate');
  const issuer = oidcIssuer(certificate) ?? commonName(certificate.issuer) ?? (distinguishedName(certificate.issuer) || undefined);
  return issuer ? { signer, issuer } : { signer };
}

/** Hash for a key, as cosign and notation pair them (ECDSA by curve size, RSA SHA-256, Ed25519 none). */
function hashFor(key: crypto.KeyObject): string | null {
  if (key.asymmetricKeyType === 'ed25519') return null;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'secp384r1') return 'sha384';
  if (curve === 'secp521r1') return 'sha512';
  return 'sha256';
}

function verifyWith(key: crypto.KeyObject, data: Buffer, signature: Buffer): boolean {
  const attempts: crypto.VerifyKeyObjectInput[] = [{ key }];
  // RSA keys sign PKCS#1 v1.5 (cosign's own) or PSS (some KMS keys): either is a valid signature.
  if (key.asymmetricKeyType === 'rsa') attempts.push({ key, padding: nodeCrypto().constants.RSA_PKCS1_PSS_PADDING, saltLength: nodeCrypto().constants.RSA_PSS_SALTLEN_AUTO });
  return attempts.some((input) => {
    try {
      return nodeCrypto().verify(hashFor(key), data, input, signature);
    } catch {
      return false;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// cosign

export interface CosignPayload {
  dockerReference?: string;
  manifestDigest?: string;
  type?: string;
}

/** The simple signing payload's critical section; undefined when it is not one. */
export function readSimpleSigningPayload(bytes: Uint8Array): CosignPayload | undefined {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(json) || !isRecord(json.critical)) return undefined;
  const critical = json.critical;
  const identity = isRecord(critical.identity) ? critical.identity : {};
  const image = isRecord(critical.image) ? critical.image : {};
  const out: CosignPayload = {};
  if (typeof identity['docker-reference'] === 'string') out.dockerReference = identity['docker-reference'];
  if (typeof image['docker-manifest-digest'] === 'string') out.manifestDigest = image['docker-manifest-digest'];
  if (typeof critical.type === 'string') out.type = critical.type;
  return out;
}

/** Seconds since the epoch as an ISO time, to the second like the other times shown. */
function epochTime(seconds: unknown): string | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || Math.abs(seconds) > 8.64e12) return undefined;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Rekor bundle's integratedTime (seconds), as an ISO time. */
function bundleTime(bundle: string | undefined): string | undefined {
  if (!bundle) return undefined;
  try {
    const json = JSON.parse(bundle) as unknown;
    const time = isRecord(json) && isRecord(json.Payload) ? json.Payload.integratedTime : undefined;
    return epochTime(time);
  } catch {
    return undefined;
  }
}

export interface CosignInput {
  /** The signature manifest (referrer or `.sig` tag). */
  manifestDigest: string;
  /** The layer's annotations (signature, certificate, bundle). */
  annotations: Record<string, string>;
  payload: Uint8Array;
  /** The digest the signature should be about. */
  subjectDigest: string;
  publicKeys?: PublicKeyInput[];
  /** The manifest's org.opencontainers.image.created, when there is no bundle time. */
  created?: string;
}

export function readCosignSignature(input: CosignInput): SignatureInfo {
  const info: SignatureInfo = { format: 'cosign', digest: input.manifestDigest, verification: verification('not-checked', '') };
  const signedAt = bundleTime(input.annotations[CosignAnnotations.bundle]) ?? input.created;
  if (signedAt) info.signedAt = signedAt;
  const certificatePem = input.annotations[CosignAnnotations.certificate];
  const certificate = certificatePem ? parseCertificate(certificatePem) : undefined;
  if (certificate) Object.assign(info, certificateIdentity(certificate));

  const payload = readSimpleSigningPayload(input.payload);
  if (!payload) {
    info.verification = verification('failed', 'The signed payload is not a cosign simple signing document.');
    return info;
  }
  const namesImage = payload.manifestDigest === input.subjectDigest;
  const namesOther = `its payload names ${payload.manifestDigest ?? 'no image digest'}, not this image (${input.subjectDigest})`;
  const signatureText = input.annotations[CosignAnnotations.signature];
  if (!signatureText) {
    info.verification = verification('not-checked', 'The layer carries no signature annotation.');
    return info;
  }
  const signature = Buffer.from(signatureText, 'base64');
  const data = Buffer.from(input.payload);

  if (certificatePem && !certificate) {
    info.verification = verification('failed', 'The certificate in the signature cannot be read.');
    return info;
  }
  if (certificate) {
    if (!verifyWith(certificate.publicKey, data, signature)) {
      info.verification = verification('failed', "The signature does not match its payload under the certificate's key: the payload or the signature was changed after signing.");
    } else if (!namesImage) {
      info.verification = verification('failed', `The signature is valid, but ${namesOther}.`);
    } else {
      info.verification = verification('verified', `Signature checked against the certificate in the signature (${info.signer}). ${NOT_CHAINED}`);
    }
    return info;
  }
  const keys = (input.publicKeys ?? []).flatMap((k) => {
    try {
      return [{ name: k.name, key: nodeCrypto().createPublicKey(k.pem) }];
    } catch {
      return [];
    }
  });
  if (!keys.length) {
    info.verification = verification('not-checked', input.publicKeys?.length
      ? 'None of the public keys given could be read (PEM expected).'
      : 'Signed with a key, not a certificate: give its public key (regx inspect --details --key cosign.pub) to check it.');
    return info;
  }
  const match = keys.find((k) => verifyWith(k.key, data, signature));
  if (!match) {
    info.verification = verification('failed', `None of the public keys given (${keys.map((k) => k.name).join(', ')}) verifies this signature.`);
  } else {
    info.signer ??= match.name;
    info.verification = namesImage
      ? verification('verified', `Signature checked with the public key ${match.name}.`)
      : verification('failed', `The signature is valid under ${match.name}, but ${namesOther}.`);
  }
  return info;
}

// ---------------------------------------------------------------------------------------------
// notation

interface NotationEnvelope {
  alg?: string | number;
  signingTime?: string;
  certificates: Uint8Array[];
  payload: Uint8Array;
  signedBytes: Buffer;
  signature: Buffer;
}

function readJwsEnvelope(bytes: Uint8Array): NotationEnvelope | string {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return 'The JWS envelope is not valid JSON.';
  }
  if (!isRecord(json) || typeof json.payload !== 'string' || typeof json.protected !== 'string' || typeof json.signature !== 'string') {
    return 'The JWS envelope lacks its payload, protected header or signature.';
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(json.protected, 'base64url').toString('utf8'));
  } catch {
    return 'The JWS protected header is not valid JSON.';
  }
  if (!isRecord(header)) return 'The JWS protected header is not an object.';
  const unprotected = isRecord(json.header) ? json.header : {};
  const x5c = Array.isArray(unprotected.x5c) ? unprotected.x5c.filter((c): c is string => typeof c === 'string') : [];
  const time = header['io.cncf.notary.signingTime'] ?? header['io.cncf.notary.authenticSigningTime'];
  return {
    alg: typeof header.alg === 'string' ? header.alg : undefined,
    signingTime: typeof time === 'string' ? time : undefined,
    certificates: x5c.map((c) => Buffer.from(c, 'base64')),
    payload: Buffer.from(json.payload, 'base64url'),
    signedBytes: Buffer.from(`${json.protected}.${json.payload}`, 'ascii'),
    signature: Buffer.from(json.signature, 'base64url'),
  };
}

function coseTime(value: CborValue | undefined): string | undefined {
  return epochTime(value !== undefined && isTagged(value) && value.tag === 1 ? value.value : value);
}

function readCoseEnvelope(bytes: Uint8Array): NotationEnvelope | string {
  let decoded: CborValue;
  try {
    decoded = decodeCbor(bytes);
  } catch (error) {
    return `The COSE envelope is not valid CBOR (${(error as Error).message}).`;
  }
  const sign1 = isTagged(decoded) && decoded.tag === 18 ? decoded.value : decoded;
  if (!Array.isArray(sign1) || sign1.length !== 4) return 'The COSE envelope is not a COSE_Sign1.';
  const [protectedBytes, unprotected, payload, signature] = sign1;
  if (!(protectedBytes instanceof Uint8Array) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) return 'The COSE_Sign1 is missing its protected header, payload or signature.';
  let header: CborValue;
  try {
    header = protectedBytes.length ? decodeCbor(protectedBytes) : new Map();
  } catch {
    return 'The COSE protected header is not valid CBOR.';
  }
  if (!(header instanceof Map)) return 'The COSE protected header is not a map.';
  const chain = (unprotected instanceof Map ? unprotected.get(33) : undefined) ?? header.get(33);
  const certificates = chain instanceof Uint8Array ? [chain] : Array.isArray(chain) ? chain.filter((c): c is Uint8Array => c instanceof Uint8Array) : [];
  const alg = header.get(1);
  return {
    alg: typeof alg === 'number' ? alg : undefined,
    signingTime: coseTime(header.get('io.cncf.notary.signingTime') ?? header.get('io.cncf.notary.authenticSigningTime')),
    certificates,
    payload,
    signedBytes: coseSign1ToBeSigned(protectedBytes, payload),
    signature: Buffer.from(signature),
  };
}

/** How a JWS / COSE algorithm is checked with node:crypto (the notation subset of each). */
function notationAlgorithm(alg: string | number | undefined): { hash: string; pss?: number; ecdsa?: boolean } | undefined {
  switch (alg) {
    case 'PS256': case -37: return { hash: 'sha256', pss: 32 };
    case 'PS384': case -38: return { hash: 'sha384', pss: 48 };
    case 'PS512': case -39: return { hash: 'sha512', pss: 64 };
    case 'ES256': case -7: return { hash: 'sha256', ecdsa: true };
    case 'ES384': case -35: return { hash: 'sha384', ecdsa: true };
    case 'ES512': case -36: return { hash: 'sha512', ecdsa: true };
    default: return undefined;
  }
}

export interface NotationInput {
  manifestDigest: string;
  /** application/jose+json or application/cose. */
  mediaType: string;
  envelope: Uint8Array;
  subjectDigest: string;
}

export function readNotationSignature(input: NotationInput): SignatureInfo {
  const info: SignatureInfo = { format: 'notation', digest: input.manifestDigest, verification: verification('not-checked', '') };
  const envelope = input.mediaType === SignatureTypes.cose ? readCoseEnvelope(input.envelope) : readJwsEnvelope(input.envelope);
  if (typeof envelope === 'string') {
    info.verification = verification('failed', envelope);
    return info;
  }
  if (envelope.signingTime) info.signedAt = envelope.signingTime;
  const certificate = envelope.certificates[0] ? parseCertificate(envelope.certificates[0]) : undefined;
  if (certificate) {
    info.signer = distinguishedName(certificate.subject) || certificateIdentity(certificate).signer;
    const issuer = distinguishedName(certificate.issuer);
    if (issuer) info.issuer = issuer;
  }
  let target: string | undefined;
  try {
    const payload = JSON.parse(Buffer.from(envelope.payload).toString('utf8')) as unknown;
    const artifact = isRecord(payload) && isRecord(payload.targetArtifact) ? payload.targetArtifact : undefined;
    target = artifact && typeof artifact.digest === 'string' ? artifact.digest : undefined;
  } catch {
    // Reported below as a payload that names no artifact.
  }
  if (!certificate) {
    info.verification = verification('not-checked', 'The envelope carries no signing certificate to check it with.');
    return info;
  }
  const algorithm = notationAlgorithm(envelope.alg);
  if (!algorithm) {
    info.verification = verification('not-checked', `The signature algorithm ${String(envelope.alg ?? 'none')} is not one notation signs with.`);
    return info;
  }
  let valid = false;
  try {
    valid = nodeCrypto().verify(algorithm.hash, envelope.signedBytes, {
      key: certificate.publicKey,
      ...(algorithm.pss ? { padding: nodeCrypto().constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.pss } : {}),
      ...(algorithm.ecdsa ? { dsaEncoding: 'ieee-p1363' as const } : {}),
    }, envelope.signature);
  } catch {
    valid = false;
  }
  if (!valid) info.verification = verification('failed', "The signature does not match the envelope under the signing certificate's key: it was changed after signing.");
  else if (target !== input.subjectDigest) info.verification = verification('failed', `The signature is valid, but its payload names ${target ?? 'no artifact'}, not this image (${input.subjectDigest}).`);
  else info.verification = verification('verified', `Signature checked against the signing certificate in the envelope (${commonName(certificate.subject) ?? info.signer}). ${NOT_TRUSTED}`);
  return info;
}
