/**
 * The built `effect-oauth2` against a `FakeAuthServer` on 127.0.0.1: what it prints, on which stream, with which exit
 * code, and that no failure prints the secret or a token.
 */
import * as Certificates from "@effect-oauth2/suites/fixtures/Certificates"
import * as TlsTokenServer from "@effect-oauth2/suites/fixtures/TlsTokenServer"
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as Effect from "effect/Effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { closedPort, runCli, startFakeServer, startJsonServer, startSilentServer, unsignedJwt } from "./utils/cli.js"

const client = { clientId: "cli-client", clientSecret: "cli-s3cret-Value-42" }

let server: FakeAuthServer.Service
let stopServer: () => Promise<void>
let tmp: string

beforeAll(async () => {
  const started = await startFakeServer({ clients: [client] })
  server = started.server
  stopServer = started.stop
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "effect-oauth2-cli-"))
})

afterAll(async () => {
  await stopServer()
  fs.rmSync(tmp, { recursive: true, force: true })
})

/** The variables of the fake server's client. */
const env = () => ({
  OAUTH_TOKEN_URL: server.tokenUrl,
  OAUTH_CLIENT_ID: client.clientId,
  OAUTH_CLIENT_SECRET: client.clientSecret
})

/** The form parameters of the last token request the server saw. */
const lastParams = async () => {
  const requests = await Effect.runPromise(server.tokenRequests)
  return requests[requests.length - 1]!.params
}

/** A failure's output: nothing on stdout, one line on stderr, neither the secret nor `tokens` in it. */
const expectOneLineFailure = (run: { stdout: string; stderr: string }, tokens: ReadonlyArray<string> = []) => {
  expect(run.stdout).toBe("")
  expect(run.stderr).toMatch(/^effect-oauth2: [^\n]+\n$/)
  for (const secret of [client.clientSecret, ...tokens]) expect(run.stderr).not.toContain(secret)
}

const jwtHeader = { alg: "RS256", typ: "at+jwt", kid: "key-1" }
const jwtClaims = { iss: "https://issuer.example", sub: "cli-client", aud: "https://api.example", exp: 2000000000 }

