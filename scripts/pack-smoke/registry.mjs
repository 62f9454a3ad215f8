// A local npm registry on 127.0.0.1 (port 0): our packed tarballs, and every other package from the repo's installed
// node_modules (each installed version, nested copies included), served as tarballs built in memory from the
// installed directories. A name not installed here answers 404.
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import * as path from "node:path"
import { repoRoot } from "./common.mjs"
import { tarballOf } from "./tarball.mjs"

/** Every package installed under the repo's node_modules, nested copies included: name -> version -> directory. */
export const installedPackages = () => {
  const found = new Map()
  const visit = (nodeModules) => {
    let entries
    try {
      entries = fs.readdirSync(nodeModules, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue
      if (entry.name.startsWith("@") && entry.isDirectory()) {
        for (const scoped of fs.readdirSync(path.join(nodeModules, entry.name), { withFileTypes: true })) {
          add(path.join(nodeModules, entry.name, scoped.name), scoped)
        }
      } else {
        add(path.join(nodeModules, entry.name), entry)
      }
    }
  }
  const add = (dir, entry) => {
    // symlinks are our workspaces: their packages are served from the tarballs npm pack made
    if (!entry.isDirectory()) return
    let manifest
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"))
    } catch {
      return
    }
    if (typeof manifest.name === "string" && typeof manifest.version === "string") {
      const versions = found.get(manifest.name) ?? new Map()
      if (!versions.has(manifest.version)) versions.set(manifest.version, dir)
      found.set(manifest.name, versions)
    }
    visit(path.join(dir, "node_modules"))
  }
  visit(path.join(repoRoot, "node_modules"))
  // a workspace's own node_modules holds the versions it needs that the root's do not (e.g. a dependency of ours)
  const children = (base) => fs.readdirSync(base).map((name) => path.join(base, name))
  const effect4 = path.join(repoRoot, "packages", "effect4")
  const workspaces = [
    ...children(path.join(repoRoot, "packages")),
    ...children(effect4),
    path.join(repoRoot, "examples")
  ]
  for (const dir of workspaces) visit(path.join(dir, "node_modules"))
  return found
}

const compareVersions = (a, b) => {
  const parse = (v) => {
    const [core, pre] = v.split(/-(.*)/s)
    return { parts: core.split(".").map(Number), pre }
  }
  const x = parse(a)
  const y = parse(b)
  for (let i = 0; i < 3; i++) if (x.parts[i] !== y.parts[i]) return (x.parts[i] ?? 0) - (y.parts[i] ?? 0)
  if (x.pre === y.pre) return 0
  return x.pre === undefined ? 1 : y.pre === undefined ? -1 : x.pre < y.pre ? -1 : 1
}

/**
 * Starts the registry on 127.0.0.1 port 0. `ours`: name -> [{ manifest, tarball, tag }] of the packed libraries; any other
 * name is served from `installed` (every installed version), and a name not installed here answers 404. Packuments
 * and tarballs are built on first request and kept in memory.
 */
export const startRegistry = async (ours, installed) => {
  const packuments = new Map() // name -> Promise<Buffer>
  const tarballs = new Map() // path -> Buffer
  const notFound = new Set()
  const errors = []
  let base

  const packument = async (name) => {
    const sources = ours.has(name)
      ? ours.get(name)
      : [...installed.get(name).values()].map((dir) => ({
        dir,
        manifest: JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"))
      }))
    const versions = {}
    await Promise.all(sources.map(async (source) => {
      const manifest = Object.fromEntries(Object.entries(source.manifest).filter(([key]) => !key.startsWith("_")))
      const tarball = source.tarball ?? await tarballOf(source.dir, source.manifest)
      const file = `/${encodeURIComponent(name)}/-/${name.split("/").pop()}-${manifest.version}.tgz`
      tarballs.set(file, tarball)
      const scripts = manifest.scripts ?? {}
      versions[manifest.version] = {
        ...manifest,
        _id: `${name}@${manifest.version}`,
        ...(scripts.preinstall || scripts.install || scripts.postinstall ? { hasInstallScript: true } : {}),
        dist: {
          tarball: `${base}${file.slice(1)}`,
          integrity: `sha512-${crypto.createHash("sha512").update(tarball).digest("base64")}`,
          shasum: crypto.createHash("sha1").update(tarball).digest("hex")
        }
      }
    }))
    // our lines' dist-tags (the newest version is `latest` unless a line is tagged so)
    const tags = Object.fromEntries(
      sources.filter((source) => source.tag).map((source) => [
        source.tag,
        source.manifest.version
      ])
    )
    const distTags = { latest: Object.keys(versions).sort(compareVersions).pop(), ...tags }
    return Buffer.from(JSON.stringify({ name, "dist-tags": distTags, versions }))
  }

  const handle = async (request, response) => {
    const send = (status, body, type) => {
      response.writeHead(status, { "content-type": type, "content-length": body.length })
      response.end(body)
    }
    const notThere = () => send(404, Buffer.from("{\"error\":\"Not found\"}"), "application/json")
    const pathname = new URL(request.url, base).pathname
    if (request.method !== "GET") return notThere()
    const tarball = tarballs.get(pathname)
    if (tarball !== undefined) return send(200, tarball, "application/octet-stream")
    let name
    try {
      name = decodeURIComponent(pathname.slice(1))
    } catch {
      return notThere()
    }
    if (!ours.has(name) && !installed.has(name)) {
      notFound.add(name)
      return notThere()
    }
    if (!packuments.has(name)) packuments.set(name, packument(name))
    try {
      send(200, await packuments.get(name), "application/json")
    } catch (error) {
      errors.push(`${name}: ${error instanceof Error ? error.message : error}`)
      send(500, Buffer.from(JSON.stringify({ error: String(error) })), "application/json")
    }
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error) => {
      errors.push(`${request.url}: ${error instanceof Error ? error.message : error}`)
      response.destroy()
    })
  })
  await new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", resolve)
  })
  base = `http://127.0.0.1:${server.address().port}/`
  return {
    url: base,
    /** The names asked for and answered 404. */
    notFound,
    errors,
    /** The versions offered for `name`, newest last. */
    offered: (name) =>
      ours.has(name)
        ? ours.get(name).map((source) => source.manifest.version).sort(compareVersions)
        : [...(installed.get(name)?.keys() ?? [])].sort(compareVersions),
    close: () => {
      server.close()
      server.closeAllConnections()
    }
  }
}
