import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, list } from "../types";

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

export const awsLaunchTemplateEbsEncrypted: ResourceValidationPolicy = {
    name: "aws-launch-template-ebs-encrypted",
    description:
        "Every EBS volume an AWS launch template declares must be encrypted (blockDeviceMappings[].ebs.encrypted true), so instances launched from it never write data at rest in the clear.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== LAUNCH_TEMPLATE) return;
        list(args.props.blockDeviceMappings).forEach((mapping, i) => {
            // Instance store (virtualName) and suppressed (noDevice) mappings have no EBS volume.
            if (!isRecord(mapping) || !isRecord(mapping.ebs)) return;
            const encrypted = mapping.ebs.encrypted;
            if (encrypted === true || encrypted === "true") return;
            const device = typeof mapping.deviceName === "string" ? ` (${mapping.deviceName})` : "";
            const state =
                encrypted === undefined
                    ? "does not set encrypted"
                    : `has encrypted ${JSON.stringify(encrypted)}`;
            reportViolation(
                `Launch template '${args.name}' declares block device mapping ${i}${device} with an EBS volume that ${state}, so the volume can be written unencrypted: set blockDeviceMappings[${i}].ebs.encrypted to "true" and kmsKeyId to a customer-managed KMS key.`,
            );
        });
    },
};
