/**
 * The app's sections of the stack config: the release every cluster runs (`app`, set once in
 * Pulumi.yaml), the image this stack builds (`appImage`), and the app's secrets (`databaseUrl`,
 * `registryPullCredential`): components/app/. Defaults and rules shared with the components come
 * from components/app/ (checks.ts, platforms.ts, dockerfile.ts, attestations.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { boolean, integer, quantityText, setFixUnlessGiven, text } from "../config-issues";
import { DEFAULT_PROVENANCE, DEFAULT_SBOM, PROVENANCE_MODES } from "../components/app/attestations";
import {
    APP_IMAGE_DEFAULTS,
    CPU_QUANTITY_RULE,
    DATABASE_PORT,
    DEFAULT_PULL_SECRET_NAME,
    DNS_LABEL_RULE,
    GKE_INGRESS_CLASSES,
    IMAGE_BY_DIGEST_RULE,
    IMAGE_REPOSITORY,
    IMAGE_REPOSITORY_RULE,
    INGRESS_HOST,
    INGRESS_HOST_RULE,
    MEMORY_QUANTITY_RULE,
    pullUsernameProblem,
    REGISTRY_HOST,
    REGISTRY_HOST_RULE,
    REPLICAS_RANGE,
    reversedReplicasProblem,
    TARGET_CPU_RANGE,
    WORKLOAD_DEFAULTS,
} from "../components/app/checks";
import { baseImageArgProblems, targetProblem } from "../components/app/dockerfile";
import { DEFAULT_IMAGE_PLATFORMS, IMAGE_PLATFORMS } from "../components/app/platforms";
import { WAF_RATE_LIMIT_MAX, WAF_RATE_LIMIT_MIN } from "../components/aws/checks";
import { DNS_LABEL, IMAGE_BY_DIGEST, KUBE_CPU, KUBE_MEMORY } from "../components/formats";
import { KMS_KEY } from "../components/gcp/checks";
import { distinct } from "./common";

const imageByDigest = z.string().regex(IMAGE_BY_DIGEST, { message: IMAGE_BY_DIGEST_RULE });
// Quantities may be written as numbers (cpu: 0.5, memory: 134217728), as in a Kubernetes manifest.
const cpuQuantity = quantityText(z.string().regex(KUBE_CPU, { message: CPU_QUANTITY_RULE }));
const memoryQuantity = quantityText(
    z.string().regex(KUBE_MEMORY, { message: MEMORY_QUANTITY_RULE }),
);
// A DNS label may be all digits: one that YAML read as a number is taken back as text.
const k8sName = text(z.string().regex(DNS_LABEL, { message: DNS_LABEL_RULE }));
/** A container's CPU and memory, as requests or limits. */
interface ComputeQuantities {
    readonly cpu: string;
    readonly memory: string;
}
const computeResources = (defaults: ComputeQuantities) =>
    z
        .strictObject({
            /** CPU of the app container, a Kubernetes quantity (`100m`, `0.5`). */
            cpu: cpuQuantity.default(defaults.cpu),
            /** Memory of the app container, a Kubernetes quantity (`128Mi`). */
            memory: memoryQuantity.default(defaults.memory),
        })
        .prefault({});
const replicas = integer().pipe(z.number().min(REPLICAS_RANGE.min).max(REPLICAS_RANGE.max));
/** The release's defaults: the Workload's (components/app/checks.ts), written once. */
const D = WORKLOAD_DEFAULTS;

/**
 * The app release: the image and how it runs. Set once in Pulumi.yaml (project-level config,
 * key `app`), rendered into gitops/workload/ for every fleet cluster (`npm run gitops`) and
 * applied by Pulumi to the GKE clusters of each stack. A stack that sets `app` replaces the
 * whole object (Pulumi does not merge it) for its own clusters only.
 */
