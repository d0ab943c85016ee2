/**
 * AWS SDK errors turned into messages for people: missing or expired credentials, throttling the SDK
 * gave up on, access denied, an unreachable endpoint. Everything else keeps the service's own words.
 */
import { OperationError } from '../../errors.js';

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { attempts?: number; httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

const THROTTLING = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded',
  'RequestThrottled', 'RequestThrottledException', 'ProvisionedThroughputExceededException', 'SlowDown', 'PriorRequestNotComplete',
]);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const INVALID_CREDENTIALS = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'InvalidSignatureException', 'AuthFailure']);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError']);

const CREDENTIAL_HINT = 'set AWS_PROFILE (or --profile) to a configured profile, run `aws sso login --profile NAME` for SSO, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : { message: String(error) };
}

/** The SDK error's name (`ThrottlingException`, `ExpiredToken`, ...), or undefined for other errors. */
export function awsErrorName(error: unknown): string | undefined {
  const e = shape(error);
  return e.name ?? e.code;
}

export function isThrottling(error: unknown): boolean {
  const e = shape(error);
  return THROTTLING.has(awsErrorName(error) ?? '') || Boolean(e.$retryable?.throttling) || e.$metadata?.httpStatusCode === 429;
}

/** True when the error says the named AWS resource does not exist. */
export function isNotFound(error: unknown): boolean {
  const name = awsErrorName(error) ?? '';
  const message = shape(error).message ?? '';
  return /NotFound|NoSuch|ParameterNotFound|does not exist/i.test(name) || /does not exist|not found/i.test(message);
}

/** Turns any error from an AWS call into an OperationError saying what berth was doing and what to do. */
export function explainAwsError(action: string, error: unknown): OperationError {
  if (error instanceof OperationError) return error;
  const e = shape(error);
  const name = awsErrorName(error) ?? 'Error';
  const message = (e.message ?? '').trim();
  const attempts = e.$metadata?.attempts;
  if (name === 'CredentialsProviderError' || /Could not load credentials|Unable to locate credentials|profile .* could not be found/i.test(message)) {
    const profile = process.env.AWS_PROFILE;
    return new OperationError(`${action}: no AWS credentials found${profile ? ` for profile ${profile}` : ''} (${message || name})`, profile ? `check that profile ${profile} exists in ~/.aws/config (\`aws configure list-profiles\`); for SSO run \`aws sso login --profile ${profile}\`` : CREDENTIAL_HINT);
  }
  if (EXPIRED.has(name) || /token.*(expired|has expired)|session.*expired/i.test(message)) {
    return new OperationError(`${action}: the AWS credentials have expired (${name})`, 'refresh them: `aws sso login` for SSO profiles, or get new temporary credentials, then run berth again');
  }
  if (INVALID_CREDENTIALS.has(name)) {
    return new OperationError(`${action}: AWS rejected the credentials (${name}: ${message})`, CREDENTIAL_HINT);
  }
  if (isThrottling(error)) {
    const tries = attempts ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'} with backoff` : '';
    return new OperationError(`${action}: AWS kept throttling the requests and berth gave up${tries} (${name})`, 'wait a minute and run again; raise AWS_MAX_ATTEMPTS to retry longer');
  }
  if (DENIED.has(name)) {
    return new OperationError(`${action}: access denied (${message || name})`, 'the AWS identity berth runs as needs this permission; `berth status` shows which account and identity are in use');
  }
  if (name === 'Region is missing' || /Region is missing/i.test(message)) {
    return new OperationError(`${action}: no AWS region`, 'set region in berth.yml (environments.<env>.region), pass --region, or export AWS_REGION');
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EAI_AGAIN' || /ECONNREFUSED|ENOTFOUND|getaddrinfo/.test(message)) {
    const endpoint = process.env.AWS_ENDPOINT_URL;
    return new OperationError(
      `${action}: could not reach AWS${endpoint ? ` at AWS_ENDPOINT_URL=${endpoint}` : ''} (${code ?? message})`,
      endpoint ? 'start the emulator at that address, or unset AWS_ENDPOINT_URL to use AWS itself' : 'check the network connection and the region',
    );
  }
  return new OperationError(`${action}: ${name}${message && message !== name ? `: ${message}` : ''}`);
}

/** Runs one AWS call, turning its failure into an explained OperationError. */
export async function awsCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw explainAwsError(action, error);
  }
}
