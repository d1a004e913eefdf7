import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isSet, read } from "../types";

const SNS_TOPIC = "aws:sns/topic:Topic";

export const awsSnsKms: ResourceValidationPolicy = {
    name: "aws-sns-kms",
    description:
        "Amazon SNS topics must use server-side encryption with a KMS key (kmsMasterKeyId), so messages are encrypted at rest while SNS holds them.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== SNS_TOPIC) return;
        if (isSet(read(args.props, "kmsMasterKeyId"))) return;
        reportViolation(
            `SNS topic '${args.name}' has no kmsMasterKeyId, so its messages are stored unencrypted: set kmsMasterKeyId to a customer-managed KMS key ARN (whose key policy lets the publishing services use it), or to "alias/aws/sns" at least.`,
        );
    },
};