export const AppSchema = z
    .strictObject({
        /** The released image, by digest: what GitOps delivers, and what runs where no image is built. Required. */
        image: imageByDigest,
        /** Pods the HorizontalPodAutoscaler keeps at least, on every cluster. @default 2 */
        minReplicas: replicas.default(D.minReplicas),
        /** Pods the HorizontalPodAutoscaler may scale up to, on every cluster. @default 10 */
        maxReplicas: replicas.default(D.maxReplicas),
        /** Average CPU utilization (percent of the CPU request) the autoscaler aims for. @default 65 */
        targetCpuUtilization: integer()
            .pipe(z.number().min(TARGET_CPU_RANGE.min).max(TARGET_CPU_RANGE.max))
            .default(D.targetCpuUtilization),
        /** What the app container requests: the scheduler reserves it, the autoscaler's percentage is of it. @default { cpu: "100m", memory: "128Mi" } */
        requests: computeResources(D.requests),
        /** The most the app container may use: CPU above it is throttled, memory above it kills the container. @default { cpu: "500m", memory: "256Mi" } */
        limits: computeResources(D.limits),
        /** How clients reach the app: the Ingress on every cluster, its host, class and TLS certificate. */
        ingress: z.strictObject({
            /** Public DNS name of the app. Required. */
            host: z.string().regex(INGRESS_HOST, { message: INGRESS_HOST_RULE }),
            /** The IngressClass that serves the app (the Ingress's spec.ingressClassName). @default "nginx" */
            className: k8sName
                .refine((c) => !(GKE_INGRESS_CLASSES as readonly string[]).includes(c), {
                    message:
                        "is GKE's own ingress controller, which ignores spec.ingressClassName: run an ingress controller in the cluster (e.g. ingress-nginx, class nginx)",
                })
                .default(D.ingress.className),
            /** The Secret in the app namespace that holds the TLS certificate for the host (cert-manager writes it when clusterIssuer is set). @default "app-tls" */
            tlsSecretName: k8sName.default(D.ingress.tlsSecretName),
            /** cert-manager ClusterIssuer for the certificate. @default none */
            clusterIssuer: k8sName.optional(),
            /** Namespace of the ingress controller: the only one whose pods may reach the app (and cert-manager's HTTP-01 solver). @default "ingress-nginx" */
            controllerNamespace: k8sName.default(D.ingress.controllerNamespace),
            /** Labels of the controller's pods in that namespace, to admit only those. @default {} (every pod of the namespace) */
            controllerPodLabels: z.record(z.string(), text()).default({}),
        }),
        /**
         * The per-client rate limit, the same on every cloud: the AWS web ACL's rate-based rule
         * and the ingress's rate limit on every cluster. @default { requestsPer5Minutes: 2000 }
         */
        rateLimit: z
            .strictObject({
                /** Requests one client IP may send in 5 minutes. @default 2000 */
                requestsPer5Minutes: integer()
                    .pipe(
                        z
                            .number()
                            .refine((n) => n >= WAF_RATE_LIMIT_MIN, {
                                message: `must be at least ${WAF_RATE_LIMIT_MIN}: AWS WAF's rate-based rules count no fewer than ${WAF_RATE_LIMIT_MIN} requests per 5 minutes; raise it with \`pulumi config set --path app.rateLimit.requestsPer5Minutes ${WAF_RATE_LIMIT_MIN}\``,
                            })
                            .refine((n) => n <= WAF_RATE_LIMIT_MAX, {
                                message: `must be at most ${WAF_RATE_LIMIT_MAX}, AWS WAF's largest rate limit: lower it with \`pulumi config set --path app.rateLimit.requestsPer5Minutes ${WAF_RATE_LIMIT_MAX}\``,
                            }),
                    )
                    .default(D.rateLimit.requestsPer5Minutes),
            })
            .prefault({}),
        /** Secret (key `url`) holding the database URL, mounted in the pod as DATABASE_URL_FILE. @default "app-database" */
        databaseSecretName: k8sName.default(D.databaseSecretName),
        /**
         * Group allowed to deploy into the app namespace. Not a `system:` group: those are
         * Kubernetes' own (system:authenticated is everyone signed in; on GKE, any Google
         * account), which the policy kubernetes-rolebinding-no-broad-subjects refuses.
         * @default "app-deployers"
         */
        deployerGroup: text(z.string().min(1))
            .refine((g) => !g.startsWith("system:"), {
                message:
                    "must not be a system: group (Kubernetes' own groups: system:authenticated is everyone signed in, on GKE any Google account): name the group of the people who deploy the app",
            })
            .default(D.deployerGroup),
        /** TCP port of the database (egress is allowed to it). @default 5432 */
        databasePort: integer()
            .pipe(z.number().min(DATABASE_PORT.min).max(DATABASE_PORT.max))
            .default(D.databasePort),
        /** Pull secrets for clusters outside the image registry's cloud. @default [] */
        imagePullSecrets: z.array(k8sName).default([]),
    })
    .superRefine((a, ctx) => {
        const reversed = reversedReplicasProblem(a.minReplicas, a.maxReplicas, "app.maxReplicas");
        if (reversed) ctx.addIssue({ code: "custom", path: ["minReplicas"], message: reversed });
    });

