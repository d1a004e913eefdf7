/**
 * Runs the program for one stack under Pulumi's mock runtime, as `pulumi preview` would run it,
 * and returns what it registered. Nothing leaves the machine: no engine, no provider plugin,
 * no cloud credentials.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { RecordedResource, RecordedInvoke, RecordingMocks, InvokeAnswers, INVOKES } from "./mocks";
import { loadProject, loadStackSettings, ProjectFile, StackSettings } from "../lib/stack-files";

export interface PlanOptions {
    /** Folder holding `Pulumi.yaml`. */
    readonly projectDir: string;
    /** Stack name: `Pulumi.<stack>.yaml` must exist. */
    readonly stack: string;
    /** `pulumi config set --path` style overrides on top of the stack file (tests, benchmarks). */
    readonly overrides?: Readonly<Record<string, unknown>>;
    /** Invoke answers. @default INVOKES */
    readonly invokes?: InvokeAnswers;
    /**
     * Loads the program. @default `require` of the project's `main`. Tests pass a loader that
     * uses a fresh module registry, so one process can plan several stacks.
     */
    readonly load?: (main: string) => unknown;
    /**
     * Keep full, source-mapped stack traces while the program runs. Off by default: the SDK
     * captures and formats a stack trace for every resource and every internal promise (four
     * per output property), which under source maps costs more than the rest of the plan
     * together. Errors the program reports (config, validation) carry their message either
     * way; turn this on to see where an unexpected exception was thrown.
     * @default false
     */
    readonly stackTraces?: boolean;
    /** Called as registrations are recorded, with the number so far. @default none */
    readonly onProgress?: (registered: number) => void;
}

export interface PlanResult {
    readonly project: ProjectFile;
    readonly settings: StackSettings;
    /** Every registration, in order; the first is the stack resource. */
    readonly resources: RecordedResource[];
    readonly invokes: RecordedInvoke[];
    /** Stack outputs, secrets unwrapped; `outputSecretPaths` says which ones are secret. */
    readonly outputs: Record<string, unknown>;
    readonly outputSecretPaths: string[];
    /** Errors that would fail `pulumi preview`; empty when the plan succeeded. */
    readonly errors: string[];
}

export const STACK_TYPE = "pulumi:pulumi:Stack";

/** Plans one stack. Throws `PlanInputError` for missing or malformed project or stack files. */
export async function runPlan(options: PlanOptions): Promise<PlanResult> {
    const project = loadProject(options.projectDir);
    const settings = loadStackSettings(project, options.stack, options.overrides);
    const mocks = new RecordingMocks(options.invokes ?? INVOKES);
    mocks.onRecord = options.onProgress;
    await mocks.install(project.name, options.stack, /* preview */ true);
    pulumi.runtime.setAllConfig(settings.config, settings.secretKeys);

    const errors: string[] = [];
    // A failure inside an async registration (an unknown invoke, a rejected apply) leaves the
    // program's promises pending forever: as in the Pulumi language host, the first unhandled
    // rejection ends the run.
    let failed!: () => void;
    const failure = new Promise<void>((resolve) => (failed = resolve));
    const onRejection = (reason: unknown) => {
        errors.push(errorText(reason));
        failed();
    };
    mocks.onFailure = () => failed();
    process.on("unhandledRejection", onRejection);
    // As under `pulumi up`, the program runs in its project folder (relative paths such as the
    // image's build context resolve there).
    const cwd = process.cwd();
    process.chdir(options.projectDir);
    const stackTraces = { limit: Error.stackTraceLimit, sourceMaps: process.sourceMapsEnabled };
    if (!options.stackTraces) {
        // V8 still records the SDK's own frames (it raises the limit around its call-site
        // lookup); only the per-promise debug traces, never read, become empty.
        Error.stackTraceLimit = 0;
        process.setSourceMapsEnabled(false);
    }
    try {
        // The program is loaded the way the Pulumi language host loads it: a CommonJS require,
        // of its own files afresh, so that one process can plan again (another stack, another
        // commit, other overrides) while the SDKs, most of a plan's time, stay loaded.
        const load =
            options.load ??
            ((main: string) => {
                forgetProgram(project.dir);
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                return require(main);
            });
        const program = (async () => {
            // A program that throws (invalid config) fails the plan; catching it inside the stack
            // keeps the stack's own promises from rejecting a second time.
            await pulumi.runtime.runInPulumiStack(async () => {
                try {
                    return await load(project.main);
                } catch (e) {
                    errors.push(errorText(e));
                    return undefined;
                }
            });
            await pulumi.runtime.disconnect();
        })();
        await Promise.race([program, failure]);
        // Let rejections queued by the last registrations reach the handler.
        await new Promise((resolve) => setImmediate(resolve));
    } finally {
        Error.stackTraceLimit = stackTraces.limit;
        process.setSourceMapsEnabled(stackTraces.sourceMaps);
        process.chdir(cwd);
        process.off("unhandledRejection", onRejection);
    }

    // A failed invoke surfaces again as the rejections it causes: report it once, by its message.
    const invokeErrors = [...new Set(mocks.failedInvokes.map((f) => f.message))];
    const programErrors = errors.filter((e) => !invokeErrors.some((m) => e.includes(m)));
    const providerErrors = [
        ...duplicateUrnErrors(mocks.resources),
        ...defaultProviderErrors(mocks.resources, mocks.invokes, settings.disableDefaultProviders),
    ];
    const stackResource = mocks.resources.find((r) => r.type === STACK_TYPE);
    return {
        project,
        settings,
        resources: mocks.resources,
        invokes: mocks.invokes,
        outputs: stackResource?.outputs ?? {},
        outputSecretPaths: stackResource?.outputSecretPaths ?? [],
        errors: [...new Set([...programErrors, ...invokeErrors, ...providerErrors])],
    };
}

