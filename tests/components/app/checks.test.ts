/**
 * One home for the app's defaults and rules (components/app/checks.ts): the stack
 * config (config/app.ts) and the components (Workload, AppImage, RegistryPullSecret) read the
 * same constants and pure rules, so what a user gets from the config is what a component does on
 * its own, and a value changes in one place. Each test reads both sides and pins the values users
 * rely on.
 */
import * as path from "path";
import type * as AppImageModule from "../../../components/app/AppImage";
import {
    APP_IMAGE_DEFAULTS,
    DEFAULT_APP_NAMESPACE,
    GKE_INGRESS_CLASSES,
    INGRESS_HOST_RULE,
    REGISTRY_HOST,
    REPLICAS_RANGE,
    TARGET_CPU_RANGE,
    WORKLOAD_DEFAULTS,
} from "../../../components/app/checks";
import type * as RegistryPullSecretModule from "../../../components/app/RegistryPullSecret";
import type * as WorkloadModule from "../../../components/app/Workload";
import { parseAppConfig } from "../../../config";
import { ConfigError } from "../../../config-issues";
import { AppImageSchema, RegistryPullCredentialSchema } from "../../../config/app";
import { PROJECT_DIR, workerModule } from "../../harness";
import { documentedDefaults, documentedValue } from "../../tsdoc";

// The components' checks as the plans load them (the components import the SDKs).
const { validateAppImageArgs } = workerModule<typeof AppImageModule>("components/app/AppImage");
const { validateRegistryPullSecretArgs } = workerModule<typeof RegistryPullSecretModule>(
    "components/app/RegistryPullSecret",
);
const { validateWorkloadArgs, workloadSpec } =
    workerModule<typeof WorkloadModule>("components/app/Workload");

const IMAGE = `registry.example.com/app@sha256:${"a".repeat(64)}`;
const RELEASE = { image: IMAGE, ingress: { host: "app.example.com" } };

/** The messages the config parser prints for the app release (empty when it is valid). */
function configProblems(app: Record<string, unknown>): string[] {
    try {
        parseAppConfig(app, "multicloud");
        return [];
    } catch (e) {
        if (e instanceof ConfigError) return [...e.problems];
        throw e;
    }
}

