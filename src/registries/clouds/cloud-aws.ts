// Every use of the AWS SDK (Amazon ECR, ECR Public, the credential chain) is in this file, which the
// build makes its own bundle (dist/cloud-aws.js), loaded through loadCloudModule('aws') the first time
// someone connects an ECR registry. The SDK's HTTP goes through the project's Transport (same pool,
// proxy, timeouts, request log and the one retry policy), so the SDK itself never retries.
// Nothing here words an error or constructs the project's error classes: this bundle has its own
// copies of whatever it imports, so the SDK's errors go back to ecr.ts as they are, to be read there.
// PURE: no vscode imports.

import {
  BatchDeleteImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetRegistryScanningConfigurationCommand,
  StartImageScanCommand,
} from '@aws-sdk/client-ecr';
import {
  BatchDeleteImageCommand as PublicBatchDeleteImageCommand,
  DescribeImagesCommand as PublicDescribeImagesCommand,
  DescribeRegistriesCommand as PublicDescribeRegistriesCommand,
  DescribeRepositoriesCommand as PublicDescribeRepositoriesCommand,
  ECRPUBLICClient,
  GetAuthorizationTokenCommand as PublicGetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr-public';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { Transport } from '../../distribution/transport';

/** Where and as whom the AWS calls are made. */
export interface AwsAccess {
  region: string;
  /** A profile of the shared config files; absent: AWS_PROFILE, else the default chain. */
  profile?: string;
  /** Where AWS_* settings are read (regx passes its own environment); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The service endpoint instead of the region's (AWS_ENDPOINT_URL_ECR, a VPC endpoint, a test emulation). */
  endpoint?: string;
  useFipsEndpoint?: boolean;
  useDualstackEndpoint?: boolean;
  transport: Transport;
  userAgent?: string;
}

const ECR_COMMANDS = {
  GetAuthorizationToken: GetAuthorizationTokenCommand,
  DescribeRepositories: DescribeRepositoriesCommand,
  DescribeImages: DescribeImagesCommand,
  DescribeImageScanFindings: DescribeImageScanFindingsCommand,
  GetRegistryScanningConfiguration: GetRegistryScanningConfigurationCommand,
  StartImageScan: StartImageScanCommand,
  BatchDeleteImage: BatchDeleteImageCommand,
  CreateRepository: CreateRepositoryCommand,
  DeleteRepository: DeleteRepositoryCommand,
} as const;

const ECR_PUBLIC_COMMANDS = {
  GetAuthorizationToken: PublicGetAuthorizationTokenCommand,
  DescribeRegistries: PublicDescribeRegistriesCommand,
  DescribeRepositories: PublicDescribeRepositoriesCommand,
  DescribeImages: PublicDescribeImagesCommand,
  BatchDeleteImage: PublicBatchDeleteImageCommand,
} as const;

// The SDK warns, once per process, that SDK releases after January 2027 will need Node 22. This
// bundle pins its SDK version, so the notice is about releases it will never load, and it would land
// on regx's stderr and in the extension host's log; an explicit setting of the variable still wins.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export type EcrAction = keyof typeof ECR_COMMANDS;
export type EcrPublicAction = keyof typeof ECR_PUBLIC_COMMANDS;

/** Reads and their token requests may be sent again after a reset or a 5xx; deletes and scans never. */
const REPEATABLE = new Set(['GetAuthorizationToken', 'DescribeRepositories', 'DescribeImages', 'DescribeImageScanFindings', 'GetRegistryScanningConfiguration', 'DescribeRegistries']);

/** A findings list of 1000 entries with descriptions runs to a few MiB. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

export interface AwsApi<A extends string> {
  /** One API call; the answer is the SDK's output object (validated by the caller). */
  call(action: A, input: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
  /** The credentials the chain resolves, checked (an SSO session, a role): throws what the chain throws. */
  checkCredentials(): Promise<void>;
}

/** The private registries of an account and region (ecr). */
export function createEcrApi(access: AwsAccess): AwsApi<EcrAction> {
  const credentials = credentialsFor(access);
  const client = new ECRClient({ ...clientConfig(access), credentials });
  return apiOver((command, signal) => client.send(command as never, signal ? { abortSignal: signal } : {}), ECR_COMMANDS, credentials);
}

/** ECR Public (public.ecr.aws): its API answers in us-east-1 only. */
export function createEcrPublicApi(access: AwsAccess): AwsApi<EcrPublicAction> {
  const credentials = credentialsFor(access);
  const client = new ECRPUBLICClient({ ...clientConfig({ ...access, region: 'us-east-1' }), credentials });
  return apiOver((command, signal) => client.send(command as never, signal ? { abortSignal: signal } : {}), ECR_PUBLIC_COMMANDS, credentials);
}

function apiOver<A extends string>(
  send: (command: unknown, signal?: AbortSignal) => Promise<unknown>,
  commands: Record<A, new (input: never) => unknown>,
  credentials: () => Promise<unknown>,
): AwsApi<A> {
  return {
    call: (action, input, signal) => send(new commands[action](input as never), signal),
    checkCredentials: async () => {
      await credentials();
    },
  };
}

function clientConfig(access: AwsAccess) {
  return {
    region: access.region,
    ...(access.endpoint ? { endpoint: access.endpoint } : {}),
    ...(access.useFipsEndpoint ? { useFipsEndpoint: true } : {}),
    ...(access.useDualstackEndpoint ? { useDualstackEndpoint: true } : {}),
    requestHandler: new TransportHandler(access.transport),
    // The transport's retries are the one policy; a second loop in the SDK would multiply them.
    maxAttempts: 1,
    ...(access.userAgent ? { customUserAgent: access.userAgent } : {}),
  };
}

/**
 * The standard chain, as the AWS CLI resolves it: a named profile (static keys, SSO, an assumed role,
 * credential_process, web identity) from the shared files; else the environment's keys; else the whole
 * default chain (SSO, web identity, container and instance metadata). The files are re-read each time
 * a provider is made, so a fresh `aws sso login` or edited credentials file is seen on the next sign-in.
 */
function credentialsFor(access: AwsAccess) {
  const env = access.env ?? process.env;
  const files = {
    ...(env['AWS_SHARED_CREDENTIALS_FILE'] ? { filepath: env['AWS_SHARED_CREDENTIALS_FILE'] } : {}),
    ...(env['AWS_CONFIG_FILE'] ? { configFilepath: env['AWS_CONFIG_FILE'] } : {}),
    ignoreCache: true,
  };
  const profile = access.profile ?? env['AWS_PROFILE'];
  if (profile) return fromIni({ profile, ...files });
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (accessKeyId && secretAccessKey) {
    // fromEnv reads process.env; regx may have been given another environment.
    const sessionToken = env['AWS_SESSION_TOKEN'];
    const identity = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    return async () => identity;
  }
  return fromNodeProviderChain(files);
}

interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** The SDK's request handler, over the project's Transport. */
class TransportHandler {
  constructor(private readonly transport: Transport) {}

  async handle(request: SdkHttpRequest, options?: { abortSignal?: unknown }) {
    const url = new URL(`${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      for (const v of Array.isArray(value) ? value : [value]) if (v !== null) url.searchParams.append(name, v);
    }
    const headers: Record<string, string> = {};
    let authorization: string | undefined;
    for (const [name, value] of Object.entries(request.headers)) {
      const lower = name.toLowerCase();
      // The transport sets these from the URL and the body it sends.
      if (lower === 'host' || lower === 'content-length') continue;
      if (lower === 'authorization') authorization = value;
      else headers[lower] = value;
    }
    const target = headers['x-amz-target'] ?? '';
    const action = target.slice(target.lastIndexOf('.') + 1);
    const body = typeof request.body === 'string' || request.body instanceof Uint8Array ? request.body : undefined;
    const signal = options?.abortSignal instanceof AbortSignal ? options.abortSignal : undefined;
    const res = await this.transport.request({
      method: request.method,
      url: url.toString(),
      headers,
      ...(authorization ? { authorization } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(signal ? { signal } : {}),
      retry: REPEATABLE.has(action),
      // A signed request is for its own host: never carried along a redirect.
      followRedirects: false,
      maxBodyBytes: MAX_ANSWER_BYTES,
    });
    const answer = await res.bytes();
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
    return { response: { statusCode: res.status, headers: flat, body: answer } };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
}
