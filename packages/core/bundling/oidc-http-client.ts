// Bundling only (actions/tsconfig.json maps `@actions/http-client` here): `@actions/core` imports the
// HTTP client solely for `getIDToken()` (OIDC), which no hotfix action calls, yet loading it, and the
// copy of undici it imports at the top, doubled every action's start-up. This stand-in satisfies the
// import; webpack then sees that nothing reachable uses it and leaves it out too, so getIDToken()
// would fail with "HttpClient is not defined". (Known upstream: actions/toolkit#1697, #1893.)

/** Refuses to be used: OIDC tokens are not available inside hotfix-actions bundles. */
export class HttpClient {
  constructor() {
    throw new Error(
      'getIDToken() is not available in hotfix-actions bundles: the OIDC client is left out to keep start-up fast.',
    );
  }
}
