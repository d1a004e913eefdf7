/**
 * Runs a CrossGuard policy pack the way the Pulumi CLI does, and speaks the analyzer protocol
 * to it: the pack runs as its own process through `@pulumi/pulumi/cmd/run-policy-pack` (cwd =
 * the pack folder, first stdout line = its gRPC port), and the client calls GetAnalyzerInfo,
 * ConfigureStack, Configure, Analyze and AnalyzeStack with the same messages the engine sends:
 * properties as a protobuf Struct with secrets in their wire form and unknowns as the engine's
 * sentinels, resource options always present, and (in AnalyzeStack) each resource's
 * dependencies and property dependencies.
 */
import type * as grpcTypes from "@grpc/grpc-js";
import { ChildProcess, spawn } from "child_process";
import { createRequire } from "module";
import * as fs from "fs";
import * as path from "path";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";

/** Enforcement levels as CrossGuard names them. */
export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";

export interface PolicyInfo {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    /** `resource` or `stack` validation. */
    readonly kind: "resource" | "stack";
}

export interface AnalyzerInfo {
    readonly name: string;
    readonly version: string;
    readonly policies: readonly PolicyInfo[];
}

export interface Diagnostic {
    readonly policyName: string;
    readonly policyPackName: string;
    readonly policyPackVersion: string;
    readonly description: string;
    readonly message: string;
    readonly enforcementLevel: EnforcementLevel;
    /** The resource concerned; the request's URN when the policy named none. */
    readonly urn: string;
}

/** A resource as the engine describes it to an analyzer. */
export interface AnalyzedResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** Plain values; secrets in their wire form (see `secretValue`), unknowns as sentinels. */
    readonly properties: Record<string, unknown>;
    /**
     * What AnalyzeStack sends instead of `properties`, when it differs: the engine sends a
     * resource's outputs there (for a preview's create, what the provider's preview reported),
     * and its checked inputs to Analyze. Same form as `properties`.
     */
    readonly stackProperties?: Record<string, unknown>;
    readonly parent?: string;
    /** URNs the resource depends on (explicit `dependsOn` and input dependencies). */
    readonly dependencies?: readonly string[];
    /**
     * For each property computed from other resources, the URNs it was computed from, e.g.
     * `{ resourceArn: [<alb urn>] }`: what a stack policy reads as `propertyDependencies`.
     * Sent with AnalyzeStack only; the Analyze request of the protocol has no such field.
     */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    readonly provider?: {
        type: string;
        name: string;
        urn: string;
        properties: Record<string, unknown>;
    };
}

/** Per-policy config, as in `--policy-pack-config`: a level, or a level plus properties. */
export type PolicyConfig = Record<
    string,
    EnforcementLevel | { enforcementLevel?: EnforcementLevel; [property: string]: unknown }
>;

/** The wire form of a secret value (what the engine sends with KeepSecrets). */
export function secretValue(value: unknown): Record<string, unknown> {
    return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}
/** The engine's sentinel for a string not known during preview. */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

/** Why a pack could not be started or spoken to. Never a silent pass. */
export class PolicyPackError extends Error {}

