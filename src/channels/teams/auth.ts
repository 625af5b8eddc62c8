import { ConfigurationBotFrameworkAuthentication, StatusCodes, type Activity } from 'botbuilder';
import { AuthenticationError, type ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Config } from '../../config.ts';

export interface AuthOverrides {
  /**
   * Bot Framework endpoints by their configuration names (ToBotFromChannelOpenIdMetadataUrl,
   * ToBotFromChannelTokenIssuer, ToChannelFromBotLoginUrl, ToChannelFromBotOAuthScope, …):
   * another cloud, or a local stand-in in tests. The public Azure cloud when absent.
   */
  endpoints?: Record<string, string>;
  /** How outgoing Connector calls get their token; the app id and password (MSAL) when absent. */
  credentials?: ServiceClientCredentialsFactory;
}

const JWT_FAILURES = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/**
 * The SDK's configuration-driven authentication, except that a token failing verification (bad
 * signature, wrong audience) is a 401 like every other rejected token, not a 500.
 */
class StrictBotAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(activity: Activity, authHeader: string) {
    try {
      return await super.authenticateRequest(activity, authHeader);
    } catch (err) {
      if (err instanceof Error && JWT_FAILURES.has(err.name))
        throw new AuthenticationError(`Unauthorized: ${err.message}`, StatusCodes.UNAUTHORIZED);
      throw err;
    }
  }
}

export function botAuthentication(teams: NonNullable<Config['teams']>, overrides: AuthOverrides = {}) {
  return new StrictBotAuthentication(
    {
      MicrosoftAppId: teams.appId,
      MicrosoftAppPassword: teams.appPassword,
      MicrosoftAppType: teams.tenantId ? 'SingleTenant' : 'MultiTenant',
      MicrosoftAppTenantId: teams.tenantId ?? '',
      ...overrides.endpoints,
    },
    overrides.credentials,
  );
}
