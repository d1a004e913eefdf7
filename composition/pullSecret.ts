/**
 * The released image's pull secret on a cluster that GitOps feeds (attached GKE fleet members,
 * edge sites), written through the cluster's own provider when the stack holds the credential.
 */
import * as pulumi from "@pulumi/pulumi";
import { RegistryPullSecret } from "../components/app/RegistryPullSecret";
import type { StackConfig } from "../config";

/** The `registryPullCredential` config key: absent means no pull secret anywhere. */
export type PullCredential = StackConfig["registryPullCredential"];

/** The pull secret `${cluster}-pull`, after `after` (the cluster's registration), or undefined. */
export function pullSecret(
    credential: PullCredential,
    cluster: string,
    kubeconfig: string,
    after: pulumi.Resource,
): RegistryPullSecret | undefined {
    if (!credential) return undefined;
    return new RegistryPullSecret(
        `${cluster}-pull`,
        {
            kubeconfig: pulumi.secret(kubeconfig),
            server: credential.server,
            username: credential.username,
            password: pulumi.secret(credential.password),
            secretName: credential.secretName,
        },
        { dependsOn: [after] },
    );
}