export const REGISTRY_CLOUDS = ["aws", "gcp", "azure"] as const;

/** The image this stack builds from app/ and pushes to its clouds' registries. */
export const AppImageSchema = z.strictObject({
    /** Build and push with Pulumi; when false, every cluster and instance runs app.image. @default true */
    build: boolean().default(true),
    /** Build context, relative to the project folder. @default "app" */
    context: z.string().min(1).default(APP_IMAGE_DEFAULTS.context),
    /** Dockerfile, relative to the context. @default "Dockerfile" */
    dockerfile: z.string().min(1).default(APP_IMAGE_DEFAULTS.dockerfile),
    /** Dockerfile stage to build. @default "runtime" */
    target: z
        .string()
        .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, { message: "must be a stage name" })
        .default(APP_IMAGE_DEFAULTS.target),
    /**
     * Every platform the image runs on, built as one multi-platform image: it must cover the AWS
     * fleet's architecture and every GKE node pool's. @default ["linux/amd64"]
     */
    platforms: distinct(z.enum(IMAGE_PLATFORMS), "platform")
        .min(1)
        .default([...DEFAULT_IMAGE_PLATFORMS]),
    /** buildx builder for multi-platform builds (docker-container driver). @default the current builder */
    builder: z.string().min(1).optional(),
    /** Removed: see platforms. */
    platform: z.unknown().optional(),
    /** Build during previews as well (never pushed). @default false */
    buildOnPreview: boolean().default(APP_IMAGE_DEFAULTS.buildOnPreview),
    /**
     * Build arguments. One that chooses a base image (used in a FROM line, as PYTHON_IMAGE) must be
     * pinned by digest. @default {} (the Dockerfile's digest-pinned base)
     */
    buildArgs: z
        .record(
            z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be an ARG name" }),
            text(),
        )
        .default({}),
    /**
     * Store an SBOM attestation (SPDX, per platform) with the image in every registry.
     * @default true
     */
    sbom: boolean().default(DEFAULT_SBOM),
    /**
     * Provenance attestation stored with the image: max (the whole build request, build
     * argument values included), min (without them) or off. @default max
     */
    provenance: z.enum(PROVENANCE_MODES).default(DEFAULT_PROVENANCE),
    /** Repository name in every registry. @default "multicloud-app" */
    repository: z
        .string()
        .regex(IMAGE_REPOSITORY, { message: IMAGE_REPOSITORY_RULE })
        .default("multicloud-app"),
    /** Clouds whose registry receives the image. @default every enabled cloud */
    registries: z.array(z.enum(REGISTRY_CLOUDS)).optional(),
    /** Cloud KMS key (projects/.../cryptoKeys/...) for Artifact Registry CMEK. @default Google-managed */
    gcpKmsKeyName: z
        .string()
        .regex(KMS_KEY, {
            message:
                "must be a Cloud KMS key: projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>",
        })
        .optional(),
    /** Azure Container Registry tier; azureEncryption needs Premium. @default "Standard" */
    azureSku: z.enum(["Basic", "Standard", "Premium"]).optional(),
    /**
     * Customer-managed Key Vault key of the Azure Container Registry (Premium; the vault uses the
     * Azure RBAC permission model, soft delete and purge protection; an RSA key). Azure enables a
     * key only when a registry is created: setting or removing it creates a new registry.
     * @default Microsoft-managed keys
     */
    azureEncryption: z
        .strictObject({
            /** https://<vault>.vault.azure.net/keys/<name>; versionless rotates automatically. */
            keyIdentifier: z.string(),
            /** /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.KeyVault/vaults/<vault> */
            keyVaultId: z.string(),
        })
        .optional(),
});

/** The `sslmode` values with which libpq never connects without TLS. */
export const TLS_SSL_MODES = ["require", "verify-ca", "verify-full"] as const;

/**
 * Why a database URL does not require TLS, or undefined when it does; never quotes the URL (a
 * secret). libpq semantics (PostgreSQL docs, "Connection Strings" and "sslmode"): a URI starts
 * with `postgresql://` or `postgres://`; `sslmode` defaults to `prefer`, which like `allow` and
 * `disable` connects without TLS when the server does not offer it, so only `require`,
 * `verify-ca` and `verify-full` count. Every `sslmode` in the query string must be one of them.
 */
