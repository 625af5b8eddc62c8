import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenCredentials, ServiceClientCredentialsFactory } from 'botframework-connector';
import { SignJWT } from 'jose';

/** One call the bot made to the Connector API. */
export interface ConnectorCall {
  method: string;
  path: string;
  authorization?: string;
  body: Record<string, unknown>;
}

export const APP_ID = '11111111-2222-4333-8444-555555555555';
export const CHANNEL_ISSUER = 'https://api.botframework.com';
/** What the test credential factory signs outgoing Connector calls with. */
export const OUTGOING_TOKEN = 'test-outgoing-token';
const KID = 'test-signing-key';

/** Outgoing calls carry a fixed bearer token instead of one fetched from Entra ID. */
class TestCredentials extends ServiceClientCredentialsFactory {
  async isValidAppId(appId: string) {
    return appId === APP_ID;
  }
  async isAuthenticationDisabled() {
    return false;
  }
  async createCredentials() {
    return new TokenCredentials(OUTGOING_TOKEN);
  }
}

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });

/**
 * A local stand-in for the Bot Framework service: it publishes the OpenID metadata and signing
 * keys the bot validates incoming tokens against, issues those tokens, and records every
 * Connector call (`/v3/conversations…`) the bot makes, answering like the real service.
 */
export async function startConnectorStandIn() {
  const keys = rsa();
  const calls: ConnectorCall[] = [];
  let created = 0;
  let sent = 0;
  let url = '';

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method === 'GET' && path === '/openid')
        return json(200, { issuer: CHANNEL_ISSUER, jwks_uri: `${url}/keys` });
      if (req.method === 'GET' && path === '/keys') {
        const jwk = keys.publicKey.export({ format: 'jwk' });
        return json(200, { keys: [{ ...jwk, kid: KID, use: 'sig', alg: 'RS256', endorsements: ['msteams'] }] });
      }
      if (!path.startsWith('/v3/conversations')) return json(404, { error: 'not a connector path' });
      const raw = Buffer.concat(chunks).toString('utf8');
      calls.push({
        method: req.method ?? '',
        path: decodeURIComponent(path),
        authorization: req.headers.authorization,
        body: raw ? JSON.parse(raw) : {},
      });
      if (req.method === 'POST' && path === '/v3/conversations') return json(201, { id: `a:direct-${++created}` });
      return json(200, { id: `sent-${++sent}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const serviceUrl = `${url}/`;

  const sign = (claims: Record<string, unknown>, key: KeyObject = keys.privateKey, kid = KID) =>
    new SignJWT({ iss: CHANNEL_ISSUER, aud: APP_ID, serviceurl: serviceUrl, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('10m')
      .sign(key);

  return {
    serviceUrl,
    calls,
    /** A token as the Bot Framework channel service would send it to this bot. */
    token: (claims: Record<string, unknown> = {}) => sign(claims),
    /** Right key id and claims, signed by a key the stand-in never published. */
    forgedToken: () => sign({}, rsa().privateKey),
    /** What startTeams needs to trust this stand-in instead of Microsoft's endpoints. */
    auth: {
      endpoints: {
        ToBotFromChannelOpenIdMetadataUrl: `${url}/openid`,
        ToBotFromChannelTokenIssuer: CHANNEL_ISSUER,
        ToBotFromEmulatorOpenIdMetadataUrl: `${url}/emulator-openid`,
        ToChannelFromBotLoginUrl: `${url}/login`,
        ToChannelFromBotOAuthScope: CHANNEL_ISSUER,
        OAuthUrl: `${url}/oauth`,
        CallerId: 'urn:botframework:azure',
      },
      credentials: new TestCredentials(),
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type ConnectorStandIn = Awaited<ReturnType<typeof startConnectorStandIn>>;
