import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, isSet, items, read, UNKNOWN } from "../types";

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

export const awsLaunchTemplateEbsEncrypted: ResourceValidationPolicy = {
    name: "aws-launch-template-ebs-encrypted",
    description:
        "Every EBS volume an AWS launch template declares must be encrypted (blockDeviceMappings[].ebs.encrypted true), so instances launched from it never write data at rest in the clear. Volumes restored from a snapshot (ebs.snapshotId) need it too: without it they are only encrypted if the snapshot is, which the template cannot show, and encrypted true works with either kind of snapshot.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== LAUNCH_TEMPLATE) return;
        items(read(args.props, "blockDeviceMappings")).forEach((mapping, i) => {
            // Instance store (virtualName) and suppressed (noDevice) mappings have no EBS volume.
            if (!isRecord(mapping)) return;
            const ebs = read(mapping, "ebs");
            if (!isRecord(ebs)) return;
            const encrypted = read(ebs, "encrypted");
            // A setting computed from another resource is checked once it is known.
            if (encrypted === true || encrypted === "true" || encrypted === UNKNOWN) return;
            const deviceName = read(mapping, "deviceName");
            const device = typeof deviceName === "string" ? ` (${deviceName})` : "";
            const state =
                encrypted === undefined
                    ? "does not set encrypted"
                    : `has encrypted ${JSON.stringify(encrypted)}`;
            const snapshot = isSet(read(ebs, "snapshotId"))
                ? " unless its snapshot is encrypted, which the template cannot show"
                : "";
            reportViolation(
                `Launch template '${args.name}' declares block device mapping ${i}${device} with an EBS volume that ${state}, so the volume can be written unencrypted${snapshot}: set blockDeviceMappings[${i}].ebs.encrypted to "true" and kmsKeyId to a customer-managed KMS key.`,
            );
        });
    },
};