export function databaseUrlTlsProblem(url: string): string | undefined {
    const fix =
        "`pulumi config set --secret databaseUrl 'postgresql://<user>:<password>@<host>:5432/<database>?sslmode=verify-full'`";
    if (!/^postgres(ql)?:\/\//i.test(url)) {
        return `is not a PostgreSQL connection URI (postgresql:// or postgres://): set it with ${fix}`;
    }
    const query = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
    const modes = query
        .split("&")
        .map((pair) => pair.split("="))
        .filter(([key]) => safeDecode(key) === "sslmode")
        .map(([, value]) => safeDecode(value ?? ""));
    if (modes.length > 0 && modes.every((m) => (TLS_SSL_MODES as readonly string[]).includes(m))) {
        return undefined;
    }
    return `does not require TLS: its sslmode is ${modes.length === 0 ? "missing (libpq then uses prefer)" : "not one of require, verify-ca, verify-full"}, and disable, allow and prefer let libpq connect in plain text; add sslmode=verify-full (or verify-ca, or require) to its query string: ${fix}`;
}

function safeDecode(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}

/** The database URL for the clusters Pulumi applies the app to (key `databaseUrl`; a secret). */
export const DatabaseUrlSchema = z
    .string()
    .min(1)
    .superRefine((url, ctx) => {
        const problem = databaseUrlTlsProblem(url);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    });

/** The released image's pull credential for the clusters GitOps feeds (key `registryPullCredential`). */
export const RegistryPullCredentialSchema = z.strictObject({
    /** The registry host of app.image, e.g. fleet.azurecr.io. */
    server: z.string().regex(REGISTRY_HOST, { message: REGISTRY_HOST_RULE }),
    /** An ACR token name, or _json_key for an Artifact Registry key. */
    username: z.string().superRefine((username, ctx) => {
        const problem = pullUsernameProblem(username);
        if (problem) {
            ctx.addIssue({ code: "custom", message: problem, params: setFixUnlessGiven(problem) });
        }
    }),
    /** The ACR token's password, or the Artifact Registry service-account key (JSON); a secret. */
    password: text(z.string().min(1)),
    /** Name of the docker-registry Secret Pulumi writes into the app namespace; list it in app.imagePullSecrets. @default "app-registry" */
    secretName: k8sName.default(DEFAULT_PULL_SECRET_NAME),
});

/** The image's build context must hold its Dockerfile (read from the raw, unparsed section). */
export function buildContextProblems(raw: unknown, project: string, projectDir?: string): string[] {
    if (projectDir === undefined) return [];
    const section = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
    if (section.build === false || section.build === "false") return [];
    const context =
        typeof section.context === "string" ? section.context : APP_IMAGE_DEFAULTS.context;
    const dockerfile =
        typeof section.dockerfile === "string" ? section.dockerfile : APP_IMAGE_DEFAULTS.dockerfile;
    const dir = path.resolve(projectDir, context);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        return [
            `${project}:appImage.context '${context}' is not a folder of the project: point it at the app's folder with \`pulumi config set --path appImage.context app\``,
        ];
    }
    if (!fs.existsSync(path.join(dir, dockerfile))) {
        return [
            `${project}:appImage.context '${context}' has no ${dockerfile}: add it, set appImage.dockerfile to its path relative to the context, or set appImage.build to false`,
        ];
    }
    // BuildKit fails the build when the target names no stage of the Dockerfile.
    const target = typeof section.target === "string" ? section.target : APP_IMAGE_DEFAULTS.target;
    const text = fs.readFileSync(path.join(dir, dockerfile), "utf8");
    const problem = targetProblem(text, target, `${project}:appImage.target`);
    const buildArgs =
        section.buildArgs && typeof section.buildArgs === "object"
            ? (section.buildArgs as Record<string, unknown>)
            : {};
    return [
        ...(problem ? [problem] : []),
        ...baseImageArgProblems(text, buildArgs, `${project}:appImage.buildArgs`),
    ];
}

export type AppConfig = z.output<typeof AppSchema>;
export type AppImageConfig = Omit<z.output<typeof AppImageSchema>, "registries"> & {
    /** Settled: the enabled clouds when the stack does not list them. */
    readonly registries: readonly (typeof REGISTRY_CLOUDS)[number][];
};
