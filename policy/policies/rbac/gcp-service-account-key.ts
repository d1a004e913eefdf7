import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, read, UNKNOWN } from "../types";

/** gcp.serviceaccount.Key, and the type token it had before (still its alias). */
const KEY_TYPES: ReadonlySet<string> = new Set([
    "gcp:serviceaccount/key:Key",
    "gcp:serviceAccount/key:Key",
]);

const AVOID =
    "avoid it: on Google Cloud, attach the service account to the workload (on GKE, use Workload Identity Federation for GKE); from AWS, Azure, GitHub Actions or on premises, use Workload Identity Federation; for people and tools, use service account impersonation.";

export const gcpServiceAccountKey: ResourceValidationPolicy = {
    name: "gcp-service-account-key",
    description:
        "Google Cloud service account keys (gcp.serviceaccount.Key) should not be created: a user-managed key, generated or uploaded (publicKeyData), is a long-lived credential that signs in as its service account from anywhere until it is deleted. Every key is reported; the message says how to avoid it and, where none can be avoided, how to rotate it with keepers.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        if (!KEY_TYPES.has(args.type)) return;
        const keepers = read(args.props, "keepers");
        const rotates =
            keepers === UNKNOWN || (isRecord(keepers) && Object.keys(keepers).length > 0);
        const rotate = rotates
            ? "Where no keyless option exists (as for Grafana's Cloud Monitoring data source), rotate the key: it is replaced whenever its keepers change, so change them on a schedule (for the fleet dashboard's key, multicloud:dashboard.credentialRotation)."
            : 'Where no keyless option exists, set keepers (for example { rotation: "2026-01" }) and change them on a schedule: each change replaces the key and deletes the old one.';
        reportViolation(
            `Service account key '${args.name}' is a user-managed key, a long-lived credential that signs in as its service account from anywhere until it is deleted: ${AVOID} ${rotate}`,
        );
    },
};
