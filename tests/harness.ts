/**
 * Shared test harness: plans a stack of this project under the recording mocks of
 * `plan/mocks.ts` (every registration recorded with type, name, inputs, parent and provider;
 * any unknown invoke throws). Plans run in the jest worker's own Node `require`, outside jest's
 * per-file registry: the SDKs load once per worker, the program's main runs afresh each plan.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
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
    const planned = await planUncached(stack, overrides, options);
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

/**
 * Loads a package (`"@pulumi/aws"`) or a module of this project by its path from the project
 * folder (`"components/aws/AsgFleet"`), in the worker's `require`, where planComponents runs.
 */
export type WorkerRequire = <T = unknown>(id: string) => T;

/**
 * Plans the resources `register` creates, instead of the program: a component under Pulumi's
 * mocks directly, with the stack's settings (config, disabled default providers) and the same
 * recording and checks as a whole plan. `register` takes everything it registers from `req`
 * (the worker's `require`, where the plan's Pulumi lives), never from jest's `require`, and may
 * return a promise the plan waits for.
 */
export function planComponents(
    register: (req: WorkerRequire) => unknown,
    stack = "dev",
    overrides: Record<string, unknown> = {},
): Promise<PlanResult> {
    return planUncached(stack, overrides, { load: () => register(workerModule) });
}

/**
 * A package (`"@pulumi/aws"`) or a module of this project by its path from the project folder
 * (`"components/azure/ArcGovernance"`), as the plans load it: in the jest worker's own `require`.
 * A test calls a component module's pure exports (validateXxxArgs, its rules) from here without
 * loading @pulumi/pulumi and the cloud SDKs a second time in jest's registry (about 6 s per test
 * file), which importing the component in the test file would; type it with
 * `workerModule<typeof import("../../../components/azure/ArcGovernance")>(...)`. It is also the
 * `req` planComponents gives its callback.
 */
export const workerModule: WorkerRequire = <T>(id: string) =>
    workerRequire()(id.startsWith("@") || !id.includes("/") ? id : path.join(PROJECT_DIR, id)) as T;

/** Plans `stack` afresh, never from the run's cache (a test that plans the same stack twice). */
export async function planUncached(
    stack: string,
    overrides: Record<string, unknown> = {},
    options: Partial<PlanOptions> = {},
): Promise<PlanResult> {
    const { runPlan } = workerModule<typeof import("../plan/run")>("plan/run");
    const planned = await runPlan({
        projectDir: PROJECT_DIR,
        stack,
        overrides,
        load: loadMainAfresh,
        ...options,
    });
    // Plain data of this realm, as a cached plan is: a test may change what it got.
    return JSON.parse(JSON.stringify(planned)) as PlanResult;
}

/**
 * Node's Module class, as the jest worker's own code uses it. jest's `require("module")` is its
 * subclass (whose createRequire returns jest's require); its parent class is Node's.
 */
function nodeModule(): NodeModuleClass {
    const JestModule = require("module") as unknown as NodeModuleClass;
    const parent = Object.getPrototypeOf(JestModule) as NodeModuleClass;
    return typeof parent._load === "function" ? parent : JestModule;
}
interface NodeModuleClass {
    new (id: string): { filename: string; paths: string[]; require(id: string): unknown };
    _load?: unknown;
    _cache: Record<string, unknown>;
    _nodeModulePaths(dir: string): string[];
    [WORKER_REQUIRE]?: (id: string) => unknown;
}
const WORKER_REQUIRE = Symbol.for("multicloud.tests.workerRequire");

/**
 * The worker's own Node `require` (TypeScript through tsx's CommonJS hook, registered once per
 * worker), outside jest's per-file module registry. Plans run there: Pulumi, the cloud SDKs
 * and the program's modules load once per jest worker, not once per test file, and each plan
 * after the first costs its registrations (about a second for prod).
 */
function workerRequire(): (id: string) => unknown {
    const Module = nodeModule();
    if (!Module[WORKER_REQUIRE]) {
        const anchor = new Module(path.join(PROJECT_DIR, "package.json"));
        anchor.filename = path.join(PROJECT_DIR, "package.json");
        anchor.paths = Module._nodeModulePaths(PROJECT_DIR);
        const req = (id: string): unknown => anchor.require(id);
        (req("tsx/cjs/api") as { register(): () => void }).register();
        // A test file runs in jest's realm, the plan in the worker's: a list a test writes in a
        // component's arguments is an Array of jest's realm, and Pulumi sends an input as a list
        // only when it is `instanceof Array` (@pulumi/pulumi runtime/rpc.js serializeProperty),
        // else as an object {"0": ...}. In the worker's realm `instanceof Array` means
        // Array.isArray, which holds for arrays of every realm (tests/harness.test.ts).
        // (This file runs in jest's realm: the worker's Array is the constructor of a list that
        // a module loaded by the worker's `require` parses.)
        const { jsonOrValue } = req(path.join(PROJECT_DIR, "plan/json.ts")) as {
            jsonOrValue(text: string): unknown;
        };
        const WorkerArray = (jsonOrValue("[]") as unknown[]).constructor as ArrayConstructor;
        Object.defineProperty(WorkerArray, Symbol.hasInstance, {
            value: (value: unknown) => WorkerArray.isArray(value),
        });
        Module[WORKER_REQUIRE] = req;
    }
    return Module[WORKER_REQUIRE];
}

/**
 * Runs the program's main file afresh, as the Pulumi language host runs it once per process:
 * only main is evaluated again; the modules it imports (components, composition, config, the
 * SDKs) stay loaded. Nothing in them keeps state between plans (tests/harness.test.ts checks
 * that a plan after others equals a fresh process's plan).
 */
function loadMainAfresh(main: string): unknown {
    const req = workerRequire();
    delete nodeModule()._cache[main];
    return req(main);
}

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

/**
 * `npm run plan -- <args>` in this process: plan/cli.ts's main, its output captured, run by the
 * worker's `require` as planStack's plans are (the SDKs loaded once per worker, main afresh).
 * The same code path as the command but for the entry point; one test per command runs the
 * real child process (runPlanCli).
 */
export async function planCli(...args: string[]): Promise<{
    code: number;
    stdout: string;
    stderr: string;
}> {
    const { main } = workerModule<typeof import("../plan/cli")>("plan/cli");
    let stdout = "";
    let stderr = "";
    const code = await main(
        args,
        {
            log: (text) => (stdout += `${text}\n`),
            error: (text) => (stderr += `${text}\n`),
        },
        loadMainAfresh,
    );
    return { code, stdout, stderr };
}
