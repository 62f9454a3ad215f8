/** The behavioural suite of rejected tokens (`docs/behaviour.md#rejected-tokens`), on the Effect 4 line. */
import * as RejectedTokens from "@effect-oauth2/suites/RejectedTokens"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

RejectedTokens.suite({ assert, describe, it }, line)
