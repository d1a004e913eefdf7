/**
 * Constants and rules shared by the app's components (Workload, RegistryPullSecret) and the
 * stack config schema, so that each is written once. No SDK imports: config/ reads it without
 * loading @pulumi/kubernetes.
 */

// --- The workload (Workload) ---------------------------------------------------------------------

/** Where `npm run gitops` renders the objects, relative to the project folder. */
export const GITOPS_WORKLOAD_DIR = "gitops/workload";

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

// --- The released image's pull secret (RegistryPullSecret) -------------------------------------

/** The Secret's name, which `app.imagePullSecrets` lists. */
export const DEFAULT_PULL_SECRET_NAME = "app-registry";
/** A registry host, optionally with a port: `fleet.azurecr.io`, `europe-docker.pkg.dev`. */
export const REGISTRY_HOST = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/;
