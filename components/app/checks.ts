/**
 * Constants and rules shared by the app's components (Workload, RegistryPullSecret) and the
 * stack config schema, so that each is written once. No SDK imports: config/ reads it without
 * loading @pulumi/kubernetes.
 */

// --- The workload (Workload) ---------------------------------------------------------------------

/** Where `npm run gitops` renders the objects, relative to the project folder. */
export const GITOPS_WORKLOAD_DIR = "gitops/workload";

/**
 * The app's namespace: where the Workload puts its objects, and where RegistryPullSecret writes
 * the released image's pull secret for the pods to pull with (so the two must be the same).
 */
export const DEFAULT_APP_NAMESPACE = "app";

/**
 * The namespace of the ingress controller that forwards traffic to the app: the namespace
 * ingress-nginx's install guide and Helm chart use (`--namespace ingress-nginx`,
 * kubernetes/ingress-nginx docs/deploy/index.md).
 */
export const DEFAULT_INGRESS_CONTROLLER_NAMESPACE = "ingress-nginx";

/**
 * The app's host name (`ingress.host`): a fully qualified DNS name such as app.example.com
 * (lowercase labels of letters, digits and inner hyphens, at least two of them), never a wildcard.
 * It is the name the app is reached at: the Ingress rule and TLS host of every cluster, the
 * certificate a `clusterIssuer` issues for it (the namespace admits cert-manager's HTTP-01
 * solver, and HTTP-01 cannot validate a wildcard name: Let's Encrypt, "Challenge Types"), and
 * the stack output `gcp.appHosts`.
 */
export const INGRESS_HOST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
/** The message of a host that breaks `INGRESS_HOST`, for config and the component alike. */
export const INGRESS_HOST_RULE = "must be a fully qualified DNS name such as app.example.com";

/**
 * Ingress classes served by GKE's own ingress controller (kubernetes/ingress-gce
 * pkg/annotations/ingress.go). That controller reads the class only from the
 * `kubernetes.io/ingress.class` annotation and ignores any Ingress that sets
 * `spec.ingressClassName` (pkg/utils/utils.go `IsGCEIngress`), so an Ingress with one of these
 * in `ingressClassName` is served by nobody.
 */
export const GKE_INGRESS_CLASSES = ["gce", "gce-internal", "gce-regional-external"] as const;

/** Default of `WorkloadRateLimitArgs.requestsPer5Minutes` (and of the AWS web ACL's rule). */
export const DEFAULT_REQUESTS_PER_5_MINUTES = 2000;

/**
 * The TCP port of the database the app reaches (`databasePort`, which the namespace's egress
 * policy opens): its default, PostgreSQL's, and the bounds of a TCP port.
 */
export const DATABASE_PORT = { default: 5432, min: 1, max: 65535 } as const;

/**
 * The bounds of the autoscaler's replica counts (`minReplicas`, `maxReplicas`): whole numbers in
 * this range. (The namespace's quota allows fewer pods than `max`: the Workload's validation
 * reports that too.)
 */
export const REPLICAS_RANGE = { min: 1, max: 1000 } as const;
/** The autoscaler's CPU target (`targetCpuUtilization`): a whole percentage of the requests. */
export const TARGET_CPU_RANGE = { min: 10, max: 95 } as const;

/**
 * Every default of the app release, settled in one place: the stack config schema (`app` in
 * config/app.ts) and the Workload component (`workloadSpec`) both take them from here, and the
 * `@default` of each field (WorkloadArgs, AppSchema) shows the same value.
 */
export const WORKLOAD_DEFAULTS = {
    namespace: DEFAULT_APP_NAMESPACE,
    minReplicas: 2,
    maxReplicas: 10,
    targetCpuUtilization: 65,
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
    ingress: {
        className: "nginx",
        tlsSecretName: "app-tls",
        controllerNamespace: DEFAULT_INGRESS_CONTROLLER_NAMESPACE,
    },
    rateLimit: { requestsPer5Minutes: DEFAULT_REQUESTS_PER_5_MINUTES },
    databaseSecretName: "app-database",
    deployerGroup: "app-deployers",
    databasePort: DATABASE_PORT.default,
} as const;

/**
 * The problem with a reversed pair of replica bounds, or undefined when `min` <= `max`; to follow
 * the name of the `minReplicas` key. `maxKey` names the other key as the reader knows it
 * (`maxReplicas` for the component, `app.maxReplicas` in stack config).
 */
export function reversedReplicasProblem(
    min: number,
    max: number,
    maxKey: string,
): string | undefined {
    return min > max
        ? `(${min}) is greater than ${maxKey} (${max}): the bounds are reversed; swap them or raise ${maxKey}`
        : undefined;
}

/** What the values of these formats must be, for config and the component alike. */
export const IMAGE_BY_DIGEST_RULE =
    "must be pinned by digest: <registry>/<repository>@sha256:<64 hex digits>, never a tag such as latest";
export const CPU_QUANTITY_RULE = "must be a CPU quantity such as 100m or 1";
export const MEMORY_QUANTITY_RULE = "must be a memory quantity such as 128Mi or 1Gi";
export const DNS_LABEL_RULE = "must be a DNS label (lowercase letters, digits and -, up to 63)";

// --- The released image's pull secret (RegistryPullSecret) -------------------------------------

/** The Secret's name, which `app.imagePullSecrets` lists. */
export const DEFAULT_PULL_SECRET_NAME = "app-registry";
/** A registry host, optionally with a port: `fleet.azurecr.io`, `europe-docker.pkg.dev`. */
export const REGISTRY_HOST = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/;
/** The message of a server that breaks `REGISTRY_HOST`. */
export const REGISTRY_HOST_RULE =
    "must be a registry host such as fleet.azurecr.io, without a scheme or path";
/** The problem with the credential's user name, or undefined when it names someone. */
export function pullUsernameProblem(username: string): string | undefined {
    if (username.trim() === "") return "is empty: give the token's name";
    // The Secret's auth is base64(username:password); the kubelet splits it at the first colon
    // (kubernetes pkg/credentialprovider/config.go decodeDockerConfigFieldAuth), so a colon or
    // stray spaces in the name make every pull fail to authenticate.
    if (username.includes(":")) return "has a colon, which the registry login cannot carry";
    if (username !== username.trim()) return "has leading or trailing spaces: remove them";
    return undefined;
}

// --- The image this stack builds (AppImage) -------------------------------------------------

/** Where the image is built from, relative to the project folder (`appImage` in stack config). */
export const APP_IMAGE_DEFAULTS = {
    /** The build context: the app's folder. */
    context: "app",
    /** The Dockerfile, relative to the context. */
    dockerfile: "Dockerfile",
    /** The Dockerfile stage to build: app/Dockerfile's final stage. */
    target: "runtime",
    /** Build during previews too (never pushed). */
    buildOnPreview: false,
} as const;

/**
 * The image's repository name in every registry (`appImage.repository`, AppImage's
 * `repository`): one path segment of lowercase letters, digits, `.`, `_` and `-`, up to 63,
 * with a letter or digit at both ends.
 */
export const IMAGE_REPOSITORY = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;
/** The message of a repository that breaks `IMAGE_REPOSITORY`. */
export const IMAGE_REPOSITORY_RULE =
    "must be lowercase letters, digits, '.', '_' or '-' (up to 63), starting and ending with a letter or digit";
