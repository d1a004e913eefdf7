/**
 * The test tree mirrors the code: every module of components/ has its own test file at the same
 * path under tests/components/, and every section of config/ its parser tests under
 * tests/config/, so the next engineer finds a module's tests without searching.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./harness";

/** The .ts files under `dir`, relative to it, sorted. */
function modules(dir: string): string[] {
    return (fs.readdirSync(path.join(PROJECT_DIR, dir), { recursive: true }) as string[])
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
        .sort();
}

describe("the test tree", () => {
    it("has a test file for every module of components/, at the same path", () => {
        const tests = new Set(modules("tests/components"));
        const missing = modules("components")
            .map((m) => m.replace(/\.ts$/, ".test.ts"))
            .filter((t) => !tests.has(t))
            .map((t) => `tests/components/${t}`);
        expect(missing).toEqual([]);
    });

    it("has parser tests for every section of config/", () => {
        const tests = new Set(modules("tests/config"));
        const missing = modules("config")
            .map((m) => m.replace(/\.ts$/, ".test.ts"))
            .filter((t) => !tests.has(t))
            .map((t) => `tests/config/${t}`);
        expect(missing).toEqual([]);
    });

    it("keeps no component test outside the tree", () => {
        const stray = modules("tests/components").filter(
            (t) =>
                t.endsWith(".test.ts") &&
                !fs.existsSync(
                    path.join(
                        PROJECT_DIR,
                        "components",
                        t.replace(/(\.[\w-]+)?\.test\.ts$/, ".ts"),
                    ),
                ),
        );
        expect(stray).toEqual([]);
    });
});
