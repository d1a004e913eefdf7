/**
 * The pull secret of the released image on a cluster that GitOps feeds (an edge site, an
 * attached cluster): its kubelet has no cloud identity to pull a private image with, so the
 * image's `imagePullSecrets` must name a `kubernetes.io/dockerconfigjson` Secret in the app's
 * namespace. Pulumi writes it through the cluster's own provider; GitOps delivers everything else.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DNS_LABEL } from "../formats";
import { throwIfInvalid } from "../validation";
import {
    DEFAULT_APP_NAMESPACE,
    DEFAULT_PULL_SECRET_NAME,
    DNS_LABEL_RULE,
    pullUsernameProblem,
    REGISTRY_HOST,
    REGISTRY_HOST_RULE,
} from "./checks";

export { DEFAULT_PULL_SECRET_NAME, REGISTRY_HOST } from "./checks";

export interface RegistryPullSecretArgs {
    /** Kubeconfig of the cluster (a Pulumi secret). */
    readonly kubeconfig: pulumi.Input<string>;
    /** Registry host the credential is for (the host of the released image). */
    readonly server: string;
    /** User name: an ACR token name, or `_json_key` for an Artifact Registry key. */
    readonly username: string;
    /** Password or key: a Pulumi secret. */
    readonly password: pulumi.Input<string>;
    /** The app's namespace (the Workload's). @default "app" */
    readonly namespace?: string;
    /** @default "app-registry" */
    readonly secretName?: string;
}

/** Every problem with `args`, each naming the argument; empty when valid. */
export function validateRegistryPullSecretArgs(args: RegistryPullSecretArgs): string[] {
    const problems: string[] = [];
    if (!REGISTRY_HOST.test(args.server)) {
        problems.push(`server '${args.server}' ${REGISTRY_HOST_RULE}`);
    }
    const username = pullUsernameProblem(args.username);
    if (username) problems.push(`username ${username}`);
    for (const [key, value] of [
        ["namespace", args.namespace],
        ["secretName", args.secretName],
    ] as const) {
        if (value !== undefined && !DNS_LABEL.test(value)) {
            problems.push(`${key} '${value}' ${DNS_LABEL_RULE}`);
        }
    }
    return problems;
}

/**
 * The `.dockerconfigjson` the kubelet reads: `auths.<server>` with the user, the password and
 * their base64 `auth` (kubernetes.io/docs/concepts/containers/images/#config-json).
 */
export function dockerConfigJson(server: string, username: string, password: string): string {
    const auth = Buffer.from(`${username}:${password}`).toString("base64");
    return JSON.stringify({ auths: { [server]: { username, password, auth } } });
}

/**
 * The released image's pull secret on one cluster, written through a provider of its own that
 * adopts an existing object: since @pulumi/kubernetes 4.29 a create of an object that exists
 * fails with AlreadyExists unless the provider sets `upsertExistingObjects`
 * (pulumi/pulumi-kubernetes#2926), and GitOps may create the app namespace first. Only this
 * component's two objects, whose names never change, get that behaviour.
 */
export class RegistryPullSecret extends pulumi.ComponentResource {
    /** `<namespace>/<name>` of the Secret. */
    public readonly secretRef: pulumi.Output<string>;

    constructor(
        name: string,
        args: RegistryPullSecretArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        throwIfInvalid("RegistryPullSecret", name, validateRegistryPullSecretArgs(args));
        super("multicloud:app:RegistryPullSecret", name, {}, opts);
        const namespace = args.namespace ?? DEFAULT_APP_NAMESPACE;
        const secretName = args.secretName ?? DEFAULT_PULL_SECRET_NAME;
        const provider = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: pulumi.secret(args.kubeconfig),
                enableServerSideApply: true,
                upsertExistingObjects: true,
            },
            { parent: this },
        );

        // The namespace exists before GitOps delivers it (Pulumi registers the site first), so
        // Pulumi creates it, with its name alone: GitOps then adds its labels (Pod Security) and
        // owns every other field. A namespace that GitOps created first is adopted
        // (upsertExistingObjects), not refused. Never deleted by Pulumi: the app lives in it.
        const ns = new k8s.core.v1.Namespace(
            `${name}-ns`,
            { metadata: { name: namespace } },
            { parent: this, provider, retainOnDelete: true },
        );
        const secret = new k8s.core.v1.Secret(
            name,
            {
                metadata: { name: secretName, namespace },
                type: "kubernetes.io/dockerconfigjson",
                stringData: {
                    ".dockerconfigjson": pulumi
                        .secret(args.password)
                        .apply((p) => dockerConfigJson(args.server, args.username, p)),
                },
            },
            { parent: this, provider, dependsOn: [ns] },
        );
        this.secretRef = pulumi.interpolate`${secret.metadata.namespace}/${secret.metadata.name}`;
        this.registerOutputs({ secretRef: this.secretRef });
    }
}