describe("the app release's defaults: one constant each, the same in the config and the Workload", () => {
    // What users rely on: changing one of these changes every cluster that runs the app, through
    // Pulumi and through gitops/workload/ alike.
    it("pins the values", () => {
        expect(WORKLOAD_DEFAULTS).toEqual({
            namespace: "app",
            minReplicas: 2,
            maxReplicas: 10,
            targetCpuUtilization: 65,
            requests: { cpu: "100m", memory: "128Mi" },
            limits: { cpu: "500m", memory: "256Mi" },
            ingress: {
                className: "nginx",
                tlsSecretName: "app-tls",
                controllerNamespace: "ingress-nginx",
            },
            rateLimit: { requestsPer5Minutes: 2000 },
            databaseSecretName: "app-database",
            deployerGroup: "app-deployers",
            databasePort: 5432,
        });
        expect(REPLICAS_RANGE).toEqual({ min: 1, max: 1000 });
        expect(TARGET_CPU_RANGE).toEqual({ min: 10, max: 95 });
    });

    it("settles the same release from the config as the Workload does from its arguments", () => {
        const fromConfig = parseAppConfig(RELEASE, "multicloud");
        const { namespace, architectures, managedBy, ...fromComponent } = workloadSpec(
            RELEASE,
            "pulumi",
        );
        expect(fromComponent).toEqual(fromConfig);
        // What the config has no key for: the component's own defaults.
        expect({ namespace, architectures, managedBy }).toEqual({
            namespace: DEFAULT_APP_NAMESPACE,
            architectures: [],
            managedBy: "pulumi",
        });
    });

    it("documents each default as the constant it is (`@default` in the config and the args)", () => {
        const config = documentedDefaults("config/app.ts");
        const workload = documentedDefaults("components/app/Workload.ts");
        const d = WORKLOAD_DEFAULTS;
        const cases: [string | undefined, unknown][] = [
            [workload.get("WorkloadArgs.namespace"), d.namespace],
            [config.get("AppSchema.minReplicas"), d.minReplicas],
            [workload.get("WorkloadArgs.minReplicas"), d.minReplicas],
            [config.get("AppSchema.maxReplicas"), d.maxReplicas],
            [workload.get("WorkloadArgs.maxReplicas"), d.maxReplicas],
            [config.get("AppSchema.targetCpuUtilization"), d.targetCpuUtilization],
            [workload.get("WorkloadArgs.targetCpuUtilization"), d.targetCpuUtilization],
            [config.get("AppSchema.requests"), d.requests],
            [workload.get("WorkloadArgs.requests"), d.requests],
            [config.get("AppSchema.limits"), d.limits],
            [workload.get("WorkloadArgs.limits"), d.limits],
            [config.get("AppSchema.ingress.className"), d.ingress.className],
            [workload.get("WorkloadIngressArgs.className"), d.ingress.className],
            [config.get("AppSchema.ingress.tlsSecretName"), d.ingress.tlsSecretName],
            [workload.get("WorkloadIngressArgs.tlsSecretName"), d.ingress.tlsSecretName],
            [config.get("AppSchema.ingress.controllerNamespace"), d.ingress.controllerNamespace],
            [
                workload.get("WorkloadIngressArgs.controllerNamespace"),
                d.ingress.controllerNamespace,
            ],
            [config.get("AppSchema.rateLimit"), d.rateLimit],
            [workload.get("WorkloadArgs.rateLimit"), d.rateLimit],
            [
                config.get("AppSchema.rateLimit.requestsPer5Minutes"),
                d.rateLimit.requestsPer5Minutes,
            ],
            [
                workload.get("WorkloadRateLimitArgs.requestsPer5Minutes"),
                d.rateLimit.requestsPer5Minutes,
            ],
            [config.get("AppSchema.databaseSecretName"), d.databaseSecretName],
            [workload.get("WorkloadArgs.databaseSecretName"), d.databaseSecretName],
            [config.get("AppSchema.deployerGroup"), d.deployerGroup],
            [workload.get("WorkloadArgs.deployerGroup"), d.deployerGroup],
            [config.get("AppSchema.databasePort"), d.databasePort],
            [workload.get("WorkloadArgs.databasePort"), d.databasePort],
        ];
        expect(cases.map(([text]) => documentedValue(text))).toEqual(
            cases.map(([, value]) => value),
        );
    });
});