/** Drops the project's own modules (not its packages) from the require cache. */
function forgetProgram(projectDir: string): void {
    const dir = projectDir.endsWith(path.sep) ? projectDir : projectDir + path.sep;
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(dir) && !file.includes(`${path.sep}node_modules${path.sep}`)) {
            delete require.cache[file];
        }
    }
}

function errorText(e: unknown): string {
    if (pulumi.RunError.isInstance(e)) return (e as Error).message;
    if (e instanceof Error) {
        const stack = e.stack ?? e.message;
        // Without frames (stack traces off), say how to get them.
        return /\n\s+at /.test(stack)
            ? stack
            : `${stack}\n    (no stack trace: plan again with --stack-traces to see where it was thrown)`;
    }
    return String(e);
}

/**
 * What the engine reports when `pulumi:disable-default-providers` covers a resource or an
 * invoke made without an explicit provider.
 */
function defaultProviderErrors(
    resources: readonly RecordedResource[],
    invokes: readonly RecordedInvoke[],
    disabled: readonly string[],
): string[] {
    const denied = (token: string) =>
        disabled.includes("*") || disabled.includes(token.split(":")[0]);
    const resourceErrors = resources
        .filter(
            (r) => r.custom && !r.type.startsWith("pulumi:providers:") && r.provider === undefined,
        )
        .filter((r) => denied(r.type))
        .map(
            (r) =>
                `Default provider for '${r.type.split(":")[0]}' disabled. '${r.urn}' must use an explicit provider ` +
                `(pass { provider } or { parent } whose provider applies).`,
        );
    const invokeErrors = invokes
        .filter((i) => i.provider === undefined && denied(i.token))
        .map(
            (i) =>
                `Default provider for '${i.token.split(":")[0]}' disabled. Invoke '${i.token}' must use an explicit provider ` +
                `(pass { provider } or { parent } whose provider applies).`,
        );
    return [...resourceErrors, ...new Set(invokeErrors)];
}

/** What the engine reports when two resources share a URN (same type, name and parent type). */
function duplicateUrnErrors(resources: readonly RecordedResource[]): string[] {
    const seen = new Set<string>();
    const errors: string[] = [];
    for (const r of resources) {
        if (seen.has(r.urn))
            errors.push(`Duplicate resource URN '${r.urn}'; try giving it a unique name`);
        seen.add(r.urn);
    }
    return errors;
}
