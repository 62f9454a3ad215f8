// The .tgz npm would download for an installed package, built in memory from its directory: a ustar archive of its
// files under `package/`, with npm's fixed date, so that the same files give the same bytes (and integrity).
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"

// npm's own tarballs carry this date (1985-10-26T08:15:00Z): the same bytes for the same files
const tarMtime = 499162500

/** A ustar header for a regular file; a path longer than 100 bytes is split between the prefix and name fields. */
const tarHeader = (file, size, mode) => {
  let prefix = ""
  let name = file
  if (Buffer.byteLength(file) > 100) {
    const cut = [...file.matchAll(/\//g)].map((m) => m.index).find((i) =>
      Buffer.byteLength(file.slice(0, i)) <= 155 && Buffer.byteLength(file.slice(i + 1)) <= 100
    )
    if (cut === undefined) throw new Error(`path too long for a ustar header: ${file}`)
    prefix = file.slice(0, cut)
    name = file.slice(cut + 1)
  }
  const header = Buffer.alloc(512)
  const octal = (value, offset, length) =>
    header.write(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length, "ascii")
  header.write(name, 0, 100, "utf8")
  octal(mode, 100, 8)
  octal(0, 108, 8) // uid
  octal(0, 116, 8) // gid
  octal(size, 124, 12)
  octal(tarMtime, 136, 12)
  header.fill(" ", 148, 156) // the checksum counts its own field as spaces
  header.write("0", 156, 1, "ascii") // regular file
  header.write("ustar\0" + "00", 257, 8, "ascii")
  header.write(prefix, 345, 155, "utf8")
  let sum = 0
  for (const byte of header) sum += byte
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii")
  return header
}

const gzip = (buffer) =>
  new Promise((resolve, reject) =>
    zlib.gzip(
      buffer,
      { level: zlib.constants.Z_BEST_SPEED },
      (error, result) => error ? reject(error) : resolve(result)
    )
  )

/**
 * The .tgz npm would download for an installed package: its files under `package/`, without its node_modules (the
 * nested packages there are served as their own versions) unless it bundles dependencies.
 */
export const tarballOf = async (dir, manifest) => {
  const bundles = [manifest.bundleDependencies, manifest.bundledDependencies].some((b) =>
    b === true || Array.isArray(b) && b.length > 0
  )
  const chunks = []
  const walk = (abs, rel) => {
    const entries = fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : 1)
    for (const entry of entries) {
      if (rel === "" && entry.name === "node_modules" && !bundles) continue
      const childAbs = path.join(abs, entry.name)
      const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) {
        walk(childAbs, childRel)
      } else if (entry.isFile()) {
        const data = fs.readFileSync(childAbs)
        const mode = fs.statSync(childAbs).mode & 0o111 ? 0o755 : 0o644
        chunks.push(tarHeader(`package/${childRel}`, data.length, mode), data)
        if (data.length % 512 !== 0) chunks.push(Buffer.alloc(512 - (data.length % 512)))
      }
      // symlinks inside a package are left out, as npm pack does
    }
  }
  walk(dir, "")
  chunks.push(Buffer.alloc(1024))
  return gzip(Buffer.concat(chunks))
}