describe("the app release's rules: the config refuses what the Workload refuses", () => {
    /** Whether the config accepts `value` for `key` (problems of other keys set aside). */
    const configAccepts = (key: string, release: Record<string, unknown>) =>
        !configProblems(release).some((p) => p.startsWith(`multicloud:app.${key} `));
    /** Whether the Workload accepts the same. */
    const componentAccepts = (key: string, release: Record<string, unknown>) =>
        !validateWorkloadArgs({ ...RELEASE, ...release }).some((p) => p.startsWith(`${key} `));

    it.each([0, 1, 2, 10, 999, 1000, 1001, 2.5])("replica bounds: %s", (n) => {
        // Each bound alone (the other at its widest), quota checks left aside.
        for (const [key, release] of [
            ["minReplicas", { ...RELEASE, minReplicas: n, maxReplicas: REPLICAS_RANGE.max }],
            ["maxReplicas", { ...RELEASE, minReplicas: REPLICAS_RANGE.min, maxReplicas: n }],
        ] as const) {
            const expected = Number.isInteger(n) && n >= 1 && n <= 1000;
            const reversed = (p: string) => p.includes("the bounds are reversed");
            const quota = (p: string) => p.includes("namespace quota");
            expect([
                !configProblems(release).some(
                    (p) => p.startsWith(`multicloud:app.${key} `) && !reversed(p),
                ),
                !validateWorkloadArgs(release).some(
                    (p) => p.startsWith(`${key} `) && !reversed(p) && !quota(p),
                ),
            ]).toEqual([expected, expected]);
        }
    });

    it.each([9, 10, 65, 95, 96, 65.5])("CPU target: %s %%", (n) => {
        const release = { ...RELEASE, targetCpuUtilization: n };
        const expected = Number.isInteger(n) && n >= 10 && n <= 95;
        expect([
            configAccepts("targetCpuUtilization", release),
            componentAccepts("targetCpuUtilization", release),
        ]).toEqual([expected, expected]);
    });

    it("names reversed bounds the same way, each with its own key", () => {
        const release = { ...RELEASE, minReplicas: 4, maxReplicas: 3 };
        expect(configProblems(release)).toEqual([
            "multicloud:app.minReplicas (4) is greater than app.maxReplicas (3): the bounds are reversed; swap them or raise app.maxReplicas",
        ]);
        expect(validateWorkloadArgs(release)).toEqual([
            "minReplicas (4) is greater than maxReplicas (3): the bounds are reversed; swap them or raise maxReplicas",
        ]);
    });

    // The rule that had drifted: the config and the Workload each wrote their own host pattern.
    // The host is the Ingress rule's and the certificate's name; cert-manager's HTTP-01 solver
    // cannot validate a wildcard (Let's Encrypt, "Challenge Types"), and a single label is no
    // public name.
    it("refuses the same ingress hosts, in the same words", () => {
        const refused = ["localhost", "*.example.com", "App.example.com", "app-.example.com", ""];
        const accepted = ["app.example.com", "a.b.c.example.org", "x1.example.io"];
        const hosts = [...refused, ...accepted];
        const release = (host: string) => ({ ...RELEASE, ingress: { host } });
        expect(hosts.map((host) => configAccepts("ingress.host", release(host)))).toEqual(
            hosts.map((host) => componentAccepts("ingress.host", release(host))),
        );
        expect(refused.map((host) => componentAccepts("ingress.host", release(host)))).toEqual(
            refused.map(() => false),
        );
        expect(configProblems(release("localhost"))[0]).toContain(
            `multicloud:app.ingress.host ${INGRESS_HOST_RULE}, got "localhost"`,
        );
        expect(validateWorkloadArgs(release("localhost"))).toEqual([
            `ingress.host 'localhost' ${INGRESS_HOST_RULE}`,
        ]);
    });

    // GKE's ingress controller ignores an Ingress that sets spec.ingressClassName
    // (kubernetes/ingress-gce pkg/utils/utils.go IsGCEIngress): both sides refuse its classes.
    it("refuses GKE's own ingress classes on both sides", () => {
        for (const className of GKE_INGRESS_CLASSES) {
            const release = { ...RELEASE, ingress: { host: "app.example.com", className } };
            expect([
                configAccepts("ingress.className", release),
                componentAccepts("ingress.className", release),
            ]).toEqual([false, false]);
        }
        const nginx = { ...RELEASE, ingress: { host: "app.example.com", className: "nginx" } };
        expect([
            configAccepts("ingress.className", nginx),
            componentAccepts("ingress.className", nginx),
        ]).toEqual([true, true]);
    });

    it("explains a bad image, quantity or name with the same words", () => {
        const release = {
            image: "registry.example.com/app:latest",
            requests: { cpu: "lots", memory: "128MB" },
            ingress: { host: "app.example.com", tlsSecretName: "App_TLS" },
        };
        const fix = (key: string) =>
            `: fix it with \`pulumi config set --path app.${key} <value>\``;
        expect(configProblems(release)).toEqual([
            `multicloud:app.image must be pinned by digest: <registry>/<repository>@sha256:<64 hex digits>, never a tag such as latest, got "registry.example.com/app:latest"${fix("image")}`,
            `multicloud:app.requests.cpu must be a CPU quantity such as 100m or 1, got "lots"${fix("requests.cpu")}`,
            `multicloud:app.requests.memory must be a memory quantity such as 128Mi or 1Gi, got "128MB"${fix("requests.memory")}`,
            `multicloud:app.ingress.tlsSecretName must be a DNS label (lowercase letters, digits and -, up to 63), got "App_TLS"${fix("ingress.tlsSecretName")}`,
        ]);
        expect(validateWorkloadArgs(release)).toEqual([
            "image 'registry.example.com/app:latest' must be pinned by digest: <registry>/<repository>@sha256:<64 hex digits>, never a tag such as latest",
            "requests.cpu 'lots' must be a CPU quantity such as 100m or 1",
            "requests.memory '128MB' must be a memory quantity such as 128Mi or 1Gi",
            "ingress.tlsSecretName 'App_TLS' must be a DNS label (lowercase letters, digits and -, up to 63)",
        ]);
    });
});

