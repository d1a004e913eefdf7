import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { throwIfInvalid } from "../validation";

export interface CloudNatArgs {
    readonly project: string;
    /** Region of the private nodes. */
    readonly region: string;
    /** VPC network of the private nodes. @default "default" */
    readonly network?: string;
}

/** Every problem with `args`, each naming the argument; empty when valid. */
export function validateCloudNatArgs(args: CloudNatArgs): string[] {
    return /^[a-z]+(-[a-z]+)+\d+$/.test(args.region)
        ? []
        : [`region '${args.region}' must be a Google Cloud region such as europe-west1`];
}

/**
 * Egress for private GKE nodes: a Cloud Router with Cloud NAT for every subnetwork of the
 * region, so nodes without public IPs can reach git hosts (Config Sync) and outside
 * registries. One per network and region, shared by every cluster there.
 */
export class CloudNat extends pulumi.ComponentResource {
    public readonly routerName: pulumi.Output<string>;

    constructor(name: string, args: CloudNatArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("CloudNat", name, validateCloudNatArgs(args));
        super("multicloud:gcp:CloudNat", name, {}, opts);

        const router = new gcp.compute.Router(
            `${name}-router`,
            { project: args.project, region: args.region, network: args.network ?? "default" },
            { parent: this },
        );
        new gcp.compute.RouterNat(
            `${name}-nat`,
            {
                project: args.project,
                region: args.region,
                router: router.name,
                natIpAllocateOption: "AUTO_ONLY",
                sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
                logConfig: { enable: true, filter: "ERRORS_ONLY" },
            },
            { parent: this },
        );
        this.routerName = router.name;
        this.registerOutputs({ routerName: this.routerName });
    }
}
