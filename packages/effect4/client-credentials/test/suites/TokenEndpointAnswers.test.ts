/** The behavioural suite of token endpoint answers (`docs/behaviour.md#token-endpoint-answers`), on the Effect 4 line. */
import * as TokenEndpointAnswers from "@effect-oauth2/suites/TokenEndpointAnswers"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

TokenEndpointAnswers.suite({ assert, describe, it }, line)
