// office-addin-lint's own rules (Office add-in practices, TypeScript, Prettier at 100 columns),
// with the names check left to TypeScript, which knows the DOM, Node and Office typings.
import officeAddins from "eslint-plugin-office-addins";
import tsParser from "@typescript-eslint/parser";

export default [
  { ignores: ["dist/", "dist-workbench/", "node_modules/", "test-results/"] },
  ...officeAddins.configs.recommended,
  {
    plugins: { "office-addins": officeAddins },
    languageOptions: { parser: tsParser },
    rules: {
      "no-undef": "off",
      // A leading underscore marks a value left out on purpose (rest destructuring, it.each).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
];
