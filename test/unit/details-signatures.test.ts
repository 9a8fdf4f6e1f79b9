// Signatures as the Supply chain tab shows them, checked with real keys made here with node:crypto:
// cosign (https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md: the simple signing
// payload, the base64 signature annotation, the PEM certificate annotation) and notation
// (https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-jws.md and
// signature-envelope-cose.md: the protected header's alg and signing time, x5c / x5chain, the
// targetArtifact payload). CBOR known answers from RFC 8949 Appendix A.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { CborError, decodeCbor, encodeCbor, type CborValue } from '../../src/details/cbor';
import { readCosignSignature, readNotationSignature, readSimpleSigningPayload } from '../../src/details/signatures';
import { selfSignedIdentity } from '../support/x509';

const image = `sha256:${'1'.repeat(64)}`;
const otherImage = `sha256:${'2'.repeat(64)}`;
const validity = { notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2034-01-01T00:00:00Z') };

function payloadFor(digest: string, optional: object = {}): Buffer {
  return Buffer.from(JSON.stringify({
    critical: { identity: { 'docker-reference': 'registry.example.com/app' }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' },
    optional,
  }));
}

describe('cosign signatures', () => {
  const keyless = selfSignedIdentity('ec', {
    subject: [['O', 'sigstore.dev']], emails: ['dev@example.com'], oidcIssuer: 'https://accounts.example.com', serial: Buffer.from([1, 2, 3]), ...validity,
  });
  const sign = (data: Buffer, key = keyless.privateKey) => crypto.sign('sha256', data, key).toString('base64');
  const withCertificate = (signature: string) => ({ 'dev.cosignproject.cosign/signature': signature, 'dev.sigstore.cosign/certificate': keyless.pem });

  it('reads the simple signing payload', () => {
    assert.deepEqual(readSimpleSigningPayload(payloadFor(image)), { dockerReference: 'registry.example.com/app', manifestDigest: image, type: 'cosign container image signature' });
    assert.equal(readSimpleSigningPayload(Buffer.from('not json')), undefined);
  });

  it('verifies a keyless signature with the certificate in it, naming the signer, the OIDC issuer, and what was not checked', () => {
    const payload = payloadFor(image);
    const info = readCosignSignature({ manifestDigest: 'sha256:sig', annotations: withCertificate(sign(payload)), payload, subjectDigest: image, created: '2024-05-01T00:00:00Z' });
    assert.equal(info.verification.status, 'verified');
    assert.match(info.verification.detail, /NOT checked/);
    assert.deepEqual([info.signer, info.issuer, info.signedAt], ['dev@example.com', 'https://accounts.example.com', '2024-05-01T00:00:00Z']);
  });

  it('fails a payload changed after signing, and a valid signature over a payload naming another image', () => {
    const signed = payloadFor(image, { build: '1' });
    const altered = payloadFor(image, { build: '2' });
    const tampered = readCosignSignature({ manifestDigest: 'sha256:sig', annotations: withCertificate(sign(signed)), payload: altered, subjectDigest: image });
    assert.equal(tampered.verification.status, 'failed');
    assert.match(tampered.verification.detail, /changed after signing/);
    const elsewhere = payloadFor(otherImage);
    const moved = readCosignSignature({ manifestDigest: 'sha256:sig', annotations: withCertificate(sign(elsewhere)), payload: elsewhere, subjectDigest: image });
    assert.equal(moved.verification.status, 'failed');
    assert.match(moved.verification.detail, new RegExp(`names ${otherImage}, not this image`));
  });

  it('a key-signed signature: not checked without keys, verified with the right key, failed with only wrong ones', () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const stranger = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const pem = (key: crypto.KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
    const payload = payloadFor(image);
    const annotations = { 'dev.cosignproject.cosign/signature': sign(payload, privateKey) };
    const base = { manifestDigest: 'sha256:sig', annotations, payload, subjectDigest: image };
    const unchecked = readCosignSignature(base);
    assert.equal(unchecked.verification.status, 'not-checked');
    assert.match(unchecked.verification.detail, /--key/);
    const checked = readCosignSignature({ ...base, publicKeys: [{ name: 'stranger.pub', pem: pem(stranger) }, { name: 'cosign.pub', pem: pem(publicKey) }] });
    assert.deepEqual([checked.verification.status, checked.signer], ['verified', 'cosign.pub']);
    const wrong = readCosignSignature({ ...base, publicKeys: [{ name: 'stranger.pub', pem: pem(stranger) }] });
    assert.equal(wrong.verification.status, 'failed');
    assert.match(wrong.verification.detail, /stranger\.pub/);
    assert.equal(readCosignSignature({ ...base, publicKeys: [{ name: 'junk.pub', pem: 'not a key' }] }).verification.status, 'not-checked');
  });

  it("reads Fulcio's newer issuer extension, a URI SAN (a CI workflow) and the Rekor bundle's integrated time", () => {
    const workflow = selfSignedIdentity('ec', {
      subject: [['O', 'sigstore.dev']], uris: ['https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main'], oidcIssuerV2: 'https://token.actions.githubusercontent.com', serial: Buffer.from([4]), ...validity,
    });
    const payload = payloadFor(image);
    const info = readCosignSignature({
      manifestDigest: 'd',
      annotations: {
        'dev.cosignproject.cosign/signature': crypto.sign('sha256', payload, workflow.privateKey).toString('base64'),
        'dev.sigstore.cosign/certificate': workflow.pem,
        'dev.sigstore.cosign/bundle': JSON.stringify({ SignedEntryTimestamp: 'MEUC', Payload: { body: 'e30=', integratedTime: 1717228800, logIndex: 1, logID: 'c0d2' } }),
      },
      payload,
      subjectDigest: image,
      created: '2030-01-01T00:00:00Z',
    });
    assert.deepEqual([info.verification.status, info.signer, info.issuer, info.signedAt], [
      'verified', 'https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main', 'https://token.actions.githubusercontent.com', '2024-06-01T08:00:00Z',
    ]);
  });

  it('RSA keys: a PKCS#1 v1.5 and a PSS signature both verify', () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const payload = payloadFor(image);
    for (const signature of [
      crypto.sign('sha256', payload, privateKey),
      crypto.sign('sha256', payload, { key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
    ]) {
      const info = readCosignSignature({ manifestDigest: 'd', annotations: { 'dev.cosignproject.cosign/signature': signature.toString('base64') }, payload, subjectDigest: image, publicKeys: [{ name: 'rsa.pub', pem }] });
      assert.equal(info.verification.status, 'verified');
    }
  });

  it('a garbage certificate or payload fails plainly; no signature annotation is not checked', () => {
    const payload = payloadFor(image);
    assert.equal(readCosignSignature({ manifestDigest: 'd', annotations: { 'dev.cosignproject.cosign/signature': sign(payload), 'dev.sigstore.cosign/certificate': 'garbage' }, payload, subjectDigest: image }).verification.status, 'failed');
    assert.equal(readCosignSignature({ manifestDigest: 'd', annotations: withCertificate(sign(payload)), payload: Buffer.from('[]'), subjectDigest: image }).verification.status, 'failed');
    assert.equal(readCosignSignature({ manifestDigest: 'd', annotations: {}, payload, subjectDigest: image }).verification.status, 'not-checked');
  });
});

describe('notation signatures', () => {
  const rsa = selfSignedIdentity('rsa', { subject: [['C', 'US'], ['ST', 'WA'], ['O', 'Acme'], ['CN', 'acme release']], serial: Buffer.from([9]), ...validity });
  const ec = selfSignedIdentity('ec', { subject: [['C', 'US'], ['O', 'Acme'], ['CN', 'acme ec']], serial: Buffer.from([10]), ...validity });
  const targetPayload = (digest: string) => Buffer.from(JSON.stringify({ targetArtifact: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1234 } }));

  function jws(digest: string, options: { tamper?: boolean } = {}): Buffer {
    const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
    const header = b64(JSON.stringify({ alg: 'PS256', crit: ['io.cncf.notary.signingScheme'], cty: 'application/vnd.cncf.notary.payload.v1+json', 'io.cncf.notary.signingScheme': 'notary.x509', 'io.cncf.notary.signingTime': '2024-06-01T08:00:00Z' }));
    const payload = b64(targetPayload(digest));
    const signature = crypto.sign('sha256', Buffer.from(`${header}.${payload}`), { key: rsa.privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    return Buffer.from(JSON.stringify({ payload: options.tamper ? b64(targetPayload(otherImage)) : payload, protected: header, header: { x5c: [rsa.der.toString('base64')] }, signature: b64(signature) }));
  }

  function cose(digest: string, options: { tamper?: boolean } = {}): Buffer {
    const protectedHeader = encodeCbor(new Map<CborValue, CborValue>([
      [1, -7],
      [2, ['io.cncf.notary.signingScheme']],
      [3, 'application/vnd.cncf.notary.payload.v1+json'],
      ['io.cncf.notary.signingScheme', 'notary.x509'],
      ['io.cncf.notary.signingTime', { tag: 1, value: 1717228800 }],
    ]));
    const payload = targetPayload(digest);
    const toBeSigned = encodeCbor(['Signature1', protectedHeader, new Uint8Array(0), payload]);
    const signature = crypto.sign('sha256', toBeSigned, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
    const unprotected = new Map<CborValue, CborValue>([[33, [ec.der]], ['io.cncf.notary.signingAgent', 'notation/1.1.0']]);
    return encodeCbor({ tag: 18, value: [protectedHeader, unprotected, options.tamper ? targetPayload(otherImage) : payload, signature] });
  }

  it('JWS: verified with the certificate in x5c, its subject as signer and the signing time', () => {
    const info = readNotationSignature({ manifestDigest: 'sha256:n', mediaType: 'application/jose+json', envelope: jws(image), subjectDigest: image });
    assert.equal(info.verification.status, 'verified', info.verification.detail);
    assert.match(info.verification.detail, /trust store .* NOT checked/);
    assert.deepEqual([info.signer, info.signedAt], ['CN=acme release, O=Acme, ST=WA, C=US', '2024-06-01T08:00:00Z']);
  });

  it('JWS: a payload swapped after signing fails; a signature for another image fails', () => {
    assert.equal(readNotationSignature({ manifestDigest: 'n', mediaType: 'application/jose+json', envelope: jws(image, { tamper: true }), subjectDigest: image }).verification.status, 'failed');
    const other = readNotationSignature({ manifestDigest: 'n', mediaType: 'application/jose+json', envelope: jws(otherImage), subjectDigest: image });
    assert.equal(other.verification.status, 'failed');
    assert.match(other.verification.detail, /not this image/);
  });

  it('COSE_Sign1: verified with the x5chain certificate (ES256), the tagged epoch signing time read', () => {
    const info = readNotationSignature({ manifestDigest: 'sha256:c', mediaType: 'application/cose', envelope: cose(image), subjectDigest: image });
    assert.equal(info.verification.status, 'verified', info.verification.detail);
    assert.deepEqual([info.signer, info.signedAt], ['CN=acme ec, O=Acme, C=US', '2024-06-01T08:00:00Z']);
    assert.equal(readNotationSignature({ manifestDigest: 'c', mediaType: 'application/cose', envelope: cose(image, { tamper: true }), subjectDigest: image }).verification.status, 'failed');
  });

  it('broken envelopes fail with words, never throw', () => {
    for (const [mediaType, envelope] of [
      ['application/jose+json', Buffer.from('{')],
      ['application/jose+json', Buffer.from('{"payload":"x"}')],
      ['application/cose', Buffer.from([0x84, 0x01])],
      ['application/cose', Buffer.from([0x9f, 0xff])],
      ['application/cose', encodeCbor([1, 2, 3, 4])],
    ] as const) {
      const info = readNotationSignature({ manifestDigest: 'x', mediaType, envelope, subjectDigest: image });
      assert.equal(info.verification.status, 'failed', `${mediaType} ${envelope.toString('hex')}`);
      assert.ok(info.verification.detail.length > 10);
    }
  });
});

describe('CBOR', () => {
  it('decodes the RFC 8949 Appendix A examples it needs', () => {
    const cases: Array<[string, unknown]> = [
      ['00', 0], ['17', 23], ['1818', 24], ['1903e8', 1000], ['1a000f4240', 1000000], ['20', -1], ['3863', -100],
      ['40', new Uint8Array(0)], ['4401020304', Uint8Array.from([1, 2, 3, 4])], ['6449455446', 'IETF'], ['62c3bc', 'ü'],
      ['83010203', [1, 2, 3]], ['f4', false], ['f5', true], ['f6', null], ['f93c00', 1], ['fb3ff199999999999a', 1.1],
      ['c11a514b67b0', { tag: 1, value: 1363896240 }], ['1b000000e8d4a51000', 1000000000000],
    ];
    for (const [hex, expected] of cases) assert.deepEqual(decodeCbor(Buffer.from(hex, 'hex')), expected, hex);
    assert.deepEqual(decodeCbor(Buffer.from('a201020304', 'hex')), new Map([[1, 2], [3, 4]]));
  });

  it('refuses lengths beyond the data, indefinite lengths, trailing bytes and runaway nesting', () => {
    for (const hex of ['5a7fffffff', '9a7fffffff', '5f42010243030405ff', '0000', '8181818181818181818181818181818181818100', '18']) {
      assert.throws(() => decodeCbor(Buffer.from(hex, 'hex')), CborError, hex);
    }
  });

  it('round-trips what it encodes', () => {
    const value: CborValue = [1, -7, 'text', Uint8Array.from([0xde, 0xad]), new Map<CborValue, CborValue>([[33, [Uint8Array.from([1])]]]), { tag: 18, value: null }, true];
    assert.deepEqual(decodeCbor(encodeCbor(value)), value);
  });
});
