import * as FailuresRemembered from "@effect-oauth2/suites/suites/FailuresRemembered"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

FailuresRemembered.suite({ assert, describe, it }, line)