describe("the image this stack builds: the config's defaults are AppImage's", () => {
    it("pins the values", () => {
        expect(APP_IMAGE_DEFAULTS).toEqual({
            context: "app",
            dockerfile: "Dockerfile",
            target: "runtime",
            buildOnPreview: false,
        });
    });

    it("gives a section left empty what AppImage does with the arguments left out", () => {
        const parsed = AppImageSchema.parse({});
        expect({
            context: parsed.context,
            dockerfile: parsed.dockerfile,
            target: parsed.target,
            buildOnPreview: parsed.buildOnPreview,
        }).toEqual(APP_IMAGE_DEFAULTS);
    });

    it("documents each default as the constant it is (`@default` in the config and the args)", () => {
        const config = documentedDefaults("config/app.ts");
        const image = documentedDefaults("components/app/AppImage.ts");
        const keys = Object.keys(APP_IMAGE_DEFAULTS) as (keyof typeof APP_IMAGE_DEFAULTS)[];
        expect(keys.map((k) => documentedValue(config.get(`AppImageSchema.${k}`)))).toEqual(
            keys.map((k) => APP_IMAGE_DEFAULTS[k]),
        );
        expect(keys.map((k) => documentedValue(image.get(`AppImageArgs.${k}`)))).toEqual(
            keys.map((k) => APP_IMAGE_DEFAULTS[k]),
        );
    });

    it("refuses the same repository names, in the same words", () => {
        const refused = ["App", "-app", "app-", "a/b", "a".repeat(64)];
        const accepted = ["a", "multicloud-app", "app_1.2", "a".repeat(63)];
        const configRefuses = (repository: string) =>
            !AppImageSchema.safeParse({ repository }).success;
        const componentRefuses = (repository: string) =>
            validateAppImageArgs(
                { context: path.join(PROJECT_DIR, "app"), registries: {}, repository },
                ["docker-build"],
                "app",
            ).some((p) => p.startsWith("repository "));
        expect([...refused, ...accepted].map(configRefuses)).toEqual(
            [...refused, ...accepted].map(componentRefuses),
        );
        expect(refused.map(configRefuses)).toEqual(refused.map(() => true));
        const message = AppImageSchema.safeParse({ repository: "App" }).error?.issues[0].message;
        expect(message).toBe(
            "must be lowercase letters, digits, '.', '_' or '-' (up to 63), starting and ending with a letter or digit",
        );
    });
});

describe("the released image's pull credential: the config refuses what RegistryPullSecret refuses", () => {
    it("takes the same registry hosts: a host with an optional port, lowercase, no scheme or path", () => {
        const hosts = [
            "fleet.azurecr.io",
            "europe-docker.pkg.dev",
            "registry.local:5000",
            "Fleet.azurecr.io",
            "https://fleet.azurecr.io",
            "fleet.azurecr.io/app",
            "-fleet.io",
        ];
        const configTakes = (server: string) =>
            RegistryPullCredentialSchema.safeParse({ server, username: "u", password: "p" })
                .success;
        const componentTakes = (server: string) =>
            validateRegistryPullSecretArgs({
                kubeconfig: "k",
                server,
                username: "u",
                password: "p",
            }).length === 0;
        expect(hosts.map(configTakes)).toEqual(hosts.map(componentTakes));
        expect(hosts.map((h) => REGISTRY_HOST.test(h))).toEqual([
            true,
            true,
            true,
            false,
            false,
            false,
            false,
        ]);
    });

    it("a server with a scheme or path, and a blank user name, in the same words", () => {
        const credential = { server: "https://r.azurecr.io/app", username: " ", password: "pw" };
        const result = RegistryPullCredentialSchema.safeParse(credential);
        expect(result.error?.issues.map((i) => `${i.path.join(".")} ${i.message}`)).toEqual([
            "server must be a registry host such as fleet.azurecr.io, without a scheme or path",
            "username is empty: give the token's name",
        ]);
        expect(validateRegistryPullSecretArgs({ ...credential, kubeconfig: "k" })).toEqual([
            "server 'https://r.azurecr.io/app' must be a registry host such as fleet.azurecr.io, without a scheme or path",
            "username is empty: give the token's name",
        ]);
        for (const [username, problem] of [
            ["robot:pull", "username has a colon, which the registry login cannot carry"],
            [" robot", "username has leading or trailing spaces: remove them"],
        ]) {
            expect(
                validateRegistryPullSecretArgs({
                    ...credential,
                    server: "r.azurecr.io",
                    username,
                    kubeconfig: "k",
                }),
            ).toEqual([problem]);
        }
    });
});
