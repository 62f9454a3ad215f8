/**
 * Mutual TLS (RFC 8705, `docs/configuration.md#mutual-tls`): the line's `MtlsHttpClient` presents the client
 * certificate in the TLS handshake of a token endpoint that asks for one (`fixtures/TlsTokenServer`, on 127.0.0.1 with
 * a test authority), the token request carries `client_id` and no secret; discovery's `mtls_endpoint_aliases` are
 * followed; an `AuthorizedClient` on the same client presents the certificate to the API too (whose token is bound to
 * it), and so does the Promise API's `fetch` with `MtlsHttpClient.layer` for its `httpClient`; a certificate the server
 * does not trust is refused as the server says; tokens are kept per certificate; options are refused when the layer is
 * built, naming the option; the key shows in no error and no log. Real time, short and bounded, but for the store's
 * keys (a scripted network).
 *
 * @since 0.1.0
 */
import * as Certificates from "./fixtures/Certificates.js"
import * as TlsTokenServer from "./fixtures/TlsTokenServer.js"
import * as Kit from "./internal/kit.js"
import * as Leaks from "./internal/leaks.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

const timeout = 30_000

/** The values that must show nowhere: the start of each piece of the key's base64 (its armour is no secret). */
const keyPieces = (key: string): Record<string, string> => Leaks.pemPieces("the key", key)

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  const authority = Certificates.tlsAuthority()
  const client = authority.client()

  /** The server started, then `body` with a live network whose client presents `certificate`; both closed after. */
  const withServer = async <A>(
    certificate: Line.TlsClientCertificate,
    serverOptions: { readonly rejectUnauthorized?: boolean },
    body: (server: TlsTokenServer.TlsTokenServer, net: Line.Network) => Promise<A>
  ): Promise<A> => {
    const server = await TlsTokenServer.start(authority, serverOptions)
    try {
      return await Kit.withLive(line, { tlsClientCertificate: certificate }, (net) => body(server, net))
    } finally {
      await server.close()
    }
  }

  const presented = (certificate: { readonly cert: string; readonly key: string }) => ({
    cert: certificate.cert,
    key: certificate.key,
    ca: authority.ca
  })

  /**
   * A stranger's certificate (another authority's) presented to a server with `serverOptions`: `check` is given the
   * service's error once it asked for a token, while the server and the network are open.
   */
  const withStranger = (
    serverOptions: { readonly rejectUnauthorized?: boolean },
    check: (
      error: Awaited<ReturnType<typeof Kit.errorOf>>,
      server: TlsTokenServer.TlsTokenServer,
      net: Line.Network,
      stranger: ReturnType<ReturnType<typeof Certificates.tlsAuthority>["client"]>
    ) => void
  ) => {
    const stranger = Certificates.tlsAuthority().client("stranger")
    return withServer(presented(stranger), serverOptions, async (server, net) => {
      const service = await net.service({
        tokenUrl: server.tokenUrl,
        clientId: "mtls-client",
        authMethod: "tls_client_auth",
        tlsClientCertificate: presented(stranger),
        retry: { times: 0 }
      })
      check(await Kit.errorOf(service.get()), server, net, stranger)
    })
  }

  describe("mutual TLS against a token endpoint that asks for a certificate", () => {
    for (const authMethod of ["tls_client_auth", "self_signed_tls_client_auth"] as const) {
      it(
        `${authMethod}: the certificate is presented and verified, client_id sent without a secret`,
        () =>
          withServer(presented(client), {}, async (server, net) => {
            const service = await net.service({
              tokenUrl: server.tokenUrl,
              clientId: "mtls-client",
              authMethod,
              tlsClientCertificate: presented(client),
              retry: { times: 0 }
            })
            assert.strictEqual(await Kit.valueOf(service.get()), "mtls-1")
            const [request, ...more] = server.requests()
            assert.strictEqual(more.length, 0)
            assert.strictEqual(request!.thumbprint, client.thumbprint)
            assert.isTrue(request!.authorized)
            assert.deepStrictEqual(request!.params, [["grant_type", "client_credentials"], [
              "client_id",
              "mtls-client"
            ]])
            assert.isUndefined(request!.authorization)
          }),
        timeout
      )
    }

    it(
      "an AuthorizedClient on the same HTTP client presents the certificate to the API too, with the bound token",
      () =>
        withServer(presented(client), {}, async (server, net) => {
          const service = await net.service({
            tokenUrl: server.tokenUrl,
            clientId: "mtls-client",
            authMethod: "tls_client_auth",
            tlsClientCertificate: presented(client),
            retry: { times: 0 }
          })
          const api = await net.authorizedClient(service)
          const response = Kit.succeeded(await api.send({ url: server.apiUrl }).outcome)
          assert.strictEqual(response.status, 200)
          assert.deepStrictEqual(
            server.requests().map((request) => request.thumbprint),
            [client.thumbprint]
          )
          assert.deepStrictEqual(server.apiRequests(), [{
            authorization: "Bearer mtls-1",
            thumbprint: client.thumbprint
          }])
        }),
      timeout
    )

    it(
      "through discovery: the metadata's mtls_endpoint_aliases.token_endpoint, not its token_endpoint",
      () =>
        withServer(presented(client), {}, async (server, net) => {
          const service = await net.service({
            issuer: server.issuer,
            clientId: "mtls-client",
            authMethod: "tls_client_auth",
            tlsClientCertificate: presented(client),
            retry: { times: 0 }
          })
          assert.strictEqual(await Kit.valueOf(service.get()), "mtls-1")
          assert.deepStrictEqual(
            server.requests().map((request) => [request.path, request.thumbprint]),
            [["/mtls/token", client.thumbprint]]
          )
        }),
      timeout
    )

    it("a certificate the server does not trust: its 401 invalid_client is a TokenError; the key shows nowhere", () => {
      return withStranger({}, (error, server, net, stranger) => {
        assert.strictEqual(error.tag, "TokenError")
        assert.strictEqual(error.fields.error, "invalid_client")
        const [request] = server.requests()
        assert.strictEqual(request!.thumbprint, stranger.thumbprint)
        assert.isFalse(request!.authorized)
        Leaks.assertClean(assert, error, net.logs(), keyPieces(stranger.key))
      })
    }, timeout)

    it("a server that refuses the handshake: a NetworkError of the transport; the key shows nowhere", () => {
      return withStranger({ rejectUnauthorized: true }, (error, server, net, stranger) => {
        assert.strictEqual(error.tag, "NetworkError")
        assert.strictEqual(error.reason, "Transport")
        assert.strictEqual(server.requests().length, 0)
        assert.isAtLeast(server.refusedHandshakes(), 1)
        Leaks.assertClean(assert, error, net.logs(), keyPieces(stranger.key))
      })
    }, timeout)
  })

  describe("mutual TLS through the Promise API", () => {
    it(
      "createTokenClient with httpClient MtlsHttpClient.layer: getToken over the certificate, fetch presents it to the API",
      async () => {
        const server = await TlsTokenServer.start(authority)
        try {
          const tokens = line.promise.createTokenClient({
            tokenUrl: server.tokenUrl,
            clientId: "mtls-client",
            authMethod: "tls_client_auth",
            tlsClientCertificate: { ...presented(client), key: line.promise.secret(client.key) },
            httpClient: line.promise.httpClient({ tlsClientCertificate: presented(client) })
          })
          try {
            assert.strictEqual(await tokens.getToken(), "mtls-1")
            const response = await tokens.fetch(server.apiUrl)
            assert.strictEqual(response.status, 200)
            assert.deepStrictEqual(await response.json(), { ok: true })
          } finally {
            await tokens.close()
          }
          assert.deepStrictEqual(
            server.requests().map((request) => [request.thumbprint, request.authorized]),
            [[client.thumbprint, true]]
          )
          assert.deepStrictEqual(server.apiRequests(), [{
            authorization: "Bearer mtls-1",
            thumbprint: client.thumbprint
          }])
        } finally {
          await server.close()
        }
      },
      timeout
    )
  })

  describe("mutual TLS: tokens kept per certificate", () => {
    it("a shared store: the same certificate shares a token, another certificate gets its own", async () => {
      const net = await line.telemetry.observed()
      try {
        const store = net.store()
        const other = authority.client("other")
        const options = (certificate: { readonly cert: string; readonly key: string }): Line.ServiceOptions => ({
          tokenUrl: Kit.tokenUrl,
          clientId: "mtls-client",
          authMethod: "tls_client_auth",
          tlsClientCertificate: presented(certificate)
        })
        const first = await Kit.valueOf((await store.service(options(client))).get())
        assert.strictEqual(await Kit.valueOf((await store.service(options(client))).get()), first)
        const second = await Kit.valueOf((await store.service(options(other))).get())
        assert.notStrictEqual(second, first)
        assert.strictEqual(net.requests().length, 2)
      } finally {
        await net.close()
      }
    }, timeout)
  })

  describe("mutual TLS: options refused when the layer is built", () => {
    const stranger = Certificates.tlsAuthority().client("stranger")
    const cases: ReadonlyArray<readonly [string, Line.ServiceOptions, string]> = [
      ["no certificate", {}, "tls_client_auth needs tlsClientCertificate"],
      [
        "a key that is not the certificate's",
        { tlsClientCertificate: { cert: client.cert, key: stranger.key } },
        "tlsClientCertificate.key does not match tlsClientCertificate.cert"
      ],
      [
        "a key where the certificate goes",
        { tlsClientCertificate: { cert: client.key, key: client.key } },
        "tlsClientCertificate.cert holds a PEM block that is no certificate"
      ],
      [
        "a certificate where the key goes",
        { tlsClientCertificate: { cert: client.cert, key: client.cert } },
        "tlsClientCertificate.key is not a PEM private key"
      ],
      [
        "a secret beside it",
        { tlsClientCertificate: presented(client), clientSecret: "s3cret" },
        "clientSecret is not an option of tls_client_auth"
      ],
      [
        "a CA that is no certificate",
        { tlsClientCertificate: { ...presented(client), ca: "not a certificate" } },
        "tlsClientCertificate.ca is not a PEM certificate"
      ]
    ]
    for (const [what, options, problem] of cases) {
      it(`${what}: refused, naming the option, the key shown nowhere`, () =>
        Kit.withScripted(line, {}, async (net) => {
          const refusal = await net.service({
            tokenUrl: Kit.tokenUrl,
            clientId: "mtls-client",
            authMethod: "tls_client_auth",
            ...options
          }).then(() => undefined, (error: unknown) => error as Error)
          assert.isDefined(refusal)
          assert.include(refusal!.message, problem)
          for (const key of [client.key, stranger.key]) {
            Leaks.assertNoStart(assert, "the refusal", `${String(refusal)} ${refusal!.stack}`, keyPieces(key))
          }
          assert.strictEqual(net.requests().length, 0)
        }))
    }

    it("the HTTP client's layer refuses a key that is not the certificate's, naming it", async () => {
      const refusal = await line.live({ tlsClientCertificate: { cert: client.cert, key: stranger.key } }).then(
        async (net) => {
          await net.close()
          return undefined
        },
        (error: unknown) => error as Error
      )
      assert.isDefined(refusal)
      assert.include(
        refusal!.message,
        "MtlsHttpClient: tlsClientCertificate.key does not match tlsClientCertificate.cert"
      )
      Leaks.assertNoStart(assert, "the refusal", `${String(refusal)} ${refusal!.stack}`, keyPieces(stranger.key))
    }, timeout)
  })
}
