// The command line, `@effect-oauth2/cli` (packages/effect4/cli, an application on the Effect 4 line): packed under the
// name it is published as, its tarball holding the `bin` and no sources; then, from the local registry, installed as
// its README says (`npm install -g`) into a fresh prefix, where `effect-oauth2 --help` lists the variables and
// `effect-oauth2 token` prints a token that the testing package's FakeAuthServer (in the Effect 4 line's project)
// issued and its API accepts.
import * as fs from "node:fs"
import * as path from "node:path"
import { cleanEnv, record, run, session } from "./common.mjs"
import { npmEnv } from "./install.mjs"
import { stage } from "./pack.mjs"
import { describePackage } from "./packages.mjs"

/** The folder of the command line under packages/. */
export const cliDir = "effect4/cli"

/**
 * Packs the command line and checks its tarball; `[name, [{ manifest, tarball, tag }]]` for the local registry, or
 * `undefined` when it could not be packed as it should.
 */
export const packCli = async () => {
  const pkg = describePackage(cliDir)
  const tarballs = path.join(session.tmpDir, "tarballs")
  fs.mkdirSync(tarballs, { recursive: true })
  let startedAt = Date.now()
  const pack = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", tarballs], {
    cwd: stage(pkg),
    timeoutMs: 60_000
  })
  let tarball
  try {
    tarball = path.join(tarballs, JSON.parse(pack.stdout)[0].filename)
  } catch (error) {
    pack.output += `\ncannot read npm pack --json output: ${error}`
  }
  if (!record(`${pkg.name}: npm pack`, pack.ok && tarball !== undefined, startedAt, pack.output)) return undefined

  startedAt = Date.now()
  const list = await run("tar", ["-tzf", tarball], { cwd: session.tmpDir, timeoutMs: 30_000 })
  const files = new Set(list.stdout.split("\n").filter((l) => l !== "").map((l) => l.replace(/^package\//, "")))
  const bin = pkg.manifest.bin?.["effect-oauth2"]?.replace(/^\.\//, "")
  const missing = ["package.json", "README.md", "LICENSE", bin, ...pkg.modules.map((m) => `build/esm/${m}.js`)]
    .filter((file) => file === undefined || !files.has(file))
  const unwanted = [...files].filter((file) => /^(?:src|test)\/|\.tsbuildinfo$|^build\/(?:check|dts)\//.test(file))
  const problems = [
    list.ok ? "" : list.output,
    missing.length > 0 ? `missing from the tarball:\n${missing.join("\n")}` : "",
    unwanted.length > 0 ? `should not be in the tarball:\n${unwanted.join("\n")}` : ""
  ].filter((s) => s !== "").join("\n")
  if (
    !record(
      `${pkg.name}: tarball holds the bin (${bin}) and build/esm, no sources`,
      problems === "",
      startedAt,
      problems
    )
  ) {
    return undefined
  }
  const target = path.join(session.tmpDir, "shipped", cliDir)
  fs.mkdirSync(target, { recursive: true })
  await run("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"], { cwd: session.tmpDir, timeoutMs: 30_000 })
  const manifest = JSON.parse(fs.readFileSync(path.join(target, "package.json"), "utf8"))
  return [pkg.name, [{ manifest, tarball: fs.readFileSync(tarball), tag: "latest" }]]
}

/**
 * Starts FakeAuthServer (from the Effect 4 project's `@effect-oauth2/testing`), runs `effect-oauth2 token` with its
 * client in the environment, and calls its API with what was printed: `{ code, printed, status, stderr }`.
 */
const tokenCheck = `import { FakeAuthServer } from "@effect-oauth2/testing"
import * as Effect from "effect/Effect"
import { execFile } from "node:child_process"

const [bin] = process.argv.slice(2)
const program = Effect.gen(function*() {
  const server = yield* FakeAuthServer.FakeAuthServer
  const run = yield* Effect.promise(() =>
    new Promise((resolve) =>
      execFile(bin, ["token"], {
        env: {
          PATH: process.env.PATH,
          OAUTH_TOKEN_URL: server.tokenUrl,
          OAUTH_CLIENT_ID: FakeAuthServer.defaultClient.clientId,
          OAUTH_CLIENT_SECRET: FakeAuthServer.defaultClient.clientSecret
        },
        timeout: 30_000
      }, (error, stdout, stderr) => resolve({ code: error === null ? 0 : error.code, stdout, stderr }))
    )
  )
  const printed = /^[\\x21-\\x7e]+\\n$/.test(run.stdout)
  const status = printed
    ? (yield* Effect.promise(() =>
      fetch(server.apiUrl, { headers: { authorization: "Bearer " + run.stdout.trim() } })
    )).status
    : undefined
  return { code: run.code, printed, status, stderr: run.stderr }
})

Effect.runPromise(Effect.scoped(Effect.provide(program, FakeAuthServer.layer()))).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
`

/**
 * Installs the command line from `registry` into a fresh prefix as its README says (`npm install -g`), then runs
 * `effect-oauth2 --help` and `effect-oauth2 token` there on `node` (first on PATH, as the bin's `#!/usr/bin/env node`
 * finds it); the token check runs in `project`, the Effect 4 line's installed project.
 */
export const checkCli = async (registry, node, project, heading) => {
  let startedAt = Date.now()
  const prefix = path.join(session.tmpDir, "cli-prefix")
  const install = await run("npm", ["install", "-g", "--prefix", prefix, "@effect-oauth2/cli"], {
    cwd: session.tmpDir,
    timeoutMs: 3 * 60_000,
    env: npmEnv(registry.url)
  })
  if (
    !record(`${heading}: npm install -g @effect-oauth2/cli into a fresh prefix`, install.ok, startedAt, install.output)
  ) {
    return
  }
  const bin = path.join(prefix, "bin", "effect-oauth2")
  const env = { ...cleanEnv(), PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ""}` }
  for (const name of Object.keys(env)) if (/^OAUTH_/.test(name)) delete env[name]

  startedAt = Date.now()
  const help = await run(bin, ["--help"], { cwd: session.tmpDir, timeoutMs: 60_000, env })
  const variables = ["OAUTH_TOKEN_URL", "OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET", "OAUTH_SCOPE"]
  const listed = variables.every((variable) => help.stdout.includes(variable))
  record(`${heading}: effect-oauth2 --help lists the variables, exit 0`, help.ok && listed, startedAt, help.output)

  startedAt = Date.now()
  fs.writeFileSync(path.join(project, "cli-check.mjs"), tokenCheck)
  const check = await run(node, ["cli-check.mjs", bin], { cwd: project, timeoutMs: 60_000, env })
  let answer
  try {
    answer = JSON.parse(check.stdout.trim().split("\n").pop())
  } catch {
    answer = undefined
  }
  const ok = check.ok && answer?.code === 0 && answer?.printed === true && answer?.status === 200 &&
    answer?.stderr === ""
  record(
    `${heading}: effect-oauth2 token against FakeAuthServer prints a token its API accepts (${
      answer === undefined ? "no answer" : `exit ${answer.code}, API ${answer.status}`
    })`,
    ok,
    startedAt,
    check.output
  )
}
