import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parseMembership } from "./ConfigSyncMember";
import {
    ATTACHED_ADMIN_USERS_MAX,
    ATTACHED_DISTRIBUTIONS,
    AttachedDistribution,
    GCP_REGION,
} from "./checks";
import {
    ATTACHED_PLATFORM_VERSION,
    ATTACHED_PLATFORM_VERSION_RULE,
    HTTPS_URL,
    OIDC_ISSUER_URL_RULE,
} from "../formats";
import { throwIfInvalid } from "../validation";

/** A GKE cluster: its id (`projects/<p>/locations/<l>/clusters/<name>`). */
export interface GkeMemberArgs {
    readonly kind: "gke";
    /** Fleet host project. */
    readonly project: string;
    /** The cluster id, e.g. `GkeCluster.clusterId`. */
    readonly clusterId: pulumi.Input<string>;
}

/**
 * A cluster outside Google Cloud (EKS, AKS or any conformant on-prem cluster), registered as a
 * GKE attached cluster: the way Anthos attaches them, with fleet Workload Identity from the
 * cluster's own OIDC issuer.
 */
export interface AttachedMemberArgs {
    readonly kind: "attached";
    /** Fleet host project. */
    readonly project: string;
    /** Google Cloud region that hosts the attached cluster's resource (e.g. us-west1). */
    readonly location: string;
    /** `eks`, `aks` or `generic` (any other conformant cluster). */
    readonly distribution: AttachedDistribution;
    /** The cluster's service account token issuer (its OIDC issuer URL, https). */
    readonly oidcIssuerUrl: string;
    /** Attached clusters platform version matching the cluster's Kubernetes minor, e.g. 1.31.0-gke.1. */
    readonly platformVersion: string;
    /**
     * The issuer's JSON Web Key Set, for issuers not reachable from the internet (on-prem):
     * `kubectl get --raw /openid/v1/jwks`. @default none (the issuer is public, as on EKS and AKS)
     */
    readonly jwks?: pulumi.Input<string>;
    /** Kubeconfig of the cluster (a secret), to install the attach agent's bootstrap manifest. */
    readonly kubeconfig: pulumi.Input<string>;
    /** Google users or groups granted cluster-admin through the Connect gateway. @default [] */
    readonly adminUsers?: readonly string[];
    /**
     * The fleet host project's number. @default looked up (`organizations.getProject`); a
     * caller attaching many clusters looks it up once and passes it.
     */
    readonly projectNumber?: pulumi.Input<string>;
}

export type HubMembershipArgs = GkeMemberArgs | AttachedMemberArgs;

/** Every problem with `args`, each naming the argument; empty when valid. */
export function validateHubMembershipArgs(name: string, args: HubMembershipArgs): string[] {
    const problems: string[] = [];
    if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
        problems.push(
            `name '${name}' must be a lowercase DNS label (it becomes the membership id)`,
        );
    }
    if (args.kind === "attached") {
        if (!GCP_REGION.test(args.location)) {
            problems.push(
                `location '${args.location}' must be a Google Cloud region such as us-west1`,
            );
        }
        if (!(ATTACHED_DISTRIBUTIONS as readonly string[]).includes(args.distribution)) {
            problems.push(
                `distribution '${args.distribution}' must be one of ${ATTACHED_DISTRIBUTIONS.join(", ")}`,
            );
        }
        if (!HTTPS_URL.test(args.oidcIssuerUrl)) {
            problems.push(`oidcIssuerUrl '${args.oidcIssuerUrl}' ${OIDC_ISSUER_URL_RULE}`);
        }
        if (!ATTACHED_PLATFORM_VERSION.test(args.platformVersion)) {
            problems.push(
                `platformVersion '${args.platformVersion}' ${ATTACHED_PLATFORM_VERSION_RULE}`,
            );
        }
        if ((args.adminUsers?.length ?? 0) > ATTACHED_ADMIN_USERS_MAX) {
            problems.push(
                `adminUsers lists ${args.adminUsers!.length} users, more than the ${ATTACHED_ADMIN_USERS_MAX} an attached cluster grants cluster-admin: keep ten, and bind the others to a role in the cluster`,
            );
        }
    }
    return problems;
}

/**
 * Registers a cluster into the fleet (GKE Hub) of the host project, so fleet features (Config
 * Sync among them) reach it. GKE clusters get a `gkehub.Membership` linked to the cluster with
 * fleet Workload Identity; outside clusters become GKE attached clusters.
 */
