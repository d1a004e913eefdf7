// ESLint flat config: typescript-eslint's recommended type-aware rules, plus the Pulumi plugin,
// which catches Outputs interpolated into template literals (use pulumi.interpolate instead).
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    {
        // .venv/: Python virtualenvs (npm run test:app); no TypeScript of ours in them.
        ignores: ["node_modules/", "bin/", "coverage/", ".venv/", "**/*.js", "**/*.mjs"],
    },
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
        },
    },
    {
        // Tests load modules with require() where an import would not do: the worker's own
        // require (tests/harness.ts) and modules chosen at run time.
        files: ["tests/**/*.ts"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
