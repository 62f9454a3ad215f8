/** The behavioural suite of bounds (`docs/behaviour.md#bounds`), on the Effect 4 line. */
import * as Bounds from "@effect-oauth2/suites/Bounds"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Bounds.suite({ assert, describe, it }, line)
