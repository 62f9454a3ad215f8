/** The behavioural suite of scopes and resources (`docs/behaviour.md#scopes-and-resources`), on the Effect 4 line. */
import * as ScopesAndResources from "@effect-oauth2/suites/ScopesAndResources"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

ScopesAndResources.suite({ assert, describe, it }, line)
