import type { ResourceValidationPolicy } from "@pulumi/policy";
import { get, list } from "../types";

const ECR_REPOSITORY = "aws:ecr/repository:Repository";
/** KMS, or KMS_DSSE (dual-layer encryption with KMS keys). AES256 is the default. */
const KMS_TYPES = ["KMS", "KMS_DSSE"];

export const awsEcrKms: ResourceValidationPolicy = {
    name: "aws-ecr-kms",
    description:
        "Amazon ECR repositories must encrypt their images with AWS KMS (encryptionConfigurations[0].encryptionType KMS), so access to image layers at rest is governed by a KMS key policy rather than ECR's default AES-256.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== ECR_REPOSITORY) return;
        const type = get(list(args.props.encryptionConfigurations)[0], "encryptionType");
        if (typeof type === "string" && KMS_TYPES.includes(type)) return;
        reportViolation(
            `ECR repository '${args.name}' ${typeof type === "string" ? `uses encryption type '${type}'` : "uses the default AES256 encryption"}, not KMS: set encryptionConfigurations to [{ encryptionType: "KMS", kmsKey: <customer-managed KMS key ARN> }] (this replaces the repository).`,
        );
    },
};
