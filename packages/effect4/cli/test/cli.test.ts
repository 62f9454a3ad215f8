/**
 * The built `effect-oauth2` against a `FakeAuthServer` on 127.0.0.1: what it prints, on which stream, with which exit
 * code, and that no failure prints the secret or a token.
 */
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { closedPort, runCli, startFakeServer, startJsonServer, unsignedJwt } from "./utils/cli.js"

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

  it("exit 2 for a configuration that is missing: one line naming the variable", async () => {
    const run = await runCli(["token"], { OAUTH_TOKEN_URL: server.tokenUrl, OAUTH_CLIENT_SECRET: client.clientSecret })
    expect(run.code).toBe(2)
    expectOneLineFailure(run)
    expect(run.stderr).toContain("OAUTH_CLIENT_ID")
    expect(run.stderr).toContain("(flag --client-id)")
  })

  it("exit 2 for a configuration that is invalid: one line", async () => {
    const run = await runCli(["token", "--token-url", "ftp://127.0.0.1/token"], env())
    expect(run.code).toBe(2)
    expectOneLineFailure(run)
    expect(run.stderr).toContain("tokenUrl")
  })

  it("exit 2 for a --client-secret-file that cannot be read: one line, no path", async () => {
    const missing = path.join(tmp, "no-such-file")
    const run = await runCli(["token", "--client-secret-file", missing], env())
    expect(run.code).toBe(2)
    expectOneLineFailure(run)
    expect(run.stderr).not.toContain(missing)
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

  it("token --issuer gets a token from the token endpoint the metadata names", async () => {
    const run = await runCli(["token", "--issuer", issuerUrl], {
      OAUTH_CLIENT_ID: client.clientId,
      OAUTH_CLIENT_SECRET: client.clientSecret
    })
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toMatch(/^[\x21-\x7e]+\n$/)
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
})
