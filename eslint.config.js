import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "reports/**", "infra/**", ".tools/**", "console/assets/**", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    // Vitest's asymmetric matchers (expect.stringContaining...) are typed `any` by design.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
  },
  {
    // Only adapters talk to Azure; the domain, engine and ports stay testable without it.
    files: ["shared/**/*.ts"],
    ignores: ["shared/adapters/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@azure/*"], message: "Only shared/adapters/ may import @azure/*." }] }],
    },
  },
  {
    // The domain is pure: no I/O, no clock, no randomness; all of it is passed in.
    files: ["shared/domain/**/*.ts"],
    rules: {
      "no-restricted-globals": ["error", { name: "process", message: "The domain is pure: pass values in." }],
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*", "fs", "path", "crypto", "os", "http", "https", "net", "child_process"], message: "The domain does no I/O: pass values in." },
            { group: ["@azure/*"], message: "Only shared/adapters/ may import @azure/*." },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "The domain gets time passed in." },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: "The domain gets time passed in." },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: "The domain gets randomness passed in." },
      ],
    },
  },
);
