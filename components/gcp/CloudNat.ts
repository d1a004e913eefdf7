import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { throwIfInvalid } from "../validation";
import { DEFAULT_NETWORK, GCP_REGION } from "./checks";

/**
 * Longest component name: Pulumi names the router `<name>-router-<7 hex>` and the NAT
 * `<name>-nat-<7 hex>`, and Compute Engine takes at most 63 characters (RFC 1035) for either
 * (`google_compute_router.name`: ValidateGCEName; `google_compute_router_nat.name`:
 * ValidateRFC1035Name(2, 63); hashicorp/terraform-provider-google google/services/compute).
 */
export const MAX_NAT_NAME = 63 - "-router-".length - 7;

/** RFC 1035 label: what Compute Engine accepts as a router or NAT name. */
const RFC1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The network's own name, from a name (`default`), a partial URL
 * (`projects/p/global/networks/n`) or a full self-link
 * (`https://www.googleapis.com/compute/v1/projects/p/global/networks/n`).
 */
export function networkName(network: string): string {
    return network.replace(/\/+$/, "").split("/").pop() ?? network;
}

/**
 * A stable `CloudNat` name for a network and region, at most `MAX_NAT_NAME` characters:
 * `nat-<network>-<region>` for a network given by name (the names stacks already use), and the
 * same, shortened and suffixed with a hash of the full reference, for a network given by URL
 * or a name too long, so that two networks never share a name.
 */
export function natName(network: string, region: string): string {
    const base = `nat-${networkName(network)}-${region}`;
    if (!network.includes("/") && base.length <= MAX_NAT_NAME) return base;
    const hash = createHash("sha256").update(`${network}|${region}`).digest("hex").slice(0, 6);
    return `${base.slice(0, MAX_NAT_NAME - 7).replace(/-+$/, "")}-${hash}`;
}

export interface CloudNatArgs {
    readonly project: string;
    /** Region of the private nodes. */
    readonly region: string;
    /** VPC network of the private nodes: a name or a self-link. @default "default" */
    readonly network?: string;
}

/** Every problem with `args` (and the component's `name`), each naming it; empty when valid. */
export function validateCloudNatArgs(args: CloudNatArgs, name?: string): string[] {
    const problems: string[] = [];
    if (name !== undefined && (!RFC1035.test(name) || name.length > MAX_NAT_NAME)) {
        problems.push(
            `name '${name}' must be a lowercase RFC 1035 name of at most ${MAX_NAT_NAME} characters (it prefixes the router and NAT names, 63 at most): use natName(network, region)`,
        );
    }
    if (!GCP_REGION.test(args.region)) {
        problems.push(`region '${args.region}' must be a Google Cloud region such as europe-west1`);
    }
    return problems;
}

/**
 * Egress for private GKE nodes: a Cloud Router with Cloud NAT for every subnetwork of the
 * region, so nodes without public IPs can reach git hosts (Config Sync) and outside
 * registries. One per network and region, shared by every cluster there: a subnetwork range
 * can be served by one NAT gateway only, so two CloudNats for one network and region fail.
 */
export class CloudNat extends pulumi.ComponentResource {
    public readonly routerName: pulumi.Output<string>;

    constructor(name: string, args: CloudNatArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("CloudNat", name, validateCloudNatArgs(args, name));
        super("multicloud:gcp:CloudNat", name, {}, opts);

        const router = new gcp.compute.Router(
            `${name}-router`,
            {
                project: args.project,
                region: args.region,
                // A name or a self-link: the provider compares them as one.
                network: args.network ?? DEFAULT_NETWORK,
            },
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
