import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    AVAILABILITY_ZONE_COUNT,
    AWS_FORMATS,
    DEFAULT_NAT_GATEWAYS,
    DEFAULT_VPC_CIDR,
    NAT_GATEWAY_MODES,
    NatGateways,
    VPC_PREFIX_LENGTH,
} from "./checks";
import { cidrHostBitsProblem } from "../cidr";
import { throwIfInvalid } from "../validation";

export interface NetworkArgs {
    /**
     * IPv4 range of the VPC. Each zone gets one public and one private subnet, each a sixteenth
     * of this range.
     * @default "10.0.0.0/16"
     */
    readonly cidrBlock?: string;
    /**
     * Availability zones to spread over (at least two, so the load balancer and the fleet
     * survive the loss of a zone).
     * @default 2
     */
    readonly availabilityZoneCount?: number;
    /**
     * NAT gateways for the private subnets' egress: `single` (one, cheap, a zonal single point of
     * failure for egress) or `perZone` (one per zone, highly available).
     * @default "single"
     */
    readonly natGateways?: NatGateways;
}

/** Every problem with `args`, each naming the argument; empty when valid. */
export function validateNetworkArgs(args: NetworkArgs): string[] {
    const problems: string[] = [];
    const cidr = args.cidrBlock ?? DEFAULT_VPC_CIDR;
    const prefix = Number(cidr.split("/")[1]);
    if (!AWS_FORMATS.cidr.test(cidr)) {
        problems.push(`cidrBlock '${cidr}' is not an IPv4 CIDR block such as 10.0.0.0/16`);
    } else if (prefix < VPC_PREFIX_LENGTH.min || prefix > VPC_PREFIX_LENGTH.max) {
        problems.push(
            `cidrBlock '${cidr}' must have a prefix from /${VPC_PREFIX_LENGTH.min} to /${VPC_PREFIX_LENGTH.max}: AWS allows /${VPC_PREFIX_LENGTH.min} at most, and each subnet (a sixteenth) must be /27 or larger for load balancers`,
        );
    } else {
        // The provider refuses a VPC range with host bits set (see cidrHostBitsProblem).
        const hostBits = cidrHostBitsProblem(cidr);
        if (hostBits) problems.push(`cidrBlock ${hostBits}`);
    }
    const zones = args.availabilityZoneCount ?? AVAILABILITY_ZONE_COUNT.default;
    const { min, max } = AVAILABILITY_ZONE_COUNT;
    if (!Number.isInteger(zones) || zones < min || zones > max) {
        problems.push(
            `availabilityZoneCount (${zones}) must be a whole number from ${min} to ${max}`,
        );
    }
    if (
        args.natGateways !== undefined &&
        !(NAT_GATEWAY_MODES as readonly string[]).includes(args.natGateways)
    ) {
        problems.push(
            `natGateways '${args.natGateways}' must be ${NAT_GATEWAY_MODES.map((m) => `'${m}'`).join(" or ")}`,
        );
    }
    return problems;
}

/** The `index`-th subnet of `vpcCidr` with a prefix 4 bits longer (a sixteenth of the VPC). */
export function subnetCidr(vpcCidr: string, index: number): string {
    const [ip, bits] = vpcCidr.split("/");
    const prefix = Number(bits) + 4;
    const base = ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const size = 2 ** (32 - prefix);
    const start = base - (base % (size * 16)) + index * size;
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
    return `${octets.join(".")}/${prefix}`;
}

