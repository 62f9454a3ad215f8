/** The behavioural suite of errors (`docs/behaviour.md#errors`), on the Effect 4 line. */
import * as Errors from "@effect-oauth2/suites/Errors"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Errors.suite({ assert, describe, it }, line)
