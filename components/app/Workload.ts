/**
 * The app on Kubernetes: every object it needs, built by one pure function
 * (`workloadObjects`), so that the same objects are
 *   (a) applied by Pulumi, through a cluster's provider, to the clusters this program creates
 *       (the `Workload` component below), and
 *   (b) rendered as YAML into `gitops/workload/` for Config Sync and Flux to deliver to every
 *       other cluster of the fleet (`npm run gitops`; a test fails when the two differ).
 *
 * The namespace comes with its guardrails (restricted Pod Security, default-deny networking,
 * quota and limits), then the app: a service account without a token, a hardened Deployment
 * spread across zones, its Service, autoscaler, disruption budget, ingress with TLS, the one
 * port it serves (open to the ingress controller's namespace only, and cert-manager's HTTP-01
 * solver likewise), and a least-privilege deployer role.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { throwIfInvalid } from "../validation";
import { DNS_LABEL, IMAGE_BY_DIGEST, KUBE_CPU, KUBE_MEMORY } from "../formats";
import {
    CPU_QUANTITY_RULE,
    DATABASE_PORT,
    DNS_LABEL_RULE,
    GKE_INGRESS_CLASSES,
    IMAGE_BY_DIGEST_RULE,
    INGRESS_HOST,
    INGRESS_HOST_RULE,
    MEMORY_QUANTITY_RULE,
    REPLICAS_RANGE,
    reversedReplicasProblem,
    TARGET_CPU_RANGE,
    WORKLOAD_DEFAULTS,
} from "./checks";
import { APP_PORT, HEALTH_CHECK_PATH, READINESS_CHECK_PATH } from "./runtimePort";
import { APP_UID } from "./runtimeUser";

export { APP_PORT, HEALTH_CHECK_PATH, READINESS_CHECK_PATH } from "./runtimePort";
export {
    DEFAULT_APP_NAMESPACE,
    DEFAULT_INGRESS_CONTROLLER_NAMESPACE,
    DEFAULT_REQUESTS_PER_5_MINUTES,
    GITOPS_WORKLOAD_DIR,
    GKE_INGRESS_CLASSES,
    WORKLOAD_DEFAULTS,
} from "./checks";

/**
 * Where the pod mounts the database Secret (`databaseSecretName`), read-only; and the file, from
 * its key `url`, that the app reads the database URL from on every `/readyz` (app/run.py,
 * `DATABASE_URL_FILE`). A file, not an environment variable: an environment is inherited by every
 * child process and readable in /proc/<pid>/environ, and the kubelet updates a mounted Secret in
 * place (not one mounted with subPath) within its sync period, about a minute, so a new password
 * applies without a restart.
 */
export const DATABASE_SECRET_DIR = "/var/run/secrets/app-database";
/** @see DATABASE_SECRET_DIR */
export const DATABASE_URL_FILE = `${DATABASE_SECRET_DIR}/url`;

/**
 * The name of the app's Deployment, and of everything that must name it: the label
 * `app.kubernetes.io/name` its pods carry, its ServiceAccount, Service (the Ingress's backend),
 * autoscaler (its scale target) and disruption budget.
 */
export const APP_NAME = "app";
/** The Role that grants `deployerGroup` what deploying the app takes, and its binding's roleRef. */
const DEPLOYER_ROLE = "app-deployer";

/**
 * The label the API server sets on every Namespace to its name (`kubernetes.io/metadata.name`,
 * KEP-2161: beta in 1.21, GA in 1.22; it cannot be removed or changed), so a NetworkPolicy can
 * select a namespace by name on any conformant cluster.
 */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * cert-manager's ACME HTTP-01 solver: the pods (`cm-acme-http-solver-*`) it creates in the
 * Ingress's namespace carry this label and listen on this port
 * (cert-manager/cert-manager pkg/apis/acme/v1/types.go `SolverIdentificationLabelKey`,
 * pkg/issuer/acme/http/pod.go `podLabels`, pkg/issuer/acme/http/http.go `acmeSolverListenPort`).
 */
export const ACME_HTTP01_SOLVER_LABELS: Readonly<Record<string, string>> = {
    "acme.cert-manager.io/http01-solver": "true",
};
/** @see ACME_HTTP01_SOLVER_LABELS */
export const ACME_HTTP01_SOLVER_PORT = 8089;
/**
 * What one HTTP-01 solver pod adds to the namespace's quota: cert-manager's defaults
 * (internal/apis/config/controller/v1alpha1/defaults.go: requests 10m / 64Mi, limits
 * 100m / 64Mi).
 */
export const ACME_HTTP01_SOLVER_RESOURCES = {
    requests: { cpu: "10m", memory: "64Mi" },
    limits: { cpu: "100m", memory: "64Mi" },
} as const;

