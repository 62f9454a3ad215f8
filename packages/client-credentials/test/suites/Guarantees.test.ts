/** The behavioural suite of guarantees under what production brings (`docs/behaviour.md`), on the Effect 3 line. */
import * as Guarantees from "@effect-oauth2/suites/Guarantees"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Guarantees.suite({ assert, describe, it }, line)