describe("effect-oauth2 token", () => {
  it("prints the token and a newline on stdout, nothing else, and exits 0; the token is the server's", async () => {
    const run = await runCli(["token"], env())
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toMatch(/^[\x21-\x7e]+\n$/)
    const response = await fetch(server.apiUrl, { headers: { authorization: `Bearer ${run.stdout.trim()}` } })
    expect(response.status).toBe(200)
  })

  it("takes flags over the variables (an endpoint, a credential), the secret from --client-secret-file, --scope and --resource repeated", async () => {
    const secretFile = path.join(tmp, "secret")
    fs.writeFileSync(secretFile, `${client.clientSecret}\n`)
    const run = await runCli([
      "token",
      "--token-url",
      server.tokenUrl,
      "--client-id",
      client.clientId,
      "--client-secret-file",
      secretFile,
      "--scope",
      "read",
      "--scope",
      "write",
      "--resource",
      "https://api.example/a",
      "--resource",
      "https://api.example/b"
    ], {
      // each overridden; the issuer and the key file would be a second endpoint and a second credential
      OAUTH_ISSUER: `http://127.0.0.1:${await closedPort()}`,
      OAUTH_CLIENT_ID: "someone-else",
      OAUTH_CLIENT_SECRET: "the-wrong-secret",
      OAUTH_PRIVATE_KEY_FILE: path.join(tmp, "no-such-key")
    })
    expect(run).toMatchObject({ code: 0, stderr: "" })
    const params = await lastParams()
    expect(params).toContainEqual(["scope", "read write"])
    expect(params.filter(([name]) => name === "resource").map(([, value]) => value)).toEqual([
      "https://api.example/a",
      "https://api.example/b"
    ])
  })

  it("--json prints access_token, token_type, expires_in and scope as received", async () => {
    const token = unsignedJwt(jwtHeader, jwtClaims)
    await Effect.runPromise(
      server.script(
        FakeAuthServer.json(200, { access_token: token, token_type: "Bearer", expires_in: 120, scope: "read write" })
      )
    )
    const run = await runCli(["token", "--json"], env())
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(JSON.parse(run.stdout)).toStrictEqual({
      access_token: token,
      token_type: "Bearer",
      expires_in: 120,
      scope: "read write"
    })
  })

  it("--json prints the fields as the server sent them: its token_type's case, no expires_in or scope when absent", async () => {
    await Effect.runPromise(
      server.script(FakeAuthServer.json(200, { access_token: "As-Received-1", token_type: "bearer" }))
    )
    const run = await runCli(["token", "--json", "--scope", "read"], env())
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(JSON.parse(run.stdout)).toStrictEqual({ access_token: "As-Received-1", token_type: "bearer" })
  })

  it("--json reads the body as the library does: one with a leading byte order mark, its fields as received", async () => {
    const body = JSON.stringify({ access_token: "Bom-Token-1", token_type: "Bearer", expires_in: 77, scope: "read" })
    await Effect.runPromise(
      server.script(FakeAuthServer.respond(200, `\uFEFF${body}`, { "content-type": "application/json" }))
    )
    const run = await runCli(["token", "--json", "--scope", "read", "--scope", "write"], env())
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(JSON.parse(run.stdout)).toStrictEqual({
      access_token: "Bom-Token-1",
      token_type: "Bearer",
      expires_in: 77,
      scope: "read"
    })
  })

  it("--json --no-token leaves the token out", async () => {
    const token = unsignedJwt(jwtHeader, jwtClaims)
    await Effect.runPromise(
      server.script(FakeAuthServer.json(200, { access_token: token, token_type: "Bearer", expires_in: 120 }))
    )
    const run = await runCli(["token", "--json", "--no-token"], env())
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(JSON.parse(run.stdout)).toStrictEqual({ token_type: "Bearer", expires_in: 120 })
    expect(run.stdout).not.toContain(token)
  })

  it("--decode prints a JWT's header and claims, says the signature is not verified, and not the token", async () => {
    const token = unsignedJwt(jwtHeader, jwtClaims)
    await Effect.runPromise(
      server.script(FakeAuthServer.json(200, { access_token: token, token_type: "Bearer", expires_in: 120 }))
    )
    const run = await runCli(["token", "--decode"], env())
    expect(run).toMatchObject({ code: 0, stderr: "" })
    const printed = JSON.parse(run.stdout)
    expect(printed.header).toStrictEqual(jwtHeader)
    expect(printed.claims).toStrictEqual(jwtClaims)
    expect(printed.signature).toMatch(/^not verified/)
    expect(run.stdout).not.toContain(token)
    expect(run.stdout).not.toContain(token.split(".")[2])
  })

  it("--decode of a token that is not a JWT: exit 2, one line, not the token", async () => {
    await Effect.runPromise(
      server.script(FakeAuthServer.json(200, { access_token: "opaque-Token-77", token_type: "Bearer", expires_in: 60 }))
    )
    const run = await runCli(["token", "--decode"], env())
    expect(run.code).toBe(2)
    expectOneLineFailure(run, ["opaque-Token-77"])
    expect(run.stderr).toContain("not a JWT")
  })

  it("exit 2 for a usage error: an unknown flag, with the help on stderr", async () => {
    const run = await runCli(["token", "--client-secret", client.clientSecret], env())
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain("--client-secret")
    expect(run.stderr).toContain("USAGE")
  })

  it("exit 2 for --no-token without --json", async () => {
    const run = await runCli(["token", "--no-token"], env())
    expect(run.code).toBe(2)
    expectOneLineFailure(run)
  })

  it("exit 2 for a variable that is missing: one line saying which, and its flag", async () => {
    const run = await runCli(["token"], { OAUTH_TOKEN_URL: server.tokenUrl, OAUTH_CLIENT_SECRET: client.clientSecret })
    expect(run).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "effect-oauth2: missing OAUTH_CLIENT_ID (or --client-id)\n"
    })
  })

  it("exit 2 for a missing endpoint or secret: the variables and flags that would give it", async () => {
    const endpoint = await runCli(["token"], { OAUTH_CLIENT_ID: client.clientId })
    expect(endpoint).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "effect-oauth2: missing OAUTH_TOKEN_URL or OAUTH_ISSUER (or --token-url or --issuer)\n"
    })
    const secret = await runCli(["token", "--token-url", server.tokenUrl], { OAUTH_CLIENT_ID: client.clientId })
    expect(secret).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "effect-oauth2: missing OAUTH_CLIENT_SECRET (or --client-secret-file)\n"
    })
  })

  it("exit 2 for a configuration that is invalid: one line, the library's message and the flag", async () => {
    const run = await runCli(["token", "--token-url", "ftp://127.0.0.1/token"], env())
    expect(run.code).toBe(2)
    expectOneLineFailure(run)
    expect(run.stderr).toContain("tokenUrl must be http(s)")
    expect(run.stderr).toContain("(flag --token-url)")
    expect(run.stderr).not.toContain("missing")
  })

  it("exit 2 for a plain-http token URL elsewhere than this machine: the rule, not an option the command lacks", async () => {
    const run = await runCli(["token", "--token-url", "http://auth.example.com/token"], env())
    expect(run.code).toBe(2)
    expectOneLineFailure(run)
    expect(run.stderr).toContain("tokenUrl must use https (RFC 6749 §3.2), not http://auth.example.com")
    expect(run.stderr).toContain("plain http only on a loopback host")
    expect(run.stderr).not.toContain("allowInsecureHttp")
  })

  it("exit 2 for a --client-secret-file that cannot be read: one line, no path", async () => {
    const missing = path.join(tmp, "no-such-file")
    const run = await runCli(["token", "--client-secret-file", missing], env())
    expect(run.code).toBe(2)
    expectOneLineFailure(run)
    expect(run.stderr).not.toContain(missing)
  })

  it("exit 2 for a client assertion file that cannot be read (missing, a directory, a FIFO, > 64 KiB, empty): one line naming the flag or variable, no path", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "assertion-"))
    const fifo = path.join(dir, "fifo")
    execFileSync("mkfifo", [fifo])
    const large = path.join(dir, "large")
    fs.writeFileSync(large, "e".repeat(64 * 1024 + 1))
    const empty = path.join(dir, "empty")
    fs.writeFileSync(empty, " \n")
    const files = [path.join(dir, "missing"), dir, fifo, large, empty]
    const base = {
      OAUTH_TOKEN_URL: server.tokenUrl,
      OAUTH_CLIENT_ID: client.clientId,
      OAUTH_AUTH_METHOD: "private_key_jwt"
    }
    const runs = await Promise.all(files.flatMap((file) => [
      runCli(["token", "--client-assertion-file", file], base).then((run) => ({
        run,
        file,
        name: "--client-assertion-file"
      })),
      runCli(["token"], { ...base, OAUTH_CLIENT_ASSERTION_FILE: file }).then((run) => ({
        run,
        file,
        name: "OAUTH_CLIENT_ASSERTION_FILE"
      }))
    ]))
    for (const { file, name, run } of runs) {
      expect(run.code, `${name} ${path.basename(file)}`).toBe(2)
      expectOneLineFailure(run)
      expect(run.stderr).toContain(`effect-oauth2: ${name} names`)
      expect(run.stderr).not.toContain(dir)
    }
  })

  it("exit 2 for DPoP (OAUTH_DPOP=true, an OAUTH_DPOP_* variable): Bearer tokens only, and no token request", async () => {
    const before = (await Effect.runPromise(server.tokenRequests)).length
    for (const dpop of [{ OAUTH_DPOP: "true" }, { OAUTH_DPOP_SIGNING_ALGORITHM: "ES256" }]) {
      const run = await runCli(["token"], { ...env(), ...dpop })
      expect(run.code, Object.keys(dpop)[0]).toBe(2)
      expectOneLineFailure(run)
      expect(run.stderr).toContain("prints Bearer tokens only")
    }
    expect((await Effect.runPromise(server.tokenRequests)).length).toBe(before)
  })

  it("exit 1 for stdout that cannot be written (a pipe closed by its reader, a full device): one line, no stack, no token", async () => {
    const closed = await runCli(["token"], env(), 20_000, "closed")
    expect(closed).toMatchObject({ code: 1, stderr: "effect-oauth2: stdout could not be written (EPIPE)\n" })
    const help = await runCli(["--help"], {}, 20_000, "closed")
    expect(help).toMatchObject({ code: 1, stderr: "effect-oauth2: stdout could not be written (EPIPE)\n" })
    if (!fs.existsSync("/dev/full")) return
    const full = fs.openSync("/dev/full", "w")
    try {
      const run = await runCli(["token"], env(), 20_000, full)
      expect(run).toMatchObject({ code: 1, stderr: "effect-oauth2: stdout could not be written (ENOSPC)\n" })
    } finally {
      fs.closeSync(full)
    }
  })

  it("exit 130 for SIGINT and 143 for SIGTERM while it waits for the server: one line", async () => {
    for (const [signal, code, line] of [["SIGINT", 130, "interrupted"], ["SIGTERM", 143, "terminated"]] as const) {
      const silent = await startSilentServer()
      try {
        const run = await runCli(["token"], { ...env(), OAUTH_TOKEN_URL: `${silent.url}/token` }, 20_000, "pipe", {
          signal,
          when: silent.requested
        })
        expect(run, signal).toStrictEqual({ code, stdout: "", stderr: `effect-oauth2: ${line}\n` })
      } finally {
        await silent.close()
      }
    }
  })

  it("exit 3 for a TokenError: a wrong secret is invalid_client, one line, no secret", async () => {
    const run = await runCli(["token"], { ...env(), OAUTH_CLIENT_SECRET: `${client.clientSecret}-wrong` })
    expect(run.code).toBe(3)
    expectOneLineFailure(run, [`${client.clientSecret}-wrong`])
    expect(run.stderr).toContain("invalid_client")
  })

  it("exit 4 for a NetworkError: nothing listens at the token URL, one line, no secret", async () => {
    const run = await runCli(["token"], { ...env(), OAUTH_TOKEN_URL: `http://127.0.0.1:${await closedPort()}/token` })
    expect(run.code).toBe(4)
    expectOneLineFailure(run)
  })
})

