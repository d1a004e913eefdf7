/**
 * What the fleet dashboard's Cloud Monitoring data source signs in with. Grafana's Google data
 * sources take a service-account key (or a Google VM's own account); none can exchange an Azure
 * identity for a Google token. So the key belongs to a service account that may only read
 * monitoring data, and is replaced whenever `credentialRotation` changes.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_CREDENTIAL_ROTATION } from "../formats";
import { credentialRotationProblems, throwIfInvalid } from "../validation";
import { GOOGLE_TOKEN_URI } from "./checks";

export interface MonitoringReaderArgs {
    readonly project: string;
    /** The service account's id (6-30 characters). */
    readonly accountId: string;
    /** Any label; changing it replaces the key. @default "1" */
    readonly credentialRotation?: string;
}

/** Google's rule for a service account id. */
export const SERVICE_ACCOUNT_ID = /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/;

/** Every problem with `args`, each naming the argument and the fix; empty when valid. */
export function validateMonitoringReaderArgs(args: MonitoringReaderArgs): string[] {
    const problems: string[] = [];
    if (!SERVICE_ACCOUNT_ID.test(args.accountId)) {
        problems.push(
            `accountId '${args.accountId}' must be 6-30 lowercase letters, digits or hyphens, starting with a letter`,
        );
    }
    problems.push(...credentialRotationProblems(args.credentialRotation));
    return problems;
}

/** A Monitoring Viewer service account and its one key. */
export class MonitoringReader extends pulumi.ComponentResource {
    public readonly email: pulumi.Output<string>;
    /** The key's PEM private key: a secret. */
    public readonly privateKey: pulumi.Output<string>;
    public readonly tokenUri: pulumi.Output<string>;

    constructor(name: string, args: MonitoringReaderArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("MonitoringReader", name, validateMonitoringReaderArgs(args));
        super("multicloud:gcp:MonitoringReader", name, {}, opts);
        const credentialRotation = args.credentialRotation ?? DEFAULT_CREDENTIAL_ROTATION;
        const parent = { parent: this };

        const account = new gcp.serviceaccount.Account(
            name,
            {
                project: args.project,
                accountId: args.accountId,
                displayName: "Fleet dashboard (Grafana): reads Cloud Monitoring",
            },
            parent,
        );
        new gcp.projects.IAMMember(
            `${name}-monitoring-viewer`,
            { project: args.project, role: "roles/monitoring.viewer", member: account.member },
            parent,
        );
        const key = new gcp.serviceaccount.Key(
            `${name}-key`,
            { serviceAccountId: account.name, keepers: { rotation: credentialRotation } },
            parent,
        );
        // The key file (base64 JSON) holds the PEM key and the token endpoint Grafana needs.
        const file = key.privateKey.apply((b64) => {
            try {
                return JSON.parse(Buffer.from(b64 ?? "", "base64").toString("utf8")) as Record<
                    string,
                    string | undefined
                >;
            } catch {
                return {} as Record<string, string | undefined>;
            }
        });

        this.email = account.email;
        this.privateKey = pulumi.secret(file.apply((f) => f.private_key ?? ""));
        this.tokenUri = file.apply((f) => f.token_uri ?? GOOGLE_TOKEN_URI);
        // The key stays a property only: never a registered output, even a secret one.
        this.registerOutputs({ email: this.email, tokenUri: this.tokenUri });
    }
}
