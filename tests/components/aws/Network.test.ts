/**
 * Network (components/aws/Network.ts): the VPC the fleet runs in when a stack gives none. The
 * prod stack's network as the committed stack registers it; the component planned directly (a
 * program of nothing but networks); its subnet arithmetic and argument checks called directly.
 */
import type { PlanResult } from "../../../plan/run";
import type * as NetworkModule from "../../../components/aws/Network";
import { AVAILABILITY_ZONE_COUNT, VPC_PREFIX_LENGTH } from "../../../components/aws/checks";
import { cidrsOverlap, parseIpv4Cidr } from "../../../components/cidr";
import { AwsSchema } from "../../../config/aws";
import { byUrn, created, ofType, one, planStack, workerModule } from "../../harness";
import { planAws } from "./harness";

/** The component's module as the plans load it: its subnets and checks, called directly. */
const { subnetCidr, validateNetworkArgs } =
    workerModule<typeof NetworkModule>("components/aws/Network");

const T = {
    component: "multicloud:aws:Network",
    vpc: "aws:ec2/vpc:Vpc",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    igw: "aws:ec2/internetGateway:InternetGateway",
    subnet: "aws:ec2/subnet:Subnet",
    routeTable: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    eip: "aws:ec2/eip:Eip",
    nat: "aws:ec2/natGateway:NatGateway",
};

/** A program of nothing but Networks, on their own AWS provider in eu-west-1 (three zones). */
function planNetworks(...networks: [name: string, args?: Record<string, unknown>][]) {
    return planAws(({ req, opts }) => {
        const { Network } =
            req<typeof import("../../../components/aws/Network")>("components/aws/Network");
        for (const [name, args] of networks) new Network(name, args ?? {}, opts);
    });
}

describe("Network in the prod stack (the blueprint's values)", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
    });

    it("creates a three-zone VPC with one NAT gateway per zone and routes each private subnet through its own", () => {
        expect(ofType(plan, T.nat)).toHaveLength(3);
        const subnets = ofType(plan, T.subnet);
        expect(
            subnets.map((s) => [s.name, s.inputs.cidrBlock, s.inputs.mapPublicIpOnLaunch]),
        ).toEqual([
            ["aws-network-public-0", "10.20.0.0/20", false],
            ["aws-network-public-1", "10.20.16.0/20", false],
            ["aws-network-public-2", "10.20.32.0/20", false],
            ["aws-network-private-0", "10.20.48.0/20", false],
            ["aws-network-private-1", "10.20.64.0/20", false],
            ["aws-network-private-2", "10.20.80.0/20", false],
        ]);
        expect(subnets.map((s) => s.inputs.availabilityZone)).toEqual(
            ["a", "b", "c", "a", "b", "c"].map((z) => `us-east-1${z}`),
        );
        const route = one(plan, T.route, "aws-network-private-2-default");
        expect(route.inputs.natGatewayId).toBe("aws-network-nat-2-id");
    });
});

