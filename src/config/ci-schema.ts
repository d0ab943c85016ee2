/**
 * The `ci` section of berth.yml (top level only): what `berth ci github` needs that git cannot tell it.
 * Kept beside schema.ts so the CI keys stay out of the service model.
 */
import { z } from 'zod';

export const GITHUB_REPOSITORY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;
export const OIDC_PROVIDER_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;

export const ciSchema = z.strictObject({
  github: z.string().regex(GITHUB_REPOSITORY_PATTERN, { error: 'expected a GitHub repository as owner/repo, e.g. acme/news-api' })
    .meta({ description: 'the GitHub repository as owner/repo; default: read from `git remote get-url origin`' }).optional(),
  oidcProviderArn: z.string().regex(OIDC_PROVIDER_ARN_PATTERN, { error: 'expected arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com' })
    .meta({ description: "the account's GitHub OIDC identity provider to reuse; default: found with iam:ListOpenIDConnectProviders at deploy, or created" }).optional(),
});

export type CiSection = z.infer<typeof ciSchema>;
