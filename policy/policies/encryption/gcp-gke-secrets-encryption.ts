import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isSet, read, UNKNOWN } from "../types";

const GKE_CLUSTER = "gcp:container/cluster:Cluster";

export const gcpGkeSecretsEncryption: ResourceValidationPolicy = {
    name: "gcp-gke-secrets-encryption",
    description:
        "GKE clusters must encrypt Kubernetes Secrets at the application layer with a Cloud KMS key (databaseEncryption.state ENCRYPTED with a keyName), so Secrets in etcd are protected by a key the fleet controls.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== GKE_CLUSTER) return;
        const state = read(args.props, "databaseEncryption.state");
        // A state computed from another resource is checked once it is known.
        if (state === UNKNOWN) return;
        if (state !== "ENCRYPTED") {
            reportViolation(
                `GKE cluster '${args.name}' ${typeof state === "string" ? `has databaseEncryption.state '${state}'` : "does not set databaseEncryption"}, so Kubernetes Secrets are not encrypted at the application layer: set databaseEncryption to { state: "ENCRYPTED", keyName: <Cloud KMS key id> } and grant the GKE service agent roles/cloudkms.cryptoKeyEncrypterDecrypter on the key.`,
            );
            return;
        }
        if (!isSet(read(args.props, "databaseEncryption.keyName"))) {
            reportViolation(
                `GKE cluster '${args.name}' sets databaseEncryption.state to ENCRYPTED without a keyName, so no Cloud KMS key encrypts its Secrets: set databaseEncryption.keyName to the key's id (projects/<p>/locations/<region>/keyRings/<ring>/cryptoKeys/<key>).`,
            );
        }
    },
};