describe("Network with its defaults", () => {
    let plan: PlanResult;
    /** What the stack config applies when the stack file sets nothing under `aws.network`. */
    const { network } = AwsSchema.parse({});
    beforeAll(async () => {
        plan = await planNetworks(["net"]);
        expect(plan.errors).toEqual([]);
    });

    it("applies the defaults the stack config applies, for the network", () => {
        expect(one(plan, T.vpc, "net-vpc").inputs.cidrBlock).toBe(network.cidrBlock);
        const subnets = ofType(plan, T.subnet).filter((s) => s.name.startsWith("net-"));
        expect(subnets).toHaveLength(2 * network.availabilityZoneCount);
        expect(ofType(plan, T.nat)).toHaveLength(
            network.natGateways === "single" ? 1 : network.availabilityZoneCount,
        );
    });

    it("resolves names in the VPC's DNS, as the instances' ECR and SSM endpoints need", () => {
        expect(one(plan, T.vpc, "net-vpc").inputs).toMatchObject({
            cidrBlock: "10.0.0.0/16",
            enableDnsHostnames: true,
            enableDnsSupport: true,
        });
    });

    // CIS AWS Foundations 5.4: the default security group restricts all traffic. The provider
    // "immediately removes all ingress and egress rules" of the group it adopts and creates only
    // those given (@pulumi/aws ec2/defaultSecurityGroup.d.ts): empty lists leave none.
    it("locks the VPC's default security group down to no rule at all", () => {
        expect(one(plan, T.defaultSg, "net-default-sg").inputs).toEqual({
            vpcId: "net-vpc-id",
            ingress: [],
            egress: [],
        });
    });

    // CreateLoadBalancer: "[Application Load Balancers] You must specify subnets from at least
    // two Availability Zones. You can specify only one subnet per Availability Zone" (Elastic
    // Load Balancing API reference, Subnets).
    it("puts one public and one private subnet in each of two distinct zones, none giving public IPs", () => {
        const subnets = ofType(plan, T.subnet);
        expect(
            subnets.map((s) => [
                s.name,
                s.inputs.cidrBlock,
                s.inputs.availabilityZone,
                s.inputs.mapPublicIpOnLaunch,
            ]),
        ).toEqual([
            ["net-public-0", "10.0.0.0/20", "eu-west-1a", false],
            ["net-public-1", "10.0.16.0/20", "eu-west-1b", false],
            ["net-private-0", "10.0.32.0/20", "eu-west-1a", false],
            ["net-private-1", "10.0.48.0/20", "eu-west-1b", false],
        ]);
        expect(subnets.map((s) => (s.inputs.tags as Record<string, string>).tier)).toEqual([
            "public",
            "public",
            "private",
            "private",
        ]);
        // Only the zones that need no opt-in, so a Local Zone never gets a subnet.
        const [zones] = plan.invokes.filter(
            (i) => i.token === "aws:index/getAvailabilityZones:getAvailabilityZones",
        );
        expect(zones.inputs).toMatchObject({
            state: "available",
            filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
        });
    });

    it("routes the public subnets to the internet gateway and the private ones through the single NAT gateway", () => {
        const publicRoute = one(plan, T.route, "net-public-default");
        expect(publicRoute.inputs).toEqual({
            routeTableId: "net-public-id",
            destinationCidrBlock: "0.0.0.0/0",
            gatewayId: "net-igw-id",
        });
        for (const i of [0, 1]) {
            expect(one(plan, T.association, `net-public-${i}`).inputs).toEqual({
                subnetId: `net-public-${i}-id`,
                routeTableId: "net-public-id",
            });
            expect(one(plan, T.route, `net-private-${i}-default`).inputs).toEqual({
                routeTableId: `net-private-${i}-id`,
                destinationCidrBlock: "0.0.0.0/0",
                natGatewayId: "net-nat-0-id",
            });
            expect(one(plan, T.association, `net-private-${i}`).inputs).toEqual({
                subnetId: `net-private-${i}-id`,
                routeTableId: `net-private-${i}-id`,
            });
        }
    });

    // A NAT gateway is public only in a public subnet of a VPC with an internet gateway attached
    // (Amazon VPC User Guide, "NAT gateways": "You must also specify an Elastic IP address");
    // the provider's own example waits for the gateway with depends_on.
    it("puts the NAT gateway in a public subnet with its own Elastic IP, after the internet gateway", () => {
        const nat = one(plan, T.nat, "net-nat-0");
        expect(nat.inputs).toMatchObject({
            allocationId: "net-nat-0-id",
            subnetId: "net-public-0-id",
        });
        expect(one(plan, T.eip, "net-nat-0").inputs).toMatchObject({ domain: "vpc" });
        expect(nat.dependencies).toContain(one(plan, T.igw, "net-igw").urn);
    });

    it("parents every child to the component and exports the subnets and zones", () => {
        const component = one(plan, T.component, "net");
        const children = created(plan).filter((r) => r.parent === component.urn);
        expect(children).toHaveLength(created(plan).length - 2); // but the provider and itself
        const provider = one(plan, "pulumi:providers:aws", "aws");
        for (const child of children) expect(child.provider).toBe(provider.urn);
        expect(component.outputs).toEqual({
            vpcId: "net-vpc-id",
            publicSubnetIds: ["net-public-0-id", "net-public-1-id"],
            privateSubnetIds: ["net-private-0-id", "net-private-1-id"],
            availabilityZones: ["eu-west-1a", "eu-west-1b"],
        });
    });
});

describe("Network variants", () => {
    it("gives each zone its own NAT gateway with perZone", async () => {
        const plan = await planNetworks([
            "net",
            { availabilityZoneCount: 3, natGateways: "perZone", cidrBlock: "10.8.0.0/20" },
        ]);
        expect(plan.errors).toEqual([]);
        expect(ofType(plan, T.nat).map((n) => [n.name, n.inputs.subnetId])).toEqual([
            ["net-nat-0", "net-public-0-id"],
            ["net-nat-1", "net-public-1-id"],
            ["net-nat-2", "net-public-2-id"],
        ]);
        for (const i of [0, 1, 2]) {
            expect(one(plan, T.route, `net-private-${i}-default`).inputs.natGatewayId).toBe(
                `net-nat-${i}-id`,
            );
        }
        expect(ofType(plan, T.subnet).map((s) => s.inputs.cidrBlock)).toEqual([
            "10.8.0.0/24",
            "10.8.1.0/24",
            "10.8.2.0/24",
            "10.8.3.0/24",
            "10.8.4.0/24",
            "10.8.5.0/24",
        ]);
    });

    it("lets two networks share a stack without a name collision", async () => {
        const plan = await planNetworks(["blue", { cidrBlock: "10.1.0.0/16" }], ["green"]);
        expect(plan.errors).toEqual([]);
        const children = created(plan).filter((r) => byUrn(plan, r.parent)?.type === T.component);
        const names = children.map((r) => `${r.type}::${r.name}`);
        expect(new Set(names).size).toBe(names.length);
        expect(ofType(plan, T.vpc).map((v) => v.inputs.tags)).toEqual([
            { Name: "blue-vpc" },
            { Name: "green-vpc" },
        ]);
    });

    it("registers nothing when its arguments are invalid, listing every problem", async () => {
        const plan = await planNetworks([
            "bad",
            { cidrBlock: "10.0.0.1/16", availabilityZoneCount: 7, natGateways: "none" },
        ]);
        // Only the program's own provider: not the component, not a single child.
        expect(created(plan).map((r) => r.type)).toEqual(["pulumi:providers:aws"]);
        expect(plan.errors[0]).toContain(
            "Network 'bad' has invalid arguments:\n" +
                "  - cidrBlock '10.0.0.1/16' has host bits set: write its network address 10.0.0.0/16 (the clouds refuse or rewrite such a block)\n" +
                "  - availabilityZoneCount (7) must be a whole number from 2 to 6\n" +
                "  - natGateways 'none' must be 'single' or 'perZone'",
        );
    });
});

