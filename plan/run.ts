/**
 * Runs the program for one stack under Pulumi's mock runtime, as `pulumi preview` would run it,
 * and returns what it registered. Nothing leaves the machine: no engine, no provider plugin,
 * no cloud credentials.
 */
import * as pulumi from "@pulumi/pulumi";
import { RecordedResource, RecordedInvoke, RecordingMocks, InvokeAnswers, INVOKES } from "./mocks";
import { loadProject, loadStackSettings, ProjectFile, StackSettings } from "./stack-files";

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
    await mocks.install(project.name, options.stack, /* preview */ true);
    pulumi.runtime.setAllConfig(settings.config, settings.secretKeys);

    const errors: string[] = [];
    // Failures inside async registrations (an unknown invoke, a rejected apply) surface here,
    // as they do in the Pulumi language host.
    const onRejection = (reason: unknown) => errors.push(errorText(reason));
    process.on("unhandledRejection", onRejection);
    try {
        const load = options.load ?? ((main: string) => require(main));
        await pulumi.runtime.runInPulumiStack(async () => load(project.main)).catch((e: unknown) => {
            errors.push(errorText(e));
        });
        await pulumi.runtime.disconnect();
        // Let rejections queued by the last registrations reach the handler.
        await new Promise((resolve) => setImmediate(resolve));
    } finally {
        process.off("unhandledRejection", onRejection);
    }

    errors.push(...defaultProviderErrors(mocks.resources, settings.disableDefaultProviders));
    const stackResource = mocks.resources.find((r) => r.type === STACK_TYPE);
    return {
        project,
        settings,
        resources: mocks.resources,
        invokes: mocks.invokes,
        outputs: stackResource?.outputs ?? {},
        outputSecretPaths: stackResource?.outputSecretPaths ?? [],
        errors: [...new Set(errors)],
    };
}

function errorText(e: unknown): string {
    if (pulumi.RunError.isInstance(e)) return (e as Error).message;
    if (e instanceof Error) return e.stack ?? e.message;
    return String(e);
}

/**
 * What the engine reports when `pulumi:disable-default-providers` covers a resource registered
 * without an explicit provider.
 */
function defaultProviderErrors(resources: readonly RecordedResource[], disabled: readonly string[]): string[] {
    return resources
        .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && r.provider === undefined)
        .filter((r) => disabled.includes("*") || disabled.includes(r.type.split(":")[0]))
        .map(
            (r) =>
                `Default provider for '${r.type.split(":")[0]}' disabled. '${r.urn}' must use an explicit provider ` +
                `(pass { provider } or { parent } whose provider applies).`,
        );
}
