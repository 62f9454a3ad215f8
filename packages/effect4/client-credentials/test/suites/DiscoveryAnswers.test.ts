/** The behavioural suite of discovery answers (`docs/behaviour.md#discovery-answers`), on the Effect 4 line. */
import * as DiscoveryAnswers from "@effect-oauth2/suites/DiscoveryAnswers"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

DiscoveryAnswers.suite({ assert, describe, it }, line)
