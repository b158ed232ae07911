/** The app as the test OpenID Provider knows it (tests/helpers/oidc-provider.ts): one confidential client. */
export const IDP_CLIENT = { id: 'staysignedin', secret: 'a-client-secret-only-the-tests-know-0123456789' };
