import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isSet, read, RequireCmekConfig, requireCmekSchema } from "../types";

const ARTIFACT_REGISTRY_REPOSITORY = "gcp:artifactregistry/repository:Repository";

export const gcpArtifactRegistryCmek: ResourceValidationPolicy = {
    name: "gcp-artifact-registry-cmek",
    description:
        "When the stack requires customer-managed encryption keys (requireCmek), Artifact Registry repositories must encrypt their artifacts with a Cloud KMS key (kmsKeyName) instead of Google-managed encryption.",
    enforcementLevel: "advisory",
    configSchema: requireCmekSchema(
        "Whether a repository without a customer-managed Cloud KMS key is a violation.",
    ),
    validateResource: (args, reportViolation) => {
        if (args.type !== ARTIFACT_REGISTRY_REPOSITORY) return;
        if (args.getConfig<RequireCmekConfig>().requireCmek !== true) return;
        if (isSet(read(args.props, "kmsKeyName"))) return;
        reportViolation(
            `Artifact Registry repository '${args.name}' has no kmsKeyName, so it is encrypted with a Google-managed key while requireCmek is set: set kmsKeyName to a Cloud KMS key in the repository's location and grant the Artifact Registry service agent roles/cloudkms.cryptoKeyEncrypterDecrypter on it (this replaces the repository).`,
        );
    },
};
