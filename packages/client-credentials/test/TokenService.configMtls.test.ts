/**
 * Mutual TLS from the environment (`docs/configuration.md#mutual-tls`): `OAUTH_AUTH_METHOD=tls_client_auth` with
 * `OAUTH_TLS_CERTIFICATE_FILE`, `OAUTH_TLS_KEY_FILE` and `OAUTH_TLS_CA_FILE` makes `tlsClientCertificate`, the key
 * `Redacted`; the files' variables go with the TLS methods only. Real files.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as Certificates from "@effect-oauth2/suites/fixtures/Certificates"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Files from "./utils/files.js"

const authority = Certificates.tlsAuthority()
const client = authority.client()

const read = (env: Record<string, string>) =>
  Effect.either(Effect.withConfigProvider(TokenService.config, ConfigProvider.fromMap(new Map(Object.entries(env)))))

describe("TokenService.config: mutual TLS", () => {
  it.scoped("the certificate, key and CA files make tlsClientCertificate, the key Redacted", () =>
    Effect.gen(function*() {
      const directory = yield* Files.tempDirectory
      const cert = yield* Files.writeFile(directory, "client.crt", client.cert)
      const key = yield* Files.writeFile(directory, "client.key", client.key)
      const ca = yield* Files.writeFile(directory, "ca.crt", authority.ca)
      const env = {
        OAUTH_TOKEN_URL: "https://auth.example.com/token",
        OAUTH_CLIENT_ID: "mtls-client",
        OAUTH_AUTH_METHOD: "tls_client_auth",
        OAUTH_TLS_CERTIFICATE_FILE: cert,
        OAUTH_TLS_KEY_FILE: key,
        OAUTH_TLS_CA_FILE: ca
      }
      const options = yield* Effect.flatMap(read(env), Effect.orDie)
      assert.strictEqual(options.authMethod, "tls_client_auth")
      const certificate = (options as TokenService.TlsClientCredentials).tlsClientCertificate
      assert.strictEqual(certificate.cert, client.cert.trim())
      assert.strictEqual(certificate.ca, authority.ca.trim())
      assert.isTrue(Redacted.isRedacted(certificate.key))
      assert.strictEqual(Redacted.value(certificate.key), client.key.trim())
      const refused = yield* read({ ...env, OAUTH_AUTH_METHOD: "client_secret_basic", OAUTH_CLIENT_SECRET: "s" })
      assert.strictEqual(refused._tag, "Left")
      assert.include(String(refused), "OAUTH_TLS_CERTIFICATE_FILE goes with OAUTH_AUTH_METHOD tls_client_auth")
    }))
})
