/** The behavioural suite of time (`docs/behaviour.md#time`), on the Effect 4 line. */
import * as Time from "@effect-oauth2/suites/Time"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Time.suite({ assert, describe, it }, line)