describe("effect-oauth2 discover", () => {
  let issuer: { readonly url: string; readonly close: () => Promise<void> }
  let issuerUrl = ""
  beforeAll(async () => {
    issuer = await startJsonServer((url) =>
      // the same document for the issuer and for a tenant below it, which it does not name
      url === "/.well-known/oauth-authorization-server" || url === "/.well-known/oauth-authorization-server/tenant"
        ? {
          status: 200,
          body: {
            issuer: issuerUrl,
            token_endpoint: server.tokenUrl,
            token_endpoint_auth_methods_supported: ["client_secret_basic", "private_key_jwt"]
          }
        }
        : url === "/.well-known/oauth-authorization-server/hostile"
        ? {
          status: 200,
          body: {
            issuer: `${issuerUrl}/hostile`,
            token_endpoint: server.tokenUrl,
            token_endpoint_auth_methods_supported: [
              "client_secret_basic\r\nissuer: https://evil.example",
              "\u001b]0;pwned\u0007private_key_jwt\u009b2J"
            ],
            token_endpoint_auth_signing_alg_values_supported: ["RS256\u202e\u2028", "ES256"]
          }
        }
        : url === "/.well-known/oauth-authorization-server/insecure"
        ? { status: 200, body: { issuer: `${issuerUrl}/insecure`, token_endpoint: "http://auth.example.com/token" } }
        : { status: 404, body: {} }
    )
    issuerUrl = issuer.url
  })
  afterAll(() => issuer.close())

  it("prints the token endpoint and the methods the metadata offers", async () => {
    const run = await runCli(["discover", "--issuer", issuerUrl])
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toBe(
      `issuer: ${issuerUrl}\ntoken endpoint: ${server.tokenUrl}\nauth methods: client_secret_basic, private_key_jwt\n`
    )
  })

  it("prints the issuer's text with its line ends and terminal escapes written as \\uXXXX: no forged line, no escape", async () => {
    const run = await runCli(["discover", "--issuer", `${issuerUrl}/hostile`])
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toBe(
      `issuer: ${issuerUrl}/hostile\ntoken endpoint: ${server.tokenUrl}\n` +
        "auth methods: client_secret_basic\\u000D\\u000Aissuer: https://evil.example, " +
        "\\u001B]0;pwned\\u0007private_key_jwt\\u009B2J\n" +
        "signing algorithms: RS256\\u202E\\u2028, ES256\n"
    )
  })

  it("takes the issuer from OAUTH_ISSUER; a method the metadata does not offer is exit 3, one line", async () => {
    const run = await runCli(["discover", "--auth-method", "client_secret_post"], { OAUTH_ISSUER: issuerUrl })
    expect(run.code).toBe(3)
    expectOneLineFailure(run)
    expect(run.stderr).toContain("client_secret_basic, private_key_jwt")
  })

  it("checks the metadata's issuer as the library does: exit 3", async () => {
    const run = await runCli(["discover", "--issuer", `${issuerUrl}/tenant`])
    expect(run.code).toBe(3)
    expectOneLineFailure(run)
    expect(run.stderr).toContain("another issuer")
  })

  it("exit 2 without an issuer", async () => {
    const run = await runCli(["discover"])
    expect(run.code).toBe(2)
    expectOneLineFailure(run)
  })

  it("exit 2 for a plain-http issuer elsewhere than this machine: the rule, not an option the command lacks", async () => {
    const run = await runCli(["discover", "--issuer", "http://auth.example.com"])
    expect(run.code).toBe(2)
    expectOneLineFailure(run)
    expect(run.stderr).toContain("issuer must use https (RFC 6749 §3.2), not http://auth.example.com")
    expect(run.stderr).toContain("plain http only on a loopback host")
    expect(run.stderr).not.toContain("allowInsecureHttp")
  })

  it("exit 3 for metadata naming a plain-http token endpoint elsewhere: the rule, not an option", async () => {
    const run = await runCli(["discover", "--issuer", `${issuerUrl}/insecure`])
    expect(run.code).toBe(3)
    expectOneLineFailure(run)
    expect(run.stderr).toContain("token_endpoint http://auth.example.com does not use https")
    expect(run.stderr).toContain("RFC 6749 §3.2 requires TLS, and the command line takes plain http only on a loopback")
    expect(run.stderr).not.toContain("allowInsecureHttp")
  })

  it("token --issuer gets a token from the token endpoint the metadata names", async () => {
    const run = await runCli(["token", "--issuer", issuerUrl], {
      OAUTH_CLIENT_ID: client.clientId,
      OAUTH_CLIENT_SECRET: client.clientSecret
    })
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toMatch(/^[\x21-\x7e]+\n$/)
  })
})

