// Docker's certs.d layout, read from real directories: what is trusted, what is sent, what is refused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { certsDirFor, readCertsDir } from '../../../src/distribution/certsDir';
import { InvalidInputError } from '../../../src/errors/errors';
import { rejection } from '../../support/rejection';

describe('readCertsDir', () => {
  let root: string;
  const dir = (name: string, files: Record<string, string>) => {
    const d = path.join(root, name);
    fs.mkdirSync(d, { recursive: true });
    for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(d, file), text);
    return d;
  };
  before(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-certsd-'))));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a registry without a directory has nothing to add', async () => {
    assert.equal(await readCertsDir(path.join(root, 'absent:5000')), undefined);
  });

  it('every .crt is a CA; the first NAME.cert with NAME.key is the client certificate', async () => {
    const d = dir('reg.example:5000', { 'b.crt': 'CA-B', 'a.crt': 'CA-A', 'client.cert': 'CERT', 'client.key': 'KEY', 'z.cert': 'CERT-Z', 'z.key': 'KEY-Z', 'README': 'ignored' });
    assert.equal(certsDirFor(root, 'reg.example:5000'), d);
    assert.deepEqual(await readCertsDir(d), { ca: 'CA-A\nCA-B', cert: 'CERT', key: 'KEY' });
  });

  it('a client certificate without its key, or a key without its certificate, is refused naming the file', async () => {
    const noKey = await rejection(readCertsDir(dir('nokey', { 'client.cert': 'CERT' })));
    assert.ok(noKey instanceof InvalidInputError);
    assert.match(noKey.message, /nokey\/client\.cert.*has no client\.key beside it.*\.crt/);
    const noCert = await rejection(readCertsDir(dir('nocert', { 'client.key': 'KEY' })));
    assert.ok(noCert instanceof InvalidInputError);
    assert.match(noCert.message, /nocert\/client\.key.*has no client\.cert beside it/);
  });
});