/** The namespace's ResourceQuota (`hard`): what every pod of the namespace together may use. */
export const NAMESPACE_QUOTA = {
    "requests.cpu": "4",
    "requests.memory": "8Gi",
    "limits.cpu": "8",
    "limits.memory": "16Gi",
    pods: "50",
    // Traffic comes in through the shared ingress, never a load balancer per app. (NodePort
    // Services stay allowed: cert-manager's HTTP-01 solver Service is a NodePort by default.)
    "services.loadbalancers": "0",
} as const;

/** The namespace's LimitRange for containers: defaults and the largest a container may ask. */
export const CONTAINER_LIMIT_RANGE = {
    defaultRequest: { cpu: "100m", memory: "128Mi" },
    default: { cpu: "500m", memory: "512Mi" },
    max: { cpu: "2", memory: "4Gi" },
} as const;

/** CPU and memory in Kubernetes quantity notation. */
export interface ComputeResources {
    /** CPU, e.g. `100m` or `1`. */
    readonly cpu: string;
    /** Memory, e.g. `128Mi` or `1Gi`. */
    readonly memory: string;
}

/** How the app is reached from outside the cluster. */
export interface WorkloadIngressArgs {
    /** The DNS name clients use, e.g. `app.example.com`. */
    readonly host: string;
    /** The IngressClass that serves it. @default "nginx" */
    readonly className?: string;
    /** The Secret holding the TLS certificate for `host`. @default "app-tls" */
    readonly tlsSecretName?: string;
    /**
     * A cert-manager ClusterIssuer that issues the certificate into `tlsSecretName`. With it, the
     * namespace also admits cert-manager's HTTP-01 solver pods from the ingress controller
     * (policy `allow-acme-http01-solver`); a DNS-01 issuer needs nothing more.
     * @default none: the Secret is provided by other means
     */
    readonly clusterIssuer?: string;
    /**
     * The namespace the ingress controller's pods run in: the only namespace whose pods may
     * open connections to the app (and to the HTTP-01 solver). Selected by the
     * `kubernetes.io/metadata.name` label the API server sets on every namespace.
     * @default "ingress-nginx"
     */
    readonly controllerNamespace?: string;
    /**
     * Labels of the ingress controller's pods within `controllerNamespace`, to admit only those
     * pods (e.g. `{ "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component":
     * "controller" }` for the ingress-nginx chart).
     * @default {}: every pod of `controllerNamespace`
     */
    readonly controllerPodLabels?: Readonly<Record<string, string>>;
}

/**
 * The per-client rate limit on the app's ingress: the same number the AWS web ACL enforces in
 * front of the load balancer, so one limit holds on every cloud.
 */
export interface WorkloadRateLimitArgs {
    /**
     * Requests one client IP may send in 5 minutes. On ingress-nginx this becomes
     * `limit-rpm` = ceil(n / 5) with a burst of 5 minutes' worth (`limit-burst-multiplier` 5):
     * a client may spend its whole 5-minute budget at once, as under WAF, and then gets n / 5
     * per minute.
     * @default 2000
     */
    readonly requestsPer5Minutes?: number;
}

export interface WorkloadArgs {
    /** The app image, pinned by digest (`registry/repository@sha256:<digest>`). */
    readonly image: pulumi.Input<string>;
    /** @default "app" */
    readonly namespace?: string;
    /** Replicas the autoscaler keeps at least. @default 2 */
    readonly minReplicas?: number;
    /** Replicas the autoscaler may add up to. @default 10 */
    readonly maxReplicas?: number;
    /** Average CPU utilisation (% of requests) the autoscaler aims for. @default 65 */
    readonly targetCpuUtilization?: number;
    /** @default { cpu: "100m", memory: "128Mi" } */
    readonly requests?: ComputeResources;
    /** @default { cpu: "500m", memory: "256Mi" } */
    readonly limits?: ComputeResources;
    readonly ingress: WorkloadIngressArgs;
    /** Per-client rate limit on the ingress. @default { requestsPer5Minutes: 2000 } */
    readonly rateLimit?: WorkloadRateLimitArgs;
    /**
     * The Secret (key `url`) holding the database URL, mounted read-only in the pod as the file
     * {@link DATABASE_URL_FILE} (never an environment variable). Optional in the pod: without it
     * the app runs and reports not-ready on `/readyz`.
     * @default "app-database"
     */
    readonly databaseSecretName?: string;
    /**
     * The database URL. When given (as a Pulumi secret), the component creates the Secret
     * `databaseSecretName` itself. It is never rendered into gitops/.
     * @default none: the Secret comes from the cluster's secret store
     */
    readonly databaseUrl?: pulumi.Input<string>;
    /** The identity-provider group allowed to deploy into the namespace. @default "app-deployers" */
    readonly deployerGroup?: string;
    /** TCP port of the database the app reaches (egress is allowed to it). @default 5432 */
    readonly databasePort?: number;
    /**
     * Secrets (type `kubernetes.io/dockerconfigjson`) the pods pull the image with, on clusters
     * outside the image registry's cloud. @default []
     */
    readonly imagePullSecrets?: readonly string[];
    /**
     * CPU architectures the image has (`amd64`, `arm64`), when known: the pods then require a
     * node of one of them, and tolerate the `kubernetes.io/arch=arm64:NoSchedule` taint GKE puts
     * on every Arm node when the image has arm64 (GKE, "Prepare an Arm workload for deployment":
     * cloud.google.com/kubernetes-engine/docs/how-to/prepare-arm-workloads-for-deployment).
     * @default [] (unknown: no architecture constraint, no toleration)
     */
    readonly architectures?: readonly ("amd64" | "arm64")[];
}