/**
 * The starts of the pieces of a PEM key's base64 (its armour is no secret): a text that holds none of them holds no
 * run of 15 characters of the key.
 */
const keyPieces = (pem: string): ReadonlyArray<string> => {
  const body = pem.split("\n").filter((line) => line !== "" && !line.startsWith("-----")).join("")
  const pieces: Array<string> = []
  for (let i = 0; i + 8 <= body.length; i += 8) pieces.push(body.slice(i, i + 8))
  return pieces
}

describe("effect-oauth2 over mutual TLS", () => {
  const authority = Certificates.tlsAuthority()
  const certified = authority.client()
  // another authority's: the server does not trust it
  const stranger = Certificates.tlsAuthority().client("stranger")
  let tls: TlsTokenServer.TlsTokenServer
  const files: Record<string, string> = {}

  beforeAll(async () => {
    tls = await TlsTokenServer.start(authority)
    const write = (name: string, text: string) => {
      files[name] = path.join(tmp, name)
      fs.writeFileSync(files[name], text)
    }
    write("client.crt", certified.cert)
    write("client.key", certified.key)
    write("ca.crt", authority.ca)
    write("stranger.crt", stranger.cert)
    write("stranger.key", stranger.key)
  })
  afterAll(() => tls.close())

  const tlsEnv = (certificate = "client") => ({
    OAUTH_CLIENT_ID: "mtls-client",
    OAUTH_AUTH_METHOD: "tls_client_auth",
    OAUTH_TLS_CERTIFICATE_FILE: files[`${certificate}.crt`]!,
    OAUTH_TLS_KEY_FILE: files[`${certificate}.key`]!,
    OAUTH_TLS_CA_FILE: files["ca.crt"]!
  })

  /** One line on stderr, nothing on stdout, and no piece of either key in it. */
  const expectNoKey = (run: { stdout: string; stderr: string }) => {
    expectOneLineFailure(run)
    for (const piece of [...keyPieces(certified.key), ...keyPieces(stranger.key)]) {
      expect(run.stderr.includes(piece), "a piece of a key").toBe(false)
    }
  }

  it("presents the client certificate the variables name: the token on stdout, client_id and no secret sent", async () => {
    const run = await runCli(["token"], { ...tlsEnv(), OAUTH_TOKEN_URL: tls.tokenUrl })
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toMatch(/^mtls-\d+\n$/)
    const request = tls.requests().at(-1)!
    expect(request).toMatchObject({ thumbprint: certified.thumbprint, authorized: true, authorization: undefined })
    expect(request.params).toStrictEqual([["grant_type", "client_credentials"], ["client_id", "mtls-client"]])
  })

  it("the TLS flags in place of the variables; with --issuer, discovery and the token over the certificate", async () => {
    const run = await runCli([
      "token",
      "--issuer",
      tls.issuer,
      "--auth-method",
      "self_signed_tls_client_auth",
      "--tls-certificate-file",
      files["client.crt"]!,
      "--tls-key-file",
      files["client.key"]!,
      "--tls-ca-file",
      files["ca.crt"]!
    ], {
      // each replaced by its flag, or a credential the flags hide
      ...tlsEnv("stranger"),
      OAUTH_TLS_CA_FILE: path.join(tmp, "no-such-ca"),
      OAUTH_CLIENT_SECRET: client.clientSecret,
      OAUTH_PRIVATE_KEY_FILE: path.join(tmp, "no-such-key")
    })
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toMatch(/^mtls-\d+\n$/)
    expect(tls.requests().at(-1)).toMatchObject({ path: "/mtls/token", thumbprint: certified.thumbprint })
  })

  it("a certificate the server does not trust: exit 3, invalid_client, one line, no key", async () => {
    const run = await runCli(["token"], { ...tlsEnv("stranger"), OAUTH_TOKEN_URL: tls.tokenUrl })
    expect(run.code).toBe(3)
    expectNoKey(run)
    expect(run.stderr).toContain("invalid_client")
    expect(tls.requests().at(-1)).toMatchObject({ thumbprint: stranger.thumbprint, authorized: false })
  })

  it("a server that refuses the handshake to it: exit 4, one line, no key", async () => {
    const strict = await TlsTokenServer.start(authority, { rejectUnauthorized: true })
    try {
      const run = await runCli(["token"], { ...tlsEnv("stranger"), OAUTH_TOKEN_URL: strict.tokenUrl })
      expect(run.code).toBe(4)
      expectNoKey(run)
      expect(strict.requests()).toStrictEqual([])
    } finally {
      await strict.close()
    }
  })

  it("no certificate file: exit 2, the variable and its flag", async () => {
    const { OAUTH_TLS_CERTIFICATE_FILE: _, ...withoutCertificate } = tlsEnv()
    const run = await runCli(["token"], { ...withoutCertificate, OAUTH_TOKEN_URL: tls.tokenUrl })
    expect(run).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "effect-oauth2: missing OAUTH_TLS_CERTIFICATE_FILE (or --tls-certificate-file)\n"
    })
  })

  it("a certificate flag replaces the pair: the key's variable is not taken with it", async () => {
    const run = await runCli(["token", "--tls-certificate-file", files["client.crt"]!], {
      ...tlsEnv(),
      OAUTH_TOKEN_URL: tls.tokenUrl
    })
    expect(run).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "effect-oauth2: missing OAUTH_TLS_KEY_FILE (or --tls-key-file)\n"
    })
  })

  it("a key that is not the certificate's: exit 2, one line naming the field, no key", async () => {
    const run = await runCli([
      "token",
      "--tls-certificate-file",
      files["client.crt"]!,
      "--tls-key-file",
      files["stranger.key"]!
    ], { ...tlsEnv(), OAUTH_TOKEN_URL: tls.tokenUrl })
    expect(run.code).toBe(2)
    expectNoKey(run)
    expect(run.stderr).toContain("does not match")
  })

  it("discover --tls-ca-file reaches an https issuer whose certificate that authority issued; without it, exit 4", async () => {
    const run = await runCli([
      "discover",
      "--issuer",
      tls.issuer,
      "--auth-method",
      "tls_client_auth",
      "--tls-ca-file",
      files["ca.crt"]!
    ])
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toContain(`issuer: ${tls.issuer}\n`)
    expect(run.stdout).toContain("auth methods: tls_client_auth, self_signed_tls_client_auth\n")
    const untrusted = await runCli(["discover", "--issuer", tls.issuer, "--auth-method", "tls_client_auth"])
    expect(untrusted.code).toBe(4)
    expectOneLineFailure(untrusted)
  })

  it("discover with the certificate and key variables presents them, to an issuer that asks every client", async () => {
    const strict = await TlsTokenServer.start(authority, { rejectUnauthorized: true })
    try {
      const args = ["discover", "--issuer", strict.issuer, "--auth-method", "tls_client_auth"]
      const run = await runCli(args, tlsEnv())
      expect(run).toMatchObject({ code: 0, stderr: "" })
      expect(run.stdout).toContain(`issuer: ${strict.issuer}\n`)
      const { OAUTH_TLS_KEY_FILE: _, ...withoutKey } = tlsEnv()
      const half = await runCli(args, withoutKey)
      expect(half).toMatchObject({
        code: 2,
        stdout: "",
        stderr: "effect-oauth2: missing OAUTH_TLS_KEY_FILE (or --tls-key-file)\n"
      })
    } finally {
      await strict.close()
    }
  })

  it("exit 3 for an https issuer naming a plain-http token endpoint on this machine: the rule, not an option", async () => {
    let issuerUrl = ""
    const issuer = await startJsonServer(() => ({
      status: 200,
      body: { issuer: issuerUrl, token_endpoint: "http://127.0.0.1:9/token" }
    }), authority.server)
    issuerUrl = issuer.url
    try {
      const run = await runCli(["discover", "--issuer", issuerUrl, "--tls-ca-file", files["ca.crt"]!])
      expect(run.code).toBe(3)
      expectOneLineFailure(run)
      expect(run.stderr).toContain(
        "is plain http while the issuer uses https; RFC 6749 §3.2 requires TLS, and the command line takes a " +
          "plain-http token endpoint only from a plain-http issuer on a loopback host"
      )
      expect(run.stderr).not.toContain("allowInsecureHttp")
    } finally {
      await issuer.close()
    }
  })
})

