// Where the real services started by test/services/start.mjs listen. test/run.mjs starts them and
// passes this description in REGX_TEST_SERVICES (JSON); a developer can run `npm run services`
// and export the line it prints.

export interface TestRegistry {
  /** host:port on loopback, plain http. */
  host: string;
  /** Username/password that may pull, push and delete (absent for open registries). */
  user?: { username: string; password: string };
  /** Username/password that may only pull (token registry only). */
  reader?: { username: string; password: string };
  /** Base URL of the token issuer (token registry only). */
  issuer?: string;
}

export interface TestServices {
  /** Open registry, deletes enabled. */
  open: TestRegistry;
  /** Open registry, deletes disabled (405 UNSUPPORTED on delete). */
  openNoDelete: TestRegistry;
  /** htpasswd Basic auth. */
  basic: TestRegistry;
  /** Token auth through the fixture issuer. */
  token: TestRegistry;
  /** unix:///… socket of the test dockerd, when it was started. */
  dockerHost?: string;
  /** Folder holding each service's data and logs. */
  root: string;
}

/** The services, or undefined when the tests run without them (tiers that skip instead of failing). */
export function testServicesIfStarted(): TestServices | undefined {
  const raw = process.env.REGX_TEST_SERVICES;
  return raw ? (JSON.parse(raw) as TestServices) : undefined;
}

export function testServices(): TestServices {
  const raw = process.env.REGX_TEST_SERVICES;
  if (!raw) {
    throw new Error('REGX_TEST_SERVICES is not set: run the tests through `npm test` (test/run.mjs), which starts the real registries');
  }
  return JSON.parse(raw) as TestServices;
}
