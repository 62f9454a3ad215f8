/** The behavioural suite of single flight (`docs/behaviour.md#single-flight`), on the Effect 4 line. */
import * as SingleFlight from "@effect-oauth2/suites/SingleFlight"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

SingleFlight.suite({ assert, describe, it }, line)