/**
 * A VPC across several availability zones: public subnets for load balancers, private subnets
 * (no public IPs, egress through NAT) for instances, and a default security group locked down
 * to no rules at all.
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];
    /** Zones used, in subnet order. */
    public readonly availabilityZones: pulumi.Output<string[]>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("Network", name, validateNetworkArgs(args));
        super("multicloud:aws:Network", name, {}, opts);

        const cidrBlock = args.cidrBlock ?? DEFAULT_VPC_CIDR;
        const zoneCount = args.availabilityZoneCount ?? AVAILABILITY_ZONE_COUNT.default;
        const natGateways = args.natGateways ?? DEFAULT_NAT_GATEWAYS;

        const zones = aws.getAvailabilityZonesOutput(
            {
                state: "available",
                filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
            },
            { parent: this },
        );
        this.availabilityZones = zones.names.apply((names) => {
            if (names.length < zoneCount) {
                throw new Error(
                    `Network '${name}': the region has ${names.length} availability zones, fewer than availabilityZoneCount (${zoneCount})`,
                );
            }
            return names.slice(0, zoneCount);
        });
        const zone = (i: number) => this.availabilityZones.apply((names) => names[i]);

        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                tags: { Name: `${name}-vpc` },
            },
            { parent: this },
        );
        // CIS AWS 5.4: the default security group allows nothing.
        new aws.ec2.DefaultSecurityGroup(
            `${name}-default-sg`,
            { vpcId: vpc.id, ingress: [], egress: [] },
            { parent: this },
        );

        const igw = new aws.ec2.InternetGateway(
            `${name}-igw`,
            { vpcId: vpc.id, tags: { Name: `${name}-igw` } },
            { parent: this },
        );
        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public`,
            { vpcId: vpc.id, tags: { Name: `${name}-public` } },
            { parent: this },
        );
        new aws.ec2.Route(
            `${name}-public-default`,
            { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
            { parent: this },
        );

        const indices = [...Array(zoneCount).keys()];
        const publicSubnets = indices.map((i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-public-${i}`,
                {
                    vpcId: vpc.id,
                    availabilityZone: zone(i),
                    cidrBlock: subnetCidr(cidrBlock, i),
                    // Load balancers get their addresses from AWS; nothing here needs a public IP.
                    mapPublicIpOnLaunch: false,
                    tags: { Name: `${name}-public-${i}`, tier: "public" },
                },
                { parent: this },
            );
            new aws.ec2.RouteTableAssociation(
                `${name}-public-${i}`,
                { subnetId: subnet.id, routeTableId: publicRoutes.id },
                { parent: this },
            );
            return subnet;
        });

        const nats = indices.slice(0, natGateways === "perZone" ? zoneCount : 1).map((i) => {
            const eip = new aws.ec2.Eip(
                `${name}-nat-${i}`,
                { domain: "vpc", tags: { Name: `${name}-nat-${i}` } },
                { parent: this },
            );
            return new aws.ec2.NatGateway(
                `${name}-nat-${i}`,
                {
                    allocationId: eip.id,
                    subnetId: publicSubnets[i].id,
                    tags: { Name: `${name}-nat-${i}` },
                },
                { parent: this, dependsOn: [igw] },
            );
        });

        const privateSubnets = indices.map((i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-private-${i}`,
                {
                    vpcId: vpc.id,
                    availabilityZone: zone(i),
                    cidrBlock: subnetCidr(cidrBlock, zoneCount + i),
                    mapPublicIpOnLaunch: false,
                    tags: { Name: `${name}-private-${i}`, tier: "private" },
                },
                { parent: this },
            );
            const routes = new aws.ec2.RouteTable(
                `${name}-private-${i}`,
                { vpcId: vpc.id, tags: { Name: `${name}-private-${i}` } },
                { parent: this },
            );
            new aws.ec2.Route(
                `${name}-private-${i}-default`,
                {
                    routeTableId: routes.id,
                    destinationCidrBlock: "0.0.0.0/0",
                    natGatewayId: nats[Math.min(i, nats.length - 1)].id,
                },
                { parent: this },
            );
            new aws.ec2.RouteTableAssociation(
                `${name}-private-${i}`,
                { subnetId: subnet.id, routeTableId: routes.id },
                { parent: this },
            );
            return subnet;
        });

        this.vpcId = vpc.id;
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            availabilityZones: this.availabilityZones,
        });
    }
}