/** Everything `workloadObjects` needs, defaults settled; `I` is the image's type. */
export type WorkloadSpec<I = string> = Required<
    Omit<WorkloadArgs, "image" | "databaseUrl" | "ingress" | "rateLimit">
> & {
    readonly image: I;
    readonly rateLimit: Required<WorkloadRateLimitArgs>;
    readonly ingress: Required<Omit<WorkloadIngressArgs, "clusterIssuer">> &
        Pick<WorkloadIngressArgs, "clusterIssuer">;
    /** Who applies the objects: the `app.kubernetes.io/managed-by` label. */
    readonly managedBy: "gitops" | "pulumi";
};

/** A Kubernetes object as plain data (what `kubectl apply` reads). */
export interface KubeObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: {
        readonly name: string;
        readonly namespace?: string;
        readonly labels?: Record<string, string>;
        readonly annotations?: Record<string, string>;
    };
    readonly [field: string]: unknown;
}

/** Settles every default of `args` (the one place defaults live). */
export function workloadSpec<I>(
    args: Omit<WorkloadArgs, "image"> & { image: I },
    managedBy: WorkloadSpec["managedBy"],
): WorkloadSpec<I> {
    const d = WORKLOAD_DEFAULTS;
    return {
        image: args.image,
        namespace: args.namespace ?? d.namespace,
        minReplicas: args.minReplicas ?? d.minReplicas,
        maxReplicas: args.maxReplicas ?? d.maxReplicas,
        targetCpuUtilization: args.targetCpuUtilization ?? d.targetCpuUtilization,
        requests: args.requests ?? { ...d.requests },
        limits: args.limits ?? { ...d.limits },
        ingress: {
            host: args.ingress.host,
            className: args.ingress.className ?? d.ingress.className,
            tlsSecretName: args.ingress.tlsSecretName ?? d.ingress.tlsSecretName,
            clusterIssuer: args.ingress.clusterIssuer,
            controllerNamespace: args.ingress.controllerNamespace ?? d.ingress.controllerNamespace,
            controllerPodLabels: args.ingress.controllerPodLabels ?? {},
        },
        rateLimit: {
            requestsPer5Minutes:
                args.rateLimit?.requestsPer5Minutes ?? d.rateLimit.requestsPer5Minutes,
        },
        databaseSecretName: args.databaseSecretName ?? d.databaseSecretName,
        deployerGroup: args.deployerGroup ?? d.deployerGroup,
        databasePort: args.databasePort ?? d.databasePort,
        imagePullSecrets: args.imagePullSecrets ?? [],
        architectures: args.architectures ?? [],
        managedBy,
    };
}

