/**
 * Importing the stack config loads no cloud SDK: config/ reads the constants and pure rules it
 * shares with the components from their SDK-free modules (components/<cloud>/checks.ts,
 * components/azure/dashboards.ts ...), never from a component. So the parser stays fast to load
 * (the config-error tests) and cannot register a resource by accident.
 *
 * Checked in a fresh Node process (tsx, as `npm run plan` runs), whose `require.cache` then lists
 * every module that was loaded, transitively: jest's own module registry would hide what a
 * component pulls in.
 */
import { execFileSync } from "child_process";
import * as path from "path";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** Every Pulumi package, the core included: @pulumi/pulumi, aws, gcp, azure-native, ... */
const SDK = /\/node_modules\/(@pulumi\/[^/]+|@pulumiverse\/[^/]+)\//;

function modulesLoadedBy(entry: string): string[] {
    const script = `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
    });
    return JSON.parse(out) as string[];
}

describe("config/ imports", () => {
    // Not even @pulumi/pulumi (ConfigError is a RunError by its field): each config test file
    // would load it into jest's registry, about a second each.
    it("loads no Pulumi SDK, only SDK-free modules of the project", () => {
        const loaded = modulesLoadedBy("./config");
        const ours = loaded
            .filter(
                (file) => file.startsWith(`${PROJECT_DIR}/`) && !file.includes("/node_modules/"),
            )
            .map((file) => file.slice(PROJECT_DIR.length + 1));
        // The module `from "./config"` resolves to.
        expect(ours).toContain(path.relative(PROJECT_DIR, require.resolve("../../config")));
        const sdks = new Set(loaded.map((file) => SDK.exec(file)?.[1]).filter(Boolean));
        expect([...sdks]).toEqual([]);
        // The components themselves (which import their SDK) stay unloaded too.
        expect(ours.filter((file) => /^components\/.*\/[A-Z]\w*\.ts$/.test(file))).toEqual([]);
    });
});
