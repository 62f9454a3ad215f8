// What the READMEs say: the root README's Install section (the commands the fresh project is installed with), the
// install line of each package's README measured against it, and the README.md and LICENSE each package ships.
import * as fs from "node:fs"
import * as path from "node:path"
import { dependencyOnly, libraries, repoRoot } from "./common.mjs"

/**
 * What is wrong with the README.md and LICENSE a package ships, from its extracted tarball; "" when nothing. The
 * README names the package, holds a ```ts example and links to the repository's docs pages, each of which exists.
 */
export const shippedDocProblems = (pkg, dir) => {
  const problems = []
  const read = (file) => {
    const at = path.join(dir, file)
    return fs.existsSync(at) ? fs.readFileSync(at, "utf8") : undefined
  }
  const readme = read("README.md")
  if (readme === undefined) {
    problems.push("no README.md")
  } else {
    if (!readme.startsWith(`# ${pkg.name}\n`)) problems.push(`README.md does not start with "# ${pkg.name}"`)
    if (dependencyOnly.has(pkg.dir)) {
      const dependents = libraries.map((dir) => dir.split("/").pop()).filter((name) =>
        name !== pkg.dir && readme.includes(`@effect-oauth2/${name}`)
      )
      if (dependents.length === 0) problems.push("README.md does not name the packages that depend on it")
    } else if (!/^```ts\n/m.test(readme)) {
      problems.push("README.md has no ```ts example")
    }
    const pages = [...new Set([...readme.matchAll(/\bdocs\/([\w-]+\.md)\b/g)].map((m) => m[1]))]
    if (pages.length === 0) problems.push("README.md links to no page of the effect-oauth2 docs (docs/*.md)")
    for (const page of pages) {
      if (!fs.existsSync(path.join(repoRoot, "docs", page))) {
        problems.push(`README.md links to docs/${page}: no such page`)
      }
    }
  }
  const license = read("LICENSE")
  if (license === undefined) {
    problems.push("no LICENSE")
  } else if (!license.startsWith("MIT License") || !license.includes("effect-oauth2 contributors")) {
    problems.push("LICENSE is not the MIT license of the effect-oauth2 contributors")
  }
  if (pkg.manifest.license !== "MIT") problems.push(`package.json says license ${pkg.manifest.license}`)
  return problems.join("\n")
}

// a word of a plain `npm install` line (a flag or a package spec): nothing the shell would expand, quote or redirect
const plainWord = /^[\w@/.^+-][\w@/.^~+-]*$/

/** The words of an `npm install` line: its flags and its package specs (`name`, `range` or undefined). */
const parseInstallLine = (line) => {
  const words = line.trim().split(/\s+/)
  const problem = words[0] !== "npm" || !["install", "i", "add"].includes(words[1])
    ? "is not an npm install command"
    : words.slice(2).some((word) => !plainWord.test(word))
    ? "holds a word that is neither a flag nor a plain package spec"
    : words.length < 3
    ? "names no package"
    : undefined
  const args = words.slice(2)
  const specs = args.filter((word) => !word.startsWith("-")).map((word) => {
    const at = word.indexOf("@", 1)
    return at === -1 ? { name: word, range: undefined } : { name: word.slice(0, at), range: word.slice(at + 1) }
  })
  const flags = args.filter((word) => word.startsWith("-")).sort()
  return { line: line.trim(), specs, flags, problem }
}

/** The text of the `## <section>` of `markdown` (to the next `## `), or undefined. */
const sectionText = (markdown, section) => {
  const start = markdown.search(new RegExp(`^## ${section}\\n`, "m"))
  if (start === -1) return undefined
  const rest = markdown.slice(start + 1)
  const end = rest.search(/^## /m)
  return end === -1 ? rest : rest.slice(0, end)
}

/** The lines of the ```sh blocks of `text`. */
const shellLines = (text) =>
  [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)]
    .flatMap((m) => m[1].split("\n"))
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))

/** The `### ` parts of `text` whose heading names `words`, each to the next heading. */
const subsectionsNaming = (text, words) =>
  [...text.matchAll(/^### (.*)\n([\s\S]*?)(?=^#{2,3} |(?![\s\S]))/gm)]
    .filter((m) => m[1].includes(words))
    .map((m) => m[2])

/** The root README's Install section as commands for `line` (its `### ` part that names the line), or what is wrong. */
export const readRootInstall = (line) => {
  const section = sectionText(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8"), "Install")
  if (section === undefined) return { commands: [], problems: ["README.md has no \"## Install\" section"] }
  const parts = subsectionsNaming(section, line.heading)
  if (parts.length !== 1) {
    return {
      commands: [],
      problems: [`README.md's Install section has ${parts.length} "### " parts that name ${line.heading}, not 1`]
    }
  }
  const lines = shellLines(parts[0])
  if (lines.length === 0) {
    return { commands: [], problems: [`README.md's Install section for ${line.heading} has no \`\`\`sh command`] }
  }
  const commands = lines.map(parseInstallLine)
  const problems = commands.filter((c) => c.problem !== undefined).map((c) => `"${c.line}" ${c.problem}`)
  const names = commands.flatMap((c) => c.specs.map((s) => s.name))
  const twice = names.filter((name, i) => names.indexOf(name) !== i)
  if (twice.length > 0) problems.push(`named more than once: ${[...new Set(twice)].join(", ")}`)
  return { commands, problems }
}

/** `name@range`, or `name` when the spec has no range. */
export const specText = (spec) => spec.range === undefined ? spec.name : `${spec.name}@${spec.range}`

/**
 * What is wrong with the install line(s) of a package's README, measured against the root README's Install section:
 * one must install the package, with the same flags as the root line that does, and every package they name must
 * carry the root README's range for it. "" when nothing.
 */
export const packageInstallProblems = (pkg, readme, rootCommands) => {
  const commands = shellLines(readme).filter((line) => /^npm\s/.test(line)).map(parseInstallLine)
  // installed with the packages that depend on it, never by name
  if (dependencyOnly.has(pkg.dir)) {
    const named = commands.filter((c) => c.specs.some((s) => s.name === pkg.name))
    return named.map((c) => `"${c.line}" installs ${pkg.name}, which users get with the packages that need it`).join(
      "\n"
    )
  }
  const problems = commands.filter((c) => c.problem !== undefined).map((c) => `"${c.line}" ${c.problem}`)
  const rootSpecs = new Map(rootCommands.flatMap((c) => c.specs.map((s) => [s.name, s])))
  const rootLine = rootCommands.find((c) => c.specs.some((s) => s.name === pkg.name))
  if (rootLine === undefined) problems.push(`the root README's Install section does not install ${pkg.name}`)
  const own = commands.filter((c) => c.specs.some((s) => s.name === pkg.name))
  if (own.length === 0) problems.push(`no \`npm install\` line in a \`\`\`sh block names ${pkg.name}`)
  for (const command of commands) {
    for (const spec of command.specs) {
      const root = rootSpecs.get(spec.name)
      if (root === undefined) {
        problems.push(`"${command.line}": ${spec.name} is not in the root README's Install section`)
      } else if (root.range !== spec.range) {
        problems.push(`"${command.line}": ${specText(spec)}, the root README's Install section has ${specText(root)}`)
      }
    }
    if (rootLine !== undefined && own.includes(command) && command.flags.join(" ") !== rootLine.flags.join(" ")) {
      problems.push(`"${command.line}": flags [${command.flags}], the root README's line has [${rootLine.flags}]`)
    }
  }
  return problems.join("\n")
}