describe("helpers", () => {
    it("splits a VPC range into sixteenths", () => {
        expect([0, 1, 15].map((i) => subnetCidr("10.0.0.0/16", i))).toEqual([
            "10.0.0.0/20",
            "10.0.16.0/20",
            "10.0.240.0/20",
        ]);
        expect(subnetCidr("192.168.4.0/24", 3)).toBe("192.168.4.48/28");
    });

    // EC2 CreateSubnet refuses a block outside the VPC's (InvalidSubnet.Range) or overlapping
    // another subnet (InvalidSubnet.Conflict) (EC2 API reference, "Error codes"); a load
    // balancer's subnet needs at least a /27 ("Subnets for your load balancer", Elastic Load
    // Balancing User Guide).
    it("tiles every VPC range it accepts into disjoint subnets inside it, /27 or larger, for any zone count", () => {
        for (let prefix = VPC_PREFIX_LENGTH.min; prefix <= VPC_PREFIX_LENGTH.max; prefix++) {
            const vpc = `10.${prefix}.0.0/${prefix}`;
            const v = parseIpv4Cidr(vpc)!;
            for (
                let zones = AVAILABILITY_ZONE_COUNT.min;
                zones <= AVAILABILITY_ZONE_COUNT.max;
                zones++
            ) {
                expect(
                    validateNetworkArgs({ cidrBlock: vpc, availabilityZoneCount: zones }),
                ).toEqual([]);
                // The component's subnets: public 0..n-1, then private n..2n-1.
                const subnets = [...Array(2 * zones).keys()].map((i) => subnetCidr(vpc, i));
                for (const [i, subnet] of subnets.entries()) {
                    const s = parseIpv4Cidr(subnet)!;
                    expect([subnet, s.address === s.network]).toEqual([subnet, true]);
                    expect(s.prefix).toBeLessThanOrEqual(27);
                    expect([vpc, subnet, s.network >= v.network]).toEqual([vpc, subnet, true]);
                    const end = (c: typeof s) => c.network + 2 ** (32 - c.prefix);
                    expect([vpc, subnet, end(s) <= end(v)]).toEqual([vpc, subnet, true]);
                    for (const other of subnets.slice(i + 1)) {
                        expect([subnet, other, cidrsOverlap(subnet, other)]).toEqual([
                            subnet,
                            other,
                            false,
                        ]);
                    }
                }
            }
        }
    });

    it("validates network arguments", () => {
        expect(validateNetworkArgs({ availabilityZoneCount: 1, cidrBlock: "10.0.0.0/8" })).toEqual([
            "cidrBlock '10.0.0.0/8' must have a prefix from /16 to /23: AWS allows /16 at most, and each subnet (a sixteenth) must be /27 or larger for load balancers",
            "availabilityZoneCount (1) must be a whole number from 2 to 6",
        ]);
    });

    // Amazon VPC: "The allowed block size is between a /16 netmask (65,536 IP addresses) and
    // /28 netmask (16 IP addresses)" ("VPC CIDR blocks"); this component stops at /23 so that
    // each sixteenth stays a /27.
    it("takes /16 to /23 only, a network address only, and names the bad value", () => {
        expect(validateNetworkArgs({ cidrBlock: "10.0.0.0/16" })).toEqual([]);
        expect(validateNetworkArgs({ cidrBlock: "10.0.0.0/23" })).toEqual([]);
        expect(validateNetworkArgs({ cidrBlock: "10.0.0.0/15" })).toHaveLength(1);
        expect(validateNetworkArgs({ cidrBlock: "10.0.0.0/24" })).toHaveLength(1);
        expect(validateNetworkArgs({ cidrBlock: "10.0.0.0/33" })).toEqual([
            "cidrBlock '10.0.0.0/33' is not an IPv4 CIDR block such as 10.0.0.0/16",
        ]);
        expect(validateNetworkArgs({ cidrBlock: "10.0.0.1/16" })).toEqual([
            "cidrBlock '10.0.0.1/16' has host bits set: write its network address 10.0.0.0/16 (the clouds refuse or rewrite such a block)",
        ]);
        expect(validateNetworkArgs({ availabilityZoneCount: 2.5 })).toEqual([
            "availabilityZoneCount (2.5) must be a whole number from 2 to 6",
        ]);
    });
});