/** Loads gRPC and the generated stubs from the pack's own @pulumi/pulumi, as the CLI's shim does. */
function sdkFor(packDir: string) {
    const sdkRequire = createRequire(
        require.resolve("@pulumi/pulumi/package.json", { paths: [packDir] }),
    );
    return {
        runPolicyPack: sdkRequire.resolve("@pulumi/pulumi/cmd/run-policy-pack"),
        grpc: sdkRequire("@grpc/grpc-js") as typeof grpcTypes,
        pb: sdkRequire("@pulumi/pulumi/proto/analyzer_pb") as typeof analyzerPbTypes,
        svc: sdkRequire("@pulumi/pulumi/proto/analyzer_grpc_pb") as typeof analyzerGrpcTypes,
        Struct: (
            sdkRequire("google-protobuf/google/protobuf/struct_pb") as {
                Struct: { fromJavaScript(v: Record<string, unknown>): unknown };
            }
        ).Struct,
        Empty: (
            sdkRequire("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown }
        ).Empty,
    };
}

export interface StartOptions {
    /** The stack the pack is configured for (ConfigureStack). */
    readonly project?: string;
    readonly stack?: string;
    /** @default 60 000 */
    readonly timeoutMs?: number;
}

/** A running policy pack and a client connected to it. Call `close()` when done. */
export class PolicyPackProcess {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: analyzerGrpcTypes.AnalyzerClient,
        private readonly sdk: ReturnType<typeof sdkFor>,
        /** Milliseconds from spawn to the port line. */
        readonly startupMs: number,
    ) {}

    /** Starts the pack in `packDir` and connects. Throws `PolicyPackError` when it cannot. */
    static async start(packDir: string, options: StartOptions = {}): Promise<PolicyPackProcess> {
        const dir = path.resolve(packDir);
        if (!fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) {
            throw new PolicyPackError(
                `no policy pack in ${dir} (no PulumiPolicy.yaml): pass --policy-pack <dir>, or --no-policy to plan without the gate`,
            );
        }
        let sdk: ReturnType<typeof sdkFor>;
        try {
            sdk = sdkFor(dir);
        } catch (e) {
            throw new PolicyPackError(
                `cannot load @pulumi/pulumi for the policy pack in ${dir}: ${(e as Error).message}; run npm ci`,
            );
        }
        // The CLI adds only these; inherited PULUMI_NODEJS_* would point the pack at an engine.
        const env = Object.fromEntries(
            Object.entries(process.env).filter(([k]) => !k.startsWith("PULUMI_NODEJS_")),
        );
        Object.assign(env, {
            PULUMI_NODEJS_PROJECT: options.project ?? "",
            PULUMI_NODEJS_STACK: options.stack ?? "",
            PULUMI_NODEJS_DRY_RUN: "true",
        });
        const started = Date.now();
        // argv: the engine address (unused by run-policy-pack), then the pack folder.
        const child = spawn(process.execPath, [sdk.runPolicyPack, "127.0.0.1:0", "."], {
            cwd: dir,
            env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        const reap = () => child.kill("SIGKILL");
        process.once("exit", reap);
        child.once("exit", () => process.removeListener("exit", reap));
        let stderr = "";
        child.stderr!.setEncoding("utf8");
        child.stderr!.on("data", (s: string) => (stderr += s));
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            const fail = (why: string) => {
                clearTimeout(timer);
                child.kill("SIGKILL");
                reject(
                    new PolicyPackError(
                        `the policy pack in ${dir} failed to start: ${why}${stderr.trim() ? `\n${stderr.trim()}` : ""}`,
                    ),
                );
            };
            const timer = setTimeout(
                () => fail(`no port after ${options.timeoutMs ?? 60_000} ms`),
                options.timeoutMs ?? 60_000,
            );
            child.stdout!.setEncoding("utf8");
            const onData = (s: string) => {
                out += s;
                const newline = out.indexOf("\n");
                if (newline < 0) return;
                child.stdout!.off("data", onData);
                child.off("exit", onExit);
                const line = out.slice(0, newline).trim();
                if (!/^\d+$/.test(line))
                    return fail(`its first output line is not a port: ${JSON.stringify(line)}`);
                clearTimeout(timer);
                resolve(Number(line));
            };
            const onExit = (code: number | null) => fail(`it exited with code ${code}`);
            child.stdout!.on("data", onData);
            child.once("exit", onExit);
            child.once("error", (e) => fail(e.message));
        });
        const client = new sdk.svc.AnalyzerClient(
            `127.0.0.1:${port}`,
            sdk.grpc.credentials.createInsecure(),
            {
                "grpc.max_receive_message_length": 512 * 1024 * 1024,
                "grpc.max_send_message_length": 512 * 1024 * 1024,
            },
        );
        const pack = new PolicyPackProcess(child, client, sdk, Date.now() - started);
        if (options.stack !== undefined) {
            const request = new sdk.pb.AnalyzerStackConfigureRequest();
            request.setStack(options.stack);
            request.setProject(options.project ?? "");
            request.setDryRun(true);
            await pack.call("configureStack", request);
        }
        return pack;
    }

    private call<R>(method: string, request: unknown): Promise<R> {
        const fn = (
            this.client as unknown as Record<
                string,
                (request: unknown, callback: (error: Error | null, response: R) => void) => void
            >
        )[method].bind(this.client);
        return new Promise<R>((resolve, reject) =>
            fn(request, (error: Error | null, response: R) =>
                error
                    ? reject(new PolicyPackError(`${method} failed: ${error.message}`))
                    : resolve(response),
            ),
        );
    }

    /** The pack's name, version and policies. */
    async info(): Promise<AnalyzerInfo> {
        const info = await this.call<analyzerPbTypes.AnalyzerInfo>(
            "getAnalyzerInfo",
            new this.sdk.Empty(),
        );
        return {
            name: info.getName(),
            version: info.getVersion(),
            policies: info.getPoliciesList().map((p) => ({
                name: p.getName(),
                description: p.getDescription(),
                enforcementLevel: LEVELS[p.getEnforcementlevel()],
                kind: p.getPolicyType() === 2 ? "stack" : "resource",
            })),
        };
    }

    /** Sets the per-policy config (replaces any earlier one), as `--policy-pack-config` does. */
    async configure(config: PolicyConfig): Promise<void> {
        const request = new this.sdk.pb.ConfigureAnalyzerRequest();
        for (const [policy, value] of Object.entries(config)) {
            const { enforcementLevel, ...properties } =
                typeof value === "string" ? { enforcementLevel: value } : value;
            const entry = new this.sdk.pb.PolicyConfig();
            if (enforcementLevel !== undefined) {
                entry.setEnforcementlevel(LEVELS.indexOf(enforcementLevel) as 0 | 1 | 2 | 3);
            }
            entry.setProperties(this.struct(properties) as never);
            request.getPolicyconfigMap().set(policy, entry);
        }
        await this.call("configure", request);
    }

    /** Resource validation of one resource (what the engine sends per registration). */
    async analyze(resource: AnalyzedResource): Promise<Diagnostic[]> {
        const request = new this.sdk.pb.AnalyzeRequest();
        request.setType(resource.type);
        request.setName(resource.name);
        request.setUrn(resource.urn);
        request.setProperties(this.propertiesOf(resource) as never);
        request.setOptions(this.options(resource.parent));
        if (resource.provider) request.setProvider(this.provider(resource.provider));
        const response = await this.call<analyzerPbTypes.AnalyzeResponse>("analyze", request);
        return this.diagnostics(response, resource.urn);
    }

    /** Stack validation of every resource at once. */
    async analyzeStack(resources: readonly AnalyzedResource[]): Promise<Diagnostic[]> {
        const request = new this.sdk.pb.AnalyzeStackRequest();
        request.setResourcesList(
            resources.map((r) => {
                const m = new this.sdk.pb.AnalyzerResource();
                m.setType(r.type);
                m.setName(r.name);
                m.setUrn(r.urn);
                m.setProperties(this.propertiesOf(r, "stack") as never);
                m.setOptions(this.options(r.parent));
                m.setParent(r.parent ?? "");
                m.setDependenciesList([...(r.dependencies ?? [])]);
                const propertyDependencies = m.getPropertydependenciesMap();
                for (const [property, urns] of Object.entries(r.propertyDependencies ?? {})) {
                    const deps = new this.sdk.pb.AnalyzerPropertyDependencies();
                    deps.setUrnsList([...urns]);
                    propertyDependencies.set(property, deps);
                }
                if (r.provider) m.setProvider(this.provider(r.provider));
                return m;
            }),
        );
        const response = await this.call<analyzerPbTypes.AnalyzeResponse>("analyzeStack", request);
        return this.diagnostics(response, "");
    }

    /**
     * The pack process's peak resident memory so far, in MB (`VmHWM` of `/proc/<pid>/status`).
     * Read it before `close()`: once the process is gone the figure is too. `undefined` where
     * there is no /proc (macOS, Windows) or the process has exited.
     */
    peakRssMb(): number | undefined {
        const { pid, exitCode, signalCode } = this.child;
        if (pid === undefined || exitCode !== null || signalCode !== null) return undefined;
        let status: string;
        try {
            status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        } catch {
            return undefined;
        }
        const kb = /^VmHWM:\s*(\d+)\s*kB$/m.exec(status)?.[1];
        return kb === undefined ? undefined : Number(kb) / 1024;
    }

    /** Stops the pack process. */
    async close(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null || this.child.signalCode !== null) return;
        const exited = new Promise((resolve) => this.child.once("exit", resolve));
        this.child.kill("SIGTERM");
        const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
    }

    /** A resource's properties as a Struct, built once for its Analyze and AnalyzeStack. */
    private readonly structs = new WeakMap<AnalyzedResource, unknown>();
    private readonly stackStructs = new WeakMap<AnalyzedResource, unknown>();
    private propertiesOf(
        resource: AnalyzedResource,
        call: "resource" | "stack" = "resource",
    ): unknown {
        const own = call === "stack" && resource.stackProperties !== undefined;
        const cache = own ? this.stackStructs : this.structs;
        let struct = cache.get(resource);
        if (struct === undefined) {
            struct = this.struct(own ? resource.stackProperties! : resource.properties);
            cache.set(resource, struct);
        }
        return struct;
    }

    private struct(value: Record<string, unknown>): unknown {
        // JSON round trip: protobuf Structs take no `undefined`; the engine never sends it.
        let plain: Record<string, unknown>;
        try {
            plain = JSON.parse(JSON.stringify(value ?? {})) as Record<string, unknown>;
        } catch (e) {
            throw new PolicyPackError(
                `a resource's properties cannot be serialized for the policy pack: ${(e as Error).message}`,
            );
        }
        return this.sdk.Struct.fromJavaScript(plain);
    }

    private options(parent?: string): analyzerPbTypes.AnalyzerResourceOptions {
        const options = new this.sdk.pb.AnalyzerResourceOptions();
        options.setProtect(false);
        options.setIgnorechangesList([]);
        options.setAliasesList([]);
        options.setAdditionalsecretoutputsList([]);
        options.setParent(parent ?? "");
        options.setCustomtimeouts(new this.sdk.pb.AnalyzerResourceOptions.CustomTimeouts());
        return options;
    }

    private provider(p: NonNullable<AnalyzedResource["provider"]>) {
        const provider = new this.sdk.pb.AnalyzerProviderResource();
        provider.setType(p.type);
        provider.setName(p.name);
        provider.setUrn(p.urn);
        provider.setProperties(this.struct(p.properties) as never);
        return provider;
    }

    private diagnostics(response: analyzerPbTypes.AnalyzeResponse, urn: string): Diagnostic[] {
        return response.getDiagnosticsList().map((d) => ({
            policyName: d.getPolicyname(),
            policyPackName: d.getPolicypackname(),
            policyPackVersion: d.getPolicypackversion(),
            description: d.getDescription(),
            message: d.getMessage(),
            enforcementLevel: LEVELS[d.getEnforcementlevel()],
            // The CLI fills in the request's URN when a policy names none.
            urn: d.getUrn() || urn,
        }));
    }
}
