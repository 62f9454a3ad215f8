/** The behavioural suite of the wire (`docs/behaviour.md#the-wire`), on the Effect 4 line. */
import * as Wire from "@effect-oauth2/suites/Wire"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Wire.suite({ assert, describe, it }, line)