/** Every problem with the arguments, each naming the argument and the fix. */
export function validateWorkloadArgs(args: WorkloadArgs): string[] {
    const spec = workloadSpec(args, "pulumi");
    const problems: string[] = [];
    if (typeof args.image === "string" && !IMAGE_BY_DIGEST.test(args.image)) {
        problems.push(`image '${args.image}' ${IMAGE_BY_DIGEST_RULE}`);
    }
    if (!DNS_LABEL.test(spec.namespace)) {
        problems.push(`namespace '${spec.namespace}' ${DNS_LABEL_RULE}`);
    }
    for (const [key, value] of [
        ["minReplicas", spec.minReplicas],
        ["maxReplicas", spec.maxReplicas],
    ] as const) {
        if (!wholeIn(value, REPLICAS_RANGE)) {
            problems.push(
                `${key} must be a whole number from ${REPLICAS_RANGE.min} to ${REPLICAS_RANGE.max}, got ${value}`,
            );
        }
    }
    const reversed = reversedReplicasProblem(spec.minReplicas, spec.maxReplicas, "maxReplicas");
    if (reversed) problems.push(`minReplicas ${reversed}`);
    if (!wholeIn(spec.targetCpuUtilization, TARGET_CPU_RANGE)) {
        problems.push(
            `targetCpuUtilization must be a whole percentage from ${TARGET_CPU_RANGE.min} to ${TARGET_CPU_RANGE.max}, got ${spec.targetCpuUtilization}`,
        );
    }
    for (const [key, value] of [
        ["requests", spec.requests],
        ["limits", spec.limits],
    ] as const) {
        if (!KUBE_CPU.test(value.cpu)) {
            problems.push(`${key}.cpu '${value.cpu}' ${CPU_QUANTITY_RULE}`);
        }
        if (!KUBE_MEMORY.test(value.memory)) {
            problems.push(`${key}.memory '${value.memory}' ${MEMORY_QUANTITY_RULE}`);
        }
    }
    if (!INGRESS_HOST.test(spec.ingress.host)) {
        problems.push(`ingress.host '${spec.ingress.host}' ${INGRESS_HOST_RULE}`);
    }
    for (const [key, value] of [
        ["ingress.className", spec.ingress.className],
        ["ingress.tlsSecretName", spec.ingress.tlsSecretName],
        ["databaseSecretName", spec.databaseSecretName],
    ] as const) {
        if (!DNS_LABEL.test(value)) problems.push(`${key} '${value}' ${DNS_LABEL_RULE}`);
    }
    if (
        !Number.isInteger(spec.databasePort) ||
        spec.databasePort < DATABASE_PORT.min ||
        spec.databasePort > DATABASE_PORT.max
    ) {
        problems.push(
            `databasePort must be a TCP port (${DATABASE_PORT.min}-${DATABASE_PORT.max}), got ${spec.databasePort}`,
        );
    }
    for (const secret of spec.imagePullSecrets) {
        if (!DNS_LABEL.test(secret))
            problems.push(`imagePullSecrets: '${secret}' ${DNS_LABEL_RULE}`);
    }
    if ((GKE_INGRESS_CLASSES as readonly string[]).includes(spec.ingress.className)) {
        problems.push(
            `ingress.className '${spec.ingress.className}' is GKE's own ingress controller, which ignores an Ingress that sets spec.ingressClassName (kubernetes/ingress-gce IsGCEIngress) and reaches the pods from Google's load-balancer ranges: run an ingress controller in the cluster (e.g. ingress-nginx, class nginx) and name its class`,
        );
    }
    if (!DNS_LABEL.test(spec.ingress.controllerNamespace)) {
        problems.push(
            `ingress.controllerNamespace '${spec.ingress.controllerNamespace}' must be a namespace name (a DNS label), e.g. ingress-nginx`,
        );
    }
    for (const [key, value] of Object.entries(spec.ingress.controllerPodLabels)) {
        if (!isLabelKey(key) || !LABEL_VALUE.test(value)) {
            problems.push(
                `ingress.controllerPodLabels: '${key}: ${value}' is not a valid label (key [prefix/]name, value up to 63 of A-Z a-z 0-9 - _ .): the API server refuses the NetworkPolicy`,
            );
        }
    }
    problems.push(...resourceProblems(spec));
    const limit = spec.rateLimit.requestsPer5Minutes;
    if (!Number.isInteger(limit) || limit < 1) {
        problems.push(
            `rateLimit.requestsPer5Minutes must be a whole number of requests of at least 1, got ${limit}`,
        );
    }
    return problems;
}

/** Whether `n` is a whole number within `range`, bounds included. */
function wholeIn(n: number, range: { readonly min: number; readonly max: number }): boolean {
    return Number.isInteger(n) && n >= range.min && n <= range.max;
}

/** A label value: up to 63 characters, alphanumeric at both ends (may be empty). */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label key, `[prefix/]name` (Kubernetes' qualified name). */
function isLabelKey(key: string): boolean {
    const parts = key.split("/");
    if (parts.length > 2) return false;
    const name = parts[parts.length - 1];
    const prefix = parts.length === 2 ? parts[0] : undefined;
    return (
        name.length > 0 &&
        LABEL_VALUE.test(name) &&
        (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)))
    );
}

/** A CPU quantity in millicores, or undefined when it is not one. */
function millicores(quantity: string): number | undefined {
    if (!KUBE_CPU.test(quantity)) return undefined;
    return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}

const MEMORY_UNITS: Record<string, number> = {
    "": 1,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
};

/** A memory quantity in bytes, or undefined when it is not one. */
function bytes(quantity: string): number | undefined {
    const match = KUBE_MEMORY.test(quantity) ? /^(\d+)([A-Za-z]*)$/.exec(quantity) : null;
    return match ? Number(match[1]) * MEMORY_UNITS[match[2]] : undefined;
}

/**
 * What the API server refuses about the pods' resources, although it accepts the objects that
 * ask for them:
 * - a request above its limit: the Deployment itself is refused ("must be less than or equal to
 *   cpu limit"; kubernetes/kubernetes pkg/apis/core/validation/validation.go
 *   `ValidateResourceRequirements`, run on the pod template);
 * - a container limit above the namespace's LimitRange `max`: every pod is refused at creation
 *   ("maximum cpu usage per Container is 2"; plugin/pkg/admission/limitranger);
 * - a rollout at `maxReplicas` (plus the one surge pod of the rolling update, plus cert-manager's
 *   HTTP-01 solver when an issuer is set) above the ResourceQuota: the pods beyond it are refused
 *   ("exceeded quota"; plugin/pkg/admission/resourcequota), and the autoscaler and rollouts
 *   stall silently.
 */
