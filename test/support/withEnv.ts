// process.env changed for the length of one call: what the cloud SDKs that read process.env itself
// (@azure/identity's DefaultAzureCredential) see when regx runs in this process.

/** Run with process.env changed (the SDK reads process.env), then put it back. */
export async function withEnv<T>(change: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(change).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** No ambient Azure credentials but the ones a test names. */
export const NO_AZURE: Record<string, string | undefined> = {
  AZURE_TENANT_ID: undefined,
  AZURE_CLIENT_ID: undefined,
  AZURE_CLIENT_SECRET: undefined,
  AZURE_CLIENT_CERTIFICATE_PATH: undefined,
  AZURE_FEDERATED_TOKEN_FILE: undefined,
  AZURE_USERNAME: undefined,
  AZURE_TOKEN_CREDENTIALS: undefined,
  IDENTITY_ENDPOINT: undefined,
  IDENTITY_HEADER: undefined,
  MSI_ENDPOINT: undefined,
  MSI_SECRET: undefined,
  IMDS_ENDPOINT: undefined,
};
