/**
 * Shared test harness: plans a stack of this project under the recording mocks of
 * `plan/mocks.ts` (every registration recorded with type, name, inputs, parent and provider;
 * any unknown invoke throws). One test file plans many stacks in its own module registry: the
 * SDKs load once, the program's main file runs afresh for each plan.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { jsonOrValue } from "../plan/json";
import type { RecordedResource } from "../plan/mocks";
import type { PlanOptions, PlanResult } from "../plan/run";

export const PROJECT_DIR = path.resolve(__dirname, "..");

// Each plan loads the Pulumi SDK afresh, and the SDK adds one `exit` listener per load.
process.setMaxListeners(0);

/**
 * The committed stacks, as committed, are planned once per jest run: the first test that plans
 * one unchanged (no overrides, no options) writes the plan to the run's cache folder
 * (MULTICLOUD_PLAN_CACHE, made by tests/global-setup.ts, removed by tests/global-teardown.ts),
 * and every later one, in any worker, reads it. A plan is data (JSON in, JSON out), and each
 * reader gets its own copy.
 */
function cachedPlanFile(
    stack: string,
    overrides: Record<string, unknown>,
    options: Partial<PlanOptions>,
): string | undefined {
    const dir = process.env.MULTICLOUD_PLAN_CACHE;
    if (!dir || Object.keys(overrides).length > 0 || Object.keys(options).length > 0) {
        return undefined;
    }
    if (!fs.existsSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`))) return undefined;
    return path.join(dir, `${stack}.json`);
}

/** Plans `stack` of this project (or of `projectDir`), with `pulumi config set --path` overrides. */
export async function planStack(
    stack: string,
    overrides: Record<string, unknown> = {},
    options: Partial<PlanOptions> = {},
): Promise<PlanResult> {
    const cache = cachedPlanFile(stack, overrides, options);
    if (cache && fs.existsSync(cache)) {
        return JSON.parse(fs.readFileSync(cache, "utf8")) as PlanResult;
    }
    const planned = await planFresh(stack, overrides, options);
    // A failed plan is not cached: each caller sees the failure from its own plan.
    if (cache && planned.errors.length === 0) {
        // Written whole, then renamed: a reader in another worker never sees half a file.
        const text = JSON.stringify(planned);
        const partial = `${cache}.${process.pid}.tmp`;
        fs.writeFileSync(partial, text);
        fs.renameSync(partial, cache);
        // What the first caller gets is the same data every later caller reads.
        return JSON.parse(text) as PlanResult;
    }
    return planned;
}

async function planFresh(
    stack: string,
    overrides: Record<string, unknown>,
    options: Partial<PlanOptions>,
): Promise<PlanResult> {
    const { runPlan } = require("../plan/run") as typeof import("../plan/run");
    const planned = await runPlan({
        projectDir: PROJECT_DIR,
        stack,
        overrides,
        load: loadProgramAfresh,
        ...options,
    });
    // Plain data, as a cached plan is: a test may change what it got.
    return JSON.parse(JSON.stringify(planned)) as PlanResult;
}

/**
 * Runs the program's main file afresh, in this test file's module registry, the way runPlan's
 * own loader runs it afresh outside jest (jest's registry ignores `delete require.cache[...]`).
 * Only main is evaluated again: the modules it imports (Pulumi, the cloud SDKs, components,
 * composition, config) stay loaded, so a plan costs its registrations, about a second for
 * prod, instead of loading every SDK again (jest.isolateModules did that, 5-10 s a plan).
 * Nothing under components/, composition/ or config/ keeps state between plans
 * (tests/harness.test.ts checks that a plan after another matches a fresh process's plan).
 */
function loadProgramAfresh(main: string): unknown {
    let code = compiled.get(main);
    if (code === undefined) {
        code = ts.transpileModule(fs.readFileSync(main, "utf8"), {
            compilerOptions: {
                module: ts.ModuleKind.CommonJS,
                target: ts.ScriptTarget.ES2022,
                esModuleInterop: true,
            },
            fileName: main,
        }).outputText;
        compiled.set(main, code);
    }
    const dir = path.dirname(main);
    const programRequire = (id: string): unknown =>
        require(id.startsWith(".") ? path.resolve(dir, id) : id);
    const module = { exports: {} as Record<string, unknown> };
    new Function("exports", "require", "module", "__filename", "__dirname", code)(
        module.exports,
        programRequire,
        module,
        main,
        dir,
    );
    return module.exports;
}
/** Each program's main file, compiled once per test file. */
const compiled = new Map<string, string>();

/** The resources of one type, in registration order. */
export function ofType(plan: PlanResult, type: string): RecordedResource[] {
    return plan.resources.filter((r) => r.type === type);
}

/** The one resource of `type` named `name`; fails the test when there is not exactly one. */
export function one(plan: PlanResult, type: string, name: string): RecordedResource {
    const found = plan.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        throw new Error(
            `expected one ${type} named ${name}, found ${found.length}; registered: ` +
                plan.resources.map((r) => `${r.type} ${r.name}`).join(", "),
        );
    }
    return found[0];
}

/** The resource whose URN is `urn`. */
export function byUrn(plan: PlanResult, urn: string | undefined): RecordedResource | undefined {
    return plan.resources.find((r) => r.urn === urn);
}

/** Everything registered except the stack resource itself. */
export function created(plan: PlanResult): RecordedResource[] {
    return plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
}

/**
 * A provider's inputs as the provider reads them: the SDK sends a provider's structured inputs
 * (defaultTags, allowedAccountIds, ...) as JSON text.
 */
export function providerInputs(r: RecordedResource): Record<string, unknown> {
    return Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, jsonOrValue(v)]));
}

/**
 * Whether `r` waits for `component`: the SDK expands a dependency on a component into its
 * children, so every child of `component` must be among `r`'s dependencies.
 */
export function waitsFor(
    plan: PlanResult,
    r: RecordedResource,
    component: RecordedResource,
): boolean {
    const children = plan.resources.filter((c) => c.parent === component.urn && c.custom);
    return children.length > 0 && children.every((c) => r.dependencies.includes(c.urn));
}

/** `npm run plan -- <args>` as a newcomer runs it: a child process through tsx. */
export function runPlanCli(...args: string[]): {
    code: number | null;
    stdout: string;
    stderr: string;
} {
    const r = spawnSync(
        path.join(PROJECT_DIR, "node_modules", ".bin", "tsx"),
        [path.join(PROJECT_DIR, "plan", "cli.ts"), ...args],
        { cwd: PROJECT_DIR, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } },
    );
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
