/** The behavioural suite of the Promise API (`docs/promise.md`), on the Effect 4 line. */
import * as PromiseApi from "@effect-oauth2/suites/PromiseApi"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

PromiseApi.suite({ assert, describe, it }, line)
