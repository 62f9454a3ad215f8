#!/usr/bin/env node
/**
 * The `effect-oauth2` command: see the package's README, or `effect-oauth2 --help`.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as fs from "node:fs"
import * as Cli from "./internal/cli.js"
import * as Failure from "./internal/failure.js"

const { version } = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  readonly version: string
}

// a write to stdout that fails (a closed pipe, a full disk) ends the command with one line, not Node's stack trace;
// the help and the version are written there too
process.stdout.on("error", (error) => {
  process.stderr.write(`effect-oauth2: ${Failure.stdoutLine(error)}\n`)
  process.exit(Failure.exitCodes.stdout)
})
// nothing more can be said when stderr itself cannot be written: the exit code still tells
process.stderr.on("error", () => {})

// which signal interrupted the run, for its exit code: `runMain` interrupts it on either
let signal: Failure.Signal | undefined
const onSigint = () => signal ??= "SIGINT"
const onSigterm = () => signal ??= "SIGTERM"
process.on("SIGINT", onSigint)
process.on("SIGTERM", onSigterm)

NodeRuntime.runMain(Cli.run(process.argv.slice(2), version), {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    process.removeListener("SIGINT", onSigint)
    process.removeListener("SIGTERM", onSigterm)
    const ending = Failure.endingOf(exit, signal)
    if (ending.line !== undefined) process.stderr.write(`effect-oauth2: ${ending.line}\n`)
    onExit(ending.code)
  }
})