function resourceProblems(spec: WorkloadSpec<unknown>): string[] {
    const problems: string[] = [];
    const parse = { cpu: millicores, memory: bytes } as const;
    const show = {
        cpu: (m: number) => `${m}m`,
        memory: (b: number) => `${Math.ceil(b / 2 ** 20)}Mi`,
    } as const;
    const pods = spec.maxReplicas + 1;
    const solver = spec.ingress.clusterIssuer !== undefined;
    const also = solver ? " and cert-manager's HTTP-01 solver" : "";
    for (const resource of ["cpu", "memory"] as const) {
        const request = parse[resource](spec.requests[resource]);
        const limit = parse[resource](spec.limits[resource]);
        if (request === undefined || limit === undefined) continue; // reported above
        if (request > limit) {
            problems.push(
                `requests.${resource} (${spec.requests[resource]}) is more than limits.${resource} (${spec.limits[resource]}): the API server refuses the Deployment (a request must be less than or equal to its limit); lower the request or raise the limit`,
            );
        }
        const max = parse[resource](CONTAINER_LIMIT_RANGE.max[resource])!;
        if (limit > max) {
            problems.push(
                `limits.${resource} (${spec.limits[resource]}) is more than the namespace's LimitRange allows a container (${CONTAINER_LIMIT_RANGE.max[resource]}): the API server refuses every pod; lower it`,
            );
        }
        for (const [kind, perPod] of [
            ["requests", request],
            ["limits", limit],
        ] as const) {
            const key = `${kind}.${resource}` as const;
            const quota = parse[resource](NAMESPACE_QUOTA[key])!;
            const extra = solver
                ? parse[resource](ACME_HTTP01_SOLVER_RESOURCES[kind][resource])!
                : 0;
            const total = pods * perPod + extra;
            if (total > quota) {
                problems.push(
                    `maxReplicas (${spec.maxReplicas}) with ${key} ${spec[kind][resource]} does not fit the namespace quota: a rollout at full scale runs ${pods} app pods${also}, ${show[resource](total)} of ${key} where the quota allows ${NAMESPACE_QUOTA[key]}; the API server refuses the pods beyond it (exceeded quota): lower maxReplicas or ${key}`,
                );
            }
        }
    }
    if (pods + (solver ? 1 : 0) > Number(NAMESPACE_QUOTA.pods)) {
        problems.push(
            `maxReplicas (${spec.maxReplicas}) does not fit the namespace quota: a rollout at full scale runs ${pods} app pods${also}, more than the ${NAMESPACE_QUOTA.pods} pods it allows; lower maxReplicas`,
        );
    }
    return problems;
}

/**
 * Who may open connections to the app and to the HTTP-01 solver: the pods of the ingress
 * controller's namespace (optionally only those with `controllerPodLabels`). Namespace and pod
 * selector sit in one peer, so both must match.
 */
function ingressControllerPeers(spec: WorkloadSpec<unknown>) {
    const labels = spec.ingress.controllerPodLabels;
    return [
        {
            namespaceSelector: {
                matchLabels: { [NAMESPACE_NAME_LABEL]: spec.ingress.controllerNamespace },
            },
            ...(Object.keys(labels).length ? { podSelector: { matchLabels: { ...labels } } } : {}),
        },
    ];
}

/**
 * The app's Kubernetes objects, in apply order (namespace first). Pure: the same spec gives the
 * same objects, whoever applies them.
 */
