/**
 * The line's modules are loaded once: a module written once for both lines is a link here, and the tests import the
 * package both by its name (`@effect-oauth2/client-credentials`) and by path (`../src/…`). Both must be the same
 * module of this line, or `instanceof` and class identity would break between them.
 */
import { AccessToken, TokenError, TokenStore } from "@effect-oauth2/client-credentials"
import { describe, expect, it } from "@effect/vitest"
import * as AccessTokenByPath from "../src/AccessToken.js"
import * as TokenErrorByPath from "../src/TokenError.js"
import * as TokenStoreByPath from "../src/TokenStore.js"

describe("the package's modules", () => {
  it("are the same by name and by path", () => {
    expect(TokenError.TokenError).toBe(TokenErrorByPath.TokenError)
    expect(AccessToken.AccessToken).toBe(AccessTokenByPath.AccessToken)
    expect(TokenStore.TokenStoreError).toBe(TokenStoreByPath.TokenStoreError)
  })
})
