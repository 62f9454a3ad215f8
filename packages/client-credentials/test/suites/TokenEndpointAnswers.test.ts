import * as TokenEndpointAnswers from "@effect-oauth2/suites/suites/TokenEndpointAnswers"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

TokenEndpointAnswers.suite({ assert, describe, it }, line)