export function workloadObjects<I>(spec: WorkloadSpec<I>): KubeObject[] {
    const ns = spec.namespace;
    const app = { "app.kubernetes.io/name": APP_NAME };
    const labels = {
        ...app,
        "app.kubernetes.io/part-of": "multicloud",
        "app.kubernetes.io/managed-by": spec.managedBy,
    };
    const meta = (name: string) => ({ name, namespace: ns, labels });
    const restricted = "restricted";
    const everyWrite = ["get", "list", "watch", "create", "update", "patch", "delete"];

    return [
        {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: {
                name: ns,
                labels: {
                    ...labels,
                    "pod-security.kubernetes.io/enforce": restricted,
                    "pod-security.kubernetes.io/enforce-version": "latest",
                    "pod-security.kubernetes.io/warn": restricted,
                    "pod-security.kubernetes.io/audit": restricted,
                },
                annotations: { description: `The sample service (HTTP on port ${APP_PORT}).` },
            },
        },
        // --- Guardrails of the namespace --------------------------------------------------
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta("default-deny"),
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        },
        {
            apiVersion: "v1",
            kind: "ResourceQuota",
            metadata: meta(`${ns}-quota`),
            spec: { hard: { ...NAMESPACE_QUOTA } },
        },
        {
            apiVersion: "v1",
            kind: "LimitRange",
            metadata: meta(`${ns}-limits`),
            spec: {
                limits: [
                    {
                        type: "Container",
                        defaultRequest: { ...CONTAINER_LIMIT_RANGE.defaultRequest },
                        default: { ...CONTAINER_LIMIT_RANGE.default },
                        max: { ...CONTAINER_LIMIT_RANGE.max },
                    },
                ],
            },
        },
        // --- Who may deploy here: explicit verbs and resources, no Secrets, no RBAC ----------
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: meta(DEPLOYER_ROLE),
            rules: [
                { apiGroups: ["apps"], resources: ["deployments"], verbs: everyWrite },
                { apiGroups: [""], resources: ["services", "configmaps"], verbs: everyWrite },
                {
                    apiGroups: ["autoscaling"],
                    resources: ["horizontalpodautoscalers"],
                    verbs: everyWrite,
                },
                { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: everyWrite },
                { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: everyWrite },
                {
                    apiGroups: ["networking.k8s.io"],
                    resources: ["networkpolicies"],
                    verbs: ["get", "list", "watch"],
                },
                {
                    apiGroups: [""],
                    resources: ["pods", "pods/log"],
                    verbs: ["get", "list", "watch"],
                },
            ],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: meta("app-deployers"),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: DEPLOYER_ROLE },
            subjects: [
                { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: spec.deployerGroup },
            ],
        },
        // --- The app ------------------------------------------------------------------------
        {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: meta(APP_NAME),
            // The app never calls the Kubernetes API: no token in its pods.
            automountServiceAccountToken: false,
        },
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: meta(APP_NAME),
            spec: {
                // No `replicas`: the HorizontalPodAutoscaler owns the count (minReplicas to
                // maxReplicas). A fixed count here would be reset on every sync and fight it.
                selector: { matchLabels: app },
                strategy: {
                    type: "RollingUpdate",
                    rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
                },
                revisionHistoryLimit: 5,
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: APP_NAME,
                        ...(spec.imagePullSecrets.length
                            ? { imagePullSecrets: spec.imagePullSecrets.map((name) => ({ name })) }
                            : {}),
                        automountServiceAccountToken: false,
                        enableServiceLinks: false,
                        ...(spec.architectures.length
                            ? {
                                  affinity: {
                                      nodeAffinity: {
                                          requiredDuringSchedulingIgnoredDuringExecution: {
                                              nodeSelectorTerms: [
                                                  {
                                                      matchExpressions: [
                                                          {
                                                              key: "kubernetes.io/arch",
                                                              operator: "In",
                                                              values: [...spec.architectures],
                                                          },
                                                      ],
                                                  },
                                              ],
                                          },
                                      },
                                  },
                                  ...(spec.architectures.includes("arm64")
                                      ? {
                                            tolerations: [
                                                {
                                                    key: "kubernetes.io/arch",
                                                    operator: "Equal",
                                                    value: "arm64",
                                                    effect: "NoSchedule",
                                                },
                                            ],
                                        }
                                      : {}),
                              }
                            : {}),
                        securityContext: {
                            runAsNonRoot: true,
                            runAsUser: APP_UID,
                            runAsGroup: APP_UID,
                            fsGroup: APP_UID,
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                        // Across zones where the cluster has several, and across nodes always;
                        // `ScheduleAnyway` so single-zone edge clusters still run every replica.
                        topologySpreadConstraints: [
                            "topology.kubernetes.io/zone",
                            "kubernetes.io/hostname",
                        ].map((topologyKey) => ({
                            maxSkew: 1,
                            topologyKey,
                            whenUnsatisfiable: "ScheduleAnyway",
                            labelSelector: { matchLabels: app },
                        })),
                        containers: [
                            {
                                name: APP_NAME,
                                image: spec.image,
                                imagePullPolicy: "IfNotPresent",
                                ports: [{ name: "http", containerPort: APP_PORT, protocol: "TCP" }],
                                // The database URL as a file from the Secret (volume
                                // `database`), never as an environment variable.
                                env: [{ name: "DATABASE_URL_FILE", value: DATABASE_URL_FILE }],
                                resources: { requests: spec.requests, limits: spec.limits },
                                securityContext: {
                                    allowPrivilegeEscalation: false,
                                    readOnlyRootFilesystem: true,
                                    runAsNonRoot: true,
                                    runAsUser: APP_UID,
                                    capabilities: { drop: ["ALL"] },
                                    seccompProfile: { type: "RuntimeDefault" },
                                },
                                startupProbe: probe(HEALTH_CHECK_PATH, {
                                    periodSeconds: 2,
                                    failureThreshold: 30,
                                }),
                                livenessProbe: probe(HEALTH_CHECK_PATH, {
                                    periodSeconds: 10,
                                    failureThreshold: 3,
                                }),
                                readinessProbe: probe(READINESS_CHECK_PATH, {
                                    periodSeconds: 5,
                                    failureThreshold: 3,
                                }),
                                volumeMounts: [
                                    // gunicorn keeps worker heartbeats in /tmp: the only
                                    // writable path.
                                    { name: "tmp", mountPath: "/tmp" },
                                    // The whole directory, never subPath: the kubelet does not
                                    // update a Secret mounted with subPath.
                                    {
                                        name: "database",
                                        mountPath: DATABASE_SECRET_DIR,
                                        readOnly: true,
                                    },
                                ],
                            },
                        ],
                        volumes: [
                            { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
                            {
                                name: "database",
                                secret: {
                                    secretName: spec.databaseSecretName,
                                    items: [{ key: "url", path: "url" }],
                                    // Without the Secret (or its key) the pod still starts,
                                    // with no file: the app runs and reports not-ready.
                                    optional: true,
                                    // Owner root, group the pod's fsGroup (APP_UID): read
                                    // by those two only. 0440 is 288 in the rendered YAML.
                                    defaultMode: 0o440,
                                },
                            },
                        ],
                    },
                },
            },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: meta(APP_NAME),
            spec: {
                type: "ClusterIP",
                selector: app,
                ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
            },
        },
        {
            apiVersion: "autoscaling/v2",
            kind: "HorizontalPodAutoscaler",
            metadata: meta(APP_NAME),
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: APP_NAME },
                minReplicas: spec.minReplicas,
                maxReplicas: spec.maxReplicas,
                metrics: [
                    {
                        type: "Resource",
                        resource: {
                            name: "cpu",
                            target: {
                                type: "Utilization",
                                averageUtilization: spec.targetCpuUtilization,
                            },
                        },
                    },
                ],
            },
        },
        {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: meta(APP_NAME),
            spec: {
                // One pod at a time may be evicted by drains and upgrades, whatever the count:
                // never `minAvailable`, which with one replica (minReplicas 1) blocks every drain.
                maxUnavailable: 1,
                selector: { matchLabels: app },
                // Pods that run but are not ready (no database yet, a crash loop) may always be
                // evicted: under the default (IfHealthyBudget) they count against the budget, so
                // a Deployment whose pods are all unready blocks every node drain and upgrade.
                // Beta (on by default) since Kubernetes 1.27, GA in 1.31 (KEP-3017); older API
                // servers drop the field.
                unhealthyPodEvictionPolicy: "AlwaysAllow",
            },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata: {
                ...meta(APP_NAME),
                annotations: {
                    "nginx.ingress.kubernetes.io/ssl-redirect": "true",
                    "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
                    // Per client IP: n / 5 a minute, bursts up to n (see WorkloadRateLimitArgs).
                    "nginx.ingress.kubernetes.io/limit-rpm": String(
                        Math.ceil(spec.rateLimit.requestsPer5Minutes / 5),
                    ),
                    "nginx.ingress.kubernetes.io/limit-burst-multiplier": "5",
                    ...(spec.ingress.clusterIssuer
                        ? { "cert-manager.io/cluster-issuer": spec.ingress.clusterIssuer }
                        : {}),
                },
            },
            spec: {
                ingressClassName: spec.ingress.className,
                tls: [{ hosts: [spec.ingress.host], secretName: spec.ingress.tlsSecretName }],
                rules: [
                    {
                        host: spec.ingress.host,
                        http: {
                            paths: [
                                {
                                    path: "/",
                                    pathType: "Prefix",
                                    backend: {
                                        service: { name: APP_NAME, port: { name: "http" } },
                                    },
                                },
                            ],
                        },
                    },
                ],
            },
        },
        // --- Traffic: 5001 in from the ingress controller, DNS and HTTPS out; nothing else ----
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta("allow-app-ingress"),
            spec: {
                podSelector: { matchLabels: app },
                policyTypes: ["Ingress"],
                // Only the ingress controller reaches the app: it proxies to the pods' own
                // addresses and port (the Service's endpoints), from its own namespace.
                ingress: [
                    {
                        from: ingressControllerPeers(spec),
                        ports: [{ protocol: "TCP", port: APP_PORT }],
                    },
                ],
            },
        },
        // cert-manager answers HTTP-01 challenges from solver pods it creates in this namespace
        // (`cm-acme-http-solver-*`) behind an Ingress of the same class; default-deny would drop
        // the controller's requests to them and the certificate would never be issued. The
        // solver only answers: it needs no egress, and default-deny keeps it without.
        ...(spec.ingress.clusterIssuer
            ? [
                  {
                      apiVersion: "networking.k8s.io/v1",
                      kind: "NetworkPolicy",
                      metadata: meta("allow-acme-http01-solver"),
                      spec: {
                          podSelector: { matchLabels: { ...ACME_HTTP01_SOLVER_LABELS } },
                          policyTypes: ["Ingress"],
                          ingress: [
                              {
                                  from: ingressControllerPeers(spec),
                                  ports: [{ protocol: "TCP", port: ACME_HTTP01_SOLVER_PORT }],
                              },
                          ],
                      },
                  },
              ]
            : []),
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta("allow-dns-egress"),
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [
                            {
                                namespaceSelector: {
                                    matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" },
                                },
                                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                            },
                        ],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                ],
            },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta("allow-https-and-database-egress"),
            spec: {
                podSelector: { matchLabels: app },
                policyTypes: ["Egress"],
                // No `to`: the database and APIs live outside the cluster at changing addresses.
                egress: [
                    { ports: [{ protocol: "TCP", port: 443 }] },
                    { ports: [{ protocol: "TCP", port: spec.databasePort }] },
                ],
            },
        },
    ];
}

