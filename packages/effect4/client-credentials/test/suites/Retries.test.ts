/** The behavioural suite of retries and Retry-After (`docs/behaviour.md#retries-and-retry-after`), on the Effect 4 line. */
import * as Retries from "@effect-oauth2/suites/Retries"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Retries.suite({ assert, describe, it }, line)
