// The README's install commands, run exactly as written in a fresh project against the local registry, with a
// throwaway npm cache and npmrc files (the user's ~/.npm and ~/.npmrc are neither used nor touched; no network); then
// the project's package-lock.json: every package from the local registry, ours with the packed tarballs' integrity.
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { args, cleanEnv, record, run, session } from "./common.mjs"
import { specText } from "./readmes.mjs"
import { installedPackages, startRegistry } from "./registry.mjs"

/**
 * The environment of the README's npm commands: the local registry, and a cache and npmrc files in the temporary
 * directory, so that the user's ~/.npm and ~/.npmrc are neither used nor touched; nothing inherited from an
 * `npm run` around us.
 */
export const npmEnv = (registryUrl) => {
  const env = cleanEnv()
  for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key]
  const userconfig = path.join(session.tmpDir, "npmrc")
  const globalconfig = path.join(session.tmpDir, "npmrc-global")
  fs.writeFileSync(userconfig, "")
  fs.writeFileSync(globalconfig, "")
  return {
    ...env,
    npm_config_registry: registryUrl,
    npm_config_cache: path.join(session.tmpDir, "npm-cache"),
    npm_config_userconfig: userconfig,
    npm_config_globalconfig: globalconfig,
    npm_config_noproxy: "127.0.0.1",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    // a local answer is final: no retries with back-off on a 500
    npm_config_fetch_retries: "0"
  }
}

/** Why a README install command failed: npm's error lines, and the versions the local registry offers. */
const installFailure = (result, command, registry) => {
  const errorLines = result.output.split("\n").filter((line) => /^npm (?:error|ERR!)|timed out/.test(line))
  const detail = [errorLines.length > 0 ? errorLines.join("\n") : result.output]
  detail.push(
    "the local registry offers only the versions installed in this repo's node_modules:",
    ...command.specs.map((spec) =>
      `  ${specText(spec)}: ${registry.offered(spec.name).join(", ") || "not installed here (404)"}`
    )
  )
  if (registry.errors.length > 0) detail.push("registry errors:", ...registry.errors)
  if (!args.has("--keep")) detail.push("(run with --keep to keep npm's logs)")
  return detail.join("\n")
}

/**
 * The project's package-lock.json: how many packages it lists, and what is wrong ("" when nothing): every package must
 * come from the local registry, ours with the integrity of the tarballs npm pack made, and none answered 404 (those
 * were optional, and skipped).
 */
const checkLock = (project, registryUrl, ours, notFound) => {
  let lock
  try {
    lock = JSON.parse(fs.readFileSync(path.join(project, "package-lock.json"), "utf8"))
  } catch (error) {
    return { count: 0, problems: `no package-lock.json: ${error.message}` }
  }
  const problems = []
  const entries = Object.entries(lock.packages ?? {}).filter(([at]) => at !== "")
  for (const [at, entry] of entries) {
    if (entry.link) continue
    if (typeof entry.resolved !== "string" || !entry.resolved.startsWith(registryUrl)) {
      problems.push(`${at} resolved from ${entry.resolved}`)
    }
  }
  for (const [name, { manifest, tarball }] of ours) {
    const entry = lock.packages?.[`node_modules/${name}`]
    const integrity = `sha512-${crypto.createHash("sha512").update(tarball).digest("base64")}`
    if (entry === undefined) problems.push(`${name} is not installed`)
    else if (entry.version !== manifest.version || entry.integrity !== integrity) {
      problems.push(`${name}@${entry.version} is not the packed tarball of ${manifest.version} (${entry.integrity})`)
    }
  }
  for (const name of notFound) {
    const at = entries.find(([where]) => where === `node_modules/${name}` || where.endsWith(`/node_modules/${name}`))
    if (at !== undefined) problems.push(`${at[0]} is in the lock, but the registry answered 404 for ${name}`)
  }
  if (entries.length === 0) problems.push("package-lock.json lists no package")
  return { count: entries.length, problems: problems.join("\n") }
}

/** Starts the local registry: `ours` (name -> [{ manifest, tarball, tag }]), and every package installed here. */
export const startLocalRegistry = async (ours) => {
  session.registry = await startRegistry(ours, installedPackages())
  return session.registry
}

/**
 * Runs each of a line's install `commands` from the root README in `project`, against the local `registry`, and
 * checks its package-lock.json: `ours` (name -> { manifest, tarball }) are the line's packages, each of which must be
 * its packed tarball. Whether all of it passed.
 */
export const installFromReadme = async (project, commands, ours, registry, heading) => {
  let startedAt = Date.now()
  const env = npmEnv(registry.url)
  for (const [i, command] of commands.entries()) {
    startedAt = Date.now()
    const result = await run("sh", ["-c", command.line], { cwd: project, timeoutMs: 3 * 60_000, env })
    const name = `${heading}: README install command ${i + 1} in a fresh project: ${command.line}`
    if (!record(name, result.ok, startedAt, result.ok ? "" : installFailure(result, command, registry))) return false
  }
  startedAt = Date.now()
  const lock = checkLock(project, registry.url, ours, registry.notFound)
  const lockName = `${heading}: package-lock.json: ${lock.count} packages from the local registry, ${
    [...ours.keys()].join(" and ")
  } the packed tarballs; ${registry.notFound.size} optional packages not installed here (404) skipped`
  return record(lockName, lock.problems === "", startedAt, lock.problems)
}
