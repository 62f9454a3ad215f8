import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

/** What client authentication adds to one token request: headers and form parameters. */
export interface Credentials {
  readonly headers: Readonly<Record<string, string>>
  readonly params: ReadonlyArray<readonly [string, string]>
}

/**
 * A client authentication method (RFC 6749 §2.3). An effect per request, so that methods which sign a fresh
 * assertion for every request fit the same shape.
 */
export interface ClientAuthentication {
  readonly method: string
  readonly credentials: Effect.Effect<Credentials>
}

/**
 * `application/x-www-form-urlencoded` encoding of one value (RFC 6749 Appendix B): what `URLSearchParams`
 * produces, so a space is `+` and every reserved character is percent-encoded.
 */
export const formUrlEncode = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1)

const basicCredentials = (clientId: string, clientSecret: Redacted.Redacted<string>): string =>
  // form-urlencoded text is ASCII, so btoa is exact
  btoa(`${formUrlEncode(clientId)}:${formUrlEncode(Redacted.value(clientSecret))}`)

/**
 * The values the client secret goes on the wire as, which a server that echoes the request may echo: the secret,
 * and the Basic credentials that hold it. Redaction (`redaction.ts`) removes each of them in all its encoded
 * forms, the form-urlencoded secret that `client_secret_post` sends among them.
 */
export const secretForms = (
  clientId: string,
  clientSecret: Redacted.Redacted<string>
): ReadonlyArray<Redacted.Redacted<string>> => [clientSecret, Redacted.make(basicCredentials(clientId, clientSecret))]

/**
 * `client_secret_basic`: HTTP Basic with the client id and secret form-urlencoded first (RFC 6749 §2.3.1), so
 * that a secret with `:`, `%`, `+` or non-ASCII characters arrives intact.
 */
export const clientSecretBasic = (clientId: string, clientSecret: Redacted.Redacted<string>): ClientAuthentication => ({
  method: "client_secret_basic",
  credentials: Effect.sync(() => ({
    headers: { authorization: `Basic ${basicCredentials(clientId, clientSecret)}` },
    params: []
  }))
})

/** `client_secret_post`: the client id and secret as form parameters in the body. */
export const clientSecretPost = (clientId: string, clientSecret: Redacted.Redacted<string>): ClientAuthentication => ({
  method: "client_secret_post",
  credentials: Effect.sync(() => ({
    headers: {},
    params: [["client_id", clientId], ["client_secret", Redacted.value(clientSecret)]]
  }))
})