export class HubMembership extends pulumi.ComponentResource {
    /** Full membership id: `projects/<p>/locations/<l>/memberships/<name>`. */
    public readonly membershipId: pulumi.Output<string>;
    /** The short membership name, as feature memberships refer to it. */
    public readonly membershipName: pulumi.Output<string>;
    public readonly location: pulumi.Output<string>;

    constructor(name: string, args: HubMembershipArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("HubMembership", name, validateHubMembershipArgs(name, args));
        super("multicloud:gcp:HubMembership", name, {}, opts);

        if (args.kind === "gke") {
            const membership = new gcp.gkehub.Membership(
                name,
                {
                    project: args.project,
                    membershipId: name,
                    location: "global",
                    endpoint: {
                        gkeCluster: {
                            resourceLink: pulumi.interpolate`//container.googleapis.com/${args.clusterId}`,
                        },
                    },
                    // Fleet Workload Identity: the fleet trusts the cluster's own issuer.
                    authority: {
                        issuer: pulumi.interpolate`https://container.googleapis.com/v1/${args.clusterId}`,
                    },
                },
                { parent: this },
            );
            this.membershipId = membership.id;
            this.membershipName = membership.membershipId;
            this.location = pulumi.output("global");
        } else {
            const projectNumber =
                args.projectNumber ??
                gcp.organizations.getProjectOutput({ projectId: args.project }, { parent: this })
                    .number;
            const kubernetes = new k8s.Provider(
                `${name}-k8s`,
                { kubeconfig: pulumi.secret(args.kubeconfig), enableServerSideApply: true },
                { parent: this },
            );
            this.membershipId = attachCluster(name, { ...args, projectNumber }, this, kubernetes);
            // The attached clusters API names the membership it manages: global, named as the
            // cluster, whatever region hosts the cluster resource (gkemulticloud v1
            // `Fleet.membership`). Read both from it rather than assume them.
            const parsed = this.membershipId.apply(parseMembership);
            this.membershipName = parsed.membership;
            this.location = parsed.location;
        }
        this.registerOutputs({
            membershipId: this.membershipId,
            membershipName: this.membershipName,
            location: this.location,
        });
    }
}

/**
 * Attaches a cluster outside Google Cloud to the fleet as a GKE attached cluster: applies
 * Google's bootstrap manifest through `kubernetes` (a provider for that cluster), then creates
 * the `container.AttachedCluster` with the cluster's OIDC issuer. Two resources and one invoke,
 * children of `parent`; returns the fleet membership id. Shared by `HubMembership` and
 * `EdgeCluster`, which brings its own provider for the cluster.
 */
export function attachCluster(
    name: string,
    args: Omit<AttachedMemberArgs, "kind" | "kubeconfig"> & {
        readonly projectNumber: pulumi.Input<string>;
    },
    parent: pulumi.Resource,
    kubernetes: k8s.Provider,
): pulumi.Output<string> {
    const manifest = gcp.container.getAttachedInstallManifestOutput(
        {
            project: args.project,
            location: args.location,
            clusterId: name,
            platformVersion: args.platformVersion,
        },
        { parent },
    );
    // The bootstrap manifest must be in the cluster before Google Cloud attaches it.
    const bootstrap = new k8s.yaml.v2.ConfigGroup(
        `${name}-attach-bootstrap`,
        { yaml: manifest.manifest },
        { parent, provider: kubernetes },
    );
    const attached = new gcp.container.AttachedCluster(
        name,
        {
            project: args.project,
            name,
            location: args.location,
            distribution: args.distribution,
            platformVersion: args.platformVersion,
            // The API takes the JWKS as bytes: base64 of the JSON document.
            oidcConfig: {
                issuerUrl: args.oidcIssuerUrl,
                jwks:
                    args.jwks === undefined
                        ? undefined
                        : pulumi.output(args.jwks).apply((j) => Buffer.from(j).toString("base64")),
            },
            fleet: { project: pulumi.interpolate`projects/${args.projectNumber}` },
            authorization: args.adminUsers?.length
                ? { adminUsers: [...args.adminUsers] }
                : undefined,
        },
        { parent, dependsOn: [bootstrap] },
    );
    return attached.fleet.apply((f) => f.membership ?? "");
}