describe("effect-oauth2 --help", () => {
  const flags = [
    ["--token-url", "OAUTH_TOKEN_URL"],
    ["--issuer", "OAUTH_ISSUER"],
    ["--client-id", "OAUTH_CLIENT_ID"],
    ["--client-secret-file", "OAUTH_CLIENT_SECRET"],
    ["--auth-method", "OAUTH_AUTH_METHOD"],
    ["--private-key-file", "OAUTH_PRIVATE_KEY_FILE"],
    ["--key-id", "OAUTH_KEY_ID"],
    ["--certificate-file", "OAUTH_CERTIFICATE_FILE"],
    ["--client-assertion-file", "OAUTH_CLIENT_ASSERTION_FILE"],
    ["--tls-certificate-file", "OAUTH_TLS_CERTIFICATE_FILE"],
    ["--tls-key-file", "OAUTH_TLS_KEY_FILE"],
    ["--tls-ca-file", "OAUTH_TLS_CA_FILE"],
    ["--scope", "OAUTH_SCOPE"],
    ["--audience", "OAUTH_AUDIENCE"],
    ["--resource", "no variable"]
  ] as const

  for (const args of [["--help"], ["token", "--help"]]) {
    it(`effect-oauth2 ${args.join(" ")} lists every flag with its variable, on stdout, exit 0`, async () => {
      const run = await runCli(args)
      expect(run).toMatchObject({ code: 0, stderr: "" })
      const lines = run.stdout.split("\n")
      for (const [flag, variable] of flags) {
        expect(lines.some((line) => line.trimStart().startsWith(`${flag} `) && line.includes(variable)), flag).toBe(
          true
        )
      }
      for (const flag of ["--json", "--no-token", "--decode"]) expect(run.stdout).toContain(flag)
    })
  }

  it("effect-oauth2 --help lists every exit code: 0, 1, 2, 3, 4, 130 (SIGINT), 143 (SIGTERM)", async () => {
    const run = await runCli(["--help"])
    const text = run.stdout.replace(/\s+/g, " ")
    for (const code of ["0 success", "1 an unexpected error", "2 usage", "3 the authorization", "4 no usable"]) {
      expect(text).toContain(code)
    }
    expect(text).toContain("130 interrupted (SIGINT)")
    expect(text).toContain("143 terminated (SIGTERM)")
  })

  it("effect-oauth2 discover --help says the flags as discover uses them: no token URL, no default method", async () => {
    const run = await runCli(["discover", "--help"])
    expect(run).toMatchObject({ code: 0, stderr: "" })
    const text = run.stdout.replace(/\s+/g, " ")
    expect(text).not.toContain("--token-url")
    expect(text).not.toContain("the default")
    expect(text).toContain("without it, no method is checked")
    for (const variable of ["OAUTH_ISSUER", "OAUTH_AUTH_METHOD", "OAUTH_TLS_CA_FILE"]) expect(text).toContain(variable)
  })
})
