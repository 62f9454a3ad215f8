/** The behavioural suite of failures remembered (`docs/behaviour.md#failures-remembered`), on the Effect 4 line. */
import * as FailuresRemembered from "@effect-oauth2/suites/FailuresRemembered"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

FailuresRemembered.suite({ assert, describe, it }, line)
