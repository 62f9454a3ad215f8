/**
 * How a run ends (`failure.ts`): its exit code and its line on stderr, for the endings the process cannot show in a
 * child alone.
 */
import * as Exit from "effect/Exit"
import { describe, expect, it } from "vitest"
import * as Failure from "../src/internal/failure.js"

describe("stdout that cannot be written", () => {
  it("a failed write is exit 1 and the system's code alone, never what was written nor the error's message", () => {
    const error = Object.assign(new Error("write EPIPE Secret-Token-9"), { code: "EPIPE" })
    expect(Failure.endingOf(Exit.fail(Failure.stdoutProblem(error)))).toStrictEqual({
      code: 1,
      line: "stdout could not be written (EPIPE)"
    })
    expect(Failure.stdoutLine(error)).toBe("stdout could not be written (EPIPE)")
    expect(Failure.stdoutLine({ code: "Secret-Token-9" })).toBe("stdout could not be written")
  })
})
