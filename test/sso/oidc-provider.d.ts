// The few parts of oidc-provider (an ES module without type declarations) the tests use.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface ProviderGrant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }
  export interface ProviderContext {
    oidc: {
      client: { clientId: string };
      session: { accountId: string; grantIdFor(clientId: string): string | undefined };
      result?: { consent?: { grantId?: string } };
      provider: {
        Grant: {
          new (properties: { clientId: string; accountId: string }): ProviderGrant;
          find(id: string): Promise<ProviderGrant | undefined>;
        };
      };
    };
  }
  export interface ProviderInstance {
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
  const Provider: new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;
  export default Provider;
}
