import * as effectEslint from "@effect/eslint-plugin"
import js from "@eslint/js"
import { defineConfig, globalIgnores } from "eslint/config"
import tseslint from "typescript-eslint"

const unusedVarsOptions = {
  argsIgnorePattern: "^_",
  varsIgnorePattern: "^_",
  caughtErrorsIgnorePattern: "^_",
  destructuredArrayIgnorePattern: "^_"
}

// The Node globals the .mjs scripts use (TypeScript files get `no-undef` switched off by typescript-eslint).
const nodeGlobals = Object.fromEntries(
  ["process", "console", "URL", "Buffer", "setTimeout", "clearTimeout", "AbortController", "AbortSignal"].map(
    (name) => [name, "readonly"]
  )
)

// Same dprint settings as Effect-TS/effect: 2 spaces, width 120, no semicolons, double quotes, no trailing commas.
const dprintConfig = {
  indentWidth: 2,
  lineWidth: 120,
  semiColons: "asi",
  quoteStyle: "alwaysDouble",
  trailingCommas: "never",
  operatorPosition: "maintain",
  "arrowFunction.useParentheses": "force"
}

export default defineConfig([
  globalIgnores(["**/build/", "**/node_modules/", "**/*.tsbuildinfo", "**/.tmp/", "**/.scratch/", "**/coverage/"]),
  {
    files: ["**/*.{ts,mjs}"],
    extends: [js.configs.recommended],
    rules: {
      "no-unused-vars": ["error", unusedVarsOptions],
      // generators passed to Effect.gen need not yield
      "require-yield": "off"
    }
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: nodeGlobals }
  },
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommended],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", unusedVarsOptions],
      // `export declare namespace X { ... }` carries a module's companion types, as in Effect
      "@typescript-eslint/no-namespace": ["error", { allowDeclarations: true }],
      // `interface Foo extends Schema.Schema.Type<typeof Foo> {}` is the Effect way to name a schema's type
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }]
    }
  },
  // dprint formatting (and the core layout rules it replaces switched off) for every linted file: .ts and .mjs
  ...effectEslint.configs.dprint,
  {
    rules: {
      "@effect/dprint": ["error", { config: dprintConfig }]
    }
  },
  {
    files: ["packages/*/src/**/*.ts"],
    rules: {
      "no-console": "error",
      // STYLE.md: deep namespace imports in library sources (`import * as Effect from "effect/Effect"`)
      "@effect/no-import-from-barrel-package": ["error", {
        packageNames: ["effect", "@effect/platform", "@effect/platform-node"]
      }]
    }
  },
  {
    // `any` is tolerated (with a warning) in tests only
    files: ["packages/*/test/**/*.ts", "examples/**/*.test.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "warn"
    }
  }
])