function probe(path: string, timing: { periodSeconds: number; failureThreshold: number }) {
    return { httpGet: { path, port: "http" }, timeoutSeconds: 2, ...timing };
}

/** The typed Pulumi resource for each kind `workloadObjects` returns. */
type ResourceClass = new (
    name: string,
    args: never,
    opts: pulumi.CustomResourceOptions,
) => pulumi.CustomResource;
const RESOURCE_CLASSES: Record<string, ResourceClass> = {
    "v1/Namespace": k8s.core.v1.Namespace,
    "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
    "v1/Service": k8s.core.v1.Service,
    "v1/Secret": k8s.core.v1.Secret,
    "v1/ResourceQuota": k8s.core.v1.ResourceQuota,
    "v1/LimitRange": k8s.core.v1.LimitRange,
    "apps/v1/Deployment": k8s.apps.v1.Deployment,
    "autoscaling/v2/HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
    "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
    "networking.k8s.io/v1/Ingress": k8s.networking.v1.Ingress,
    "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
};

/**
 * The app applied by Pulumi to one cluster this program owns. Pass the cluster's Kubernetes
 * provider in `opts.providers`. The objects are exactly `workloadObjects` (managed-by `pulumi`),
 * plus the database Secret when `databaseUrl` is given.
 */
export class Workload extends pulumi.ComponentResource {
    /** The namespace the app runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** The image the Deployment runs (by digest). */
    public readonly image: pulumi.Output<string>;
    /** The public host name of the app (TLS). */
    public readonly host: pulumi.Output<string>;

    constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("Workload", name, validateWorkloadArgs(args));
        super("multicloud:app:Workload", name, {}, opts);

        const spec = workloadSpec({ ...args, image: pulumi.output(args.image) }, "pulumi");
        const objects = workloadObjects(spec);
        const [namespaceObject, ...rest] = objects;
        const namespace = this.create(name, namespaceObject, []);
        const dependsOn = [namespace];
        if (args.databaseUrl !== undefined) {
            dependsOn.push(
                this.create(
                    name,
                    {
                        apiVersion: "v1",
                        kind: "Secret",
                        metadata: {
                            name: spec.databaseSecretName,
                            namespace: spec.namespace,
                            labels: namespaceObject.metadata.labels,
                        },
                        type: "Opaque",
                        stringData: { url: pulumi.secret(args.databaseUrl) },
                    },
                    [namespace],
                ),
            );
        }
        for (const object of rest) {
            this.create(name, awaitPolicy(object, args.databaseUrl !== undefined), dependsOn);
        }

        this.namespace = pulumi.output(spec.namespace);
        this.image = spec.image;
        this.host = pulumi.output(spec.ingress.host);
        this.registerOutputs({ namespace: this.namespace, image: this.image, host: this.host });
    }

    private create(
        name: string,
        object: KubeObject,
        dependsOn: pulumi.Resource[],
    ): pulumi.CustomResource {
        const ctor = RESOURCE_CLASSES[`${object.apiVersion}/${object.kind}`];
        if (!ctor)
            throw new Error(`Workload: no resource class for ${object.apiVersion}/${object.kind}`);
        return new ctor(
            `${name}-${object.kind.toLowerCase()}-${object.metadata.name}`,
            object as never,
            {
                parent: this,
                dependsOn,
            },
        );
    }
}

/**
 * What `pulumi up` waits for. Without a database the pods stay not-ready by design, so neither
 * the Deployment's rollout nor the Service's endpoints are awaited; the Ingress's load-balancer
 * address comes from an ingress controller this program does not install, so it never is.
 */
function awaitPolicy(object: KubeObject, hasDatabase: boolean): KubeObject {
    const skip =
        object.kind === "Ingress" ||
        (!hasDatabase && (object.kind === "Deployment" || object.kind === "Service"));
    return skip ? { ...object, metadata: withSkipAwait(object.metadata) } : object;
}

function withSkipAwait(metadata: KubeObject["metadata"]): KubeObject["metadata"] {
    return {
        ...metadata,
        annotations: { ...metadata.annotations, "pulumi.com/skipAwait": "true" },
    };
}
