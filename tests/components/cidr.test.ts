/**
 * The pure IPv4 CIDR helpers every cloud's checks share (components/cidr.ts).
 */
import {
    canonicalCidr,
    cidrHostBitsProblem,
    cidrsOverlap,
    duplicateCidrProblems,
    overlappingCidrProblems,
    parseIpv4Cidr,
} from "../../components/cidr";

describe("parseIpv4Cidr", () => {
    it("takes a block apart into address, prefix and network", () => {
        expect(parseIpv4Cidr("10.1.2.3/16")).toEqual({
            address: 10 * 2 ** 24 + 1 * 2 ** 16 + 2 * 256 + 3,
            prefix: 16,
            network: 10 * 2 ** 24 + 1 * 2 ** 16,
        });
        expect(parseIpv4Cidr("0.0.0.0/0")).toEqual({ address: 0, prefix: 0, network: 0 });
        expect(parseIpv4Cidr("255.255.255.255/32")?.network).toBe(2 ** 32 - 1);
    });

    it.each(["10.0.0.0", "10.0.0.0/33", "256.0.0.0/8", "10.0.0/8", "010.0.0.0/8", "10.0.0.0/08"])(
        "refuses %s",
        (cidr) => {
            expect(parseIpv4Cidr(cidr)).toBeUndefined();
        },
    );
});

describe("cidrHostBitsProblem", () => {
    // AWS: hashicorp/terraform-provider-aws internal/verify/validate.go ValidateIPv4CIDRBlock
    // refuses "10.0.0.1/16" for aws_vpc, aws_subnet and aws_vpc_security_group_ingress_rule
    // ("is not a valid IPv4 CIDR block; did you mean 10.0.0.0/16?").
    // Google: hashicorp/terraform-provider-google resource_container_cluster.go validates
    // master_ipv4_cidr_block with validation.IsCIDRNetwork(28, 28) (value must equal its network).
    it("names the network address to write instead", () => {
        expect(cidrHostBitsProblem("10.0.0.1/16")).toBe(
            "'10.0.0.1/16' has host bits set: write its network address 10.0.0.0/16 (the clouds refuse or rewrite such a block)",
        );
        expect(cidrHostBitsProblem("172.16.0.8/28")).toContain("172.16.0.0/28");
        expect(cidrHostBitsProblem("198.51.100.7/32")).toBeUndefined();
    });

    it("accepts network addresses, and leaves malformed values to the format rule", () => {
        for (const ok of ["10.0.0.0/16", "0.0.0.0/0", "172.16.0.16/28", "not-a-cidr"]) {
            expect(cidrHostBitsProblem(ok)).toBeUndefined();
        }
    });

    it("gives the canonical form", () => {
        expect(canonicalCidr("192.168.5.77/20")).toBe("192.168.0.0/20");
        expect(canonicalCidr("nope")).toBeUndefined();
    });
});

describe("cidrsOverlap", () => {
    it.each<[string, string, boolean]>([
        ["10.0.0.0/16", "10.0.0.0/16", true], // identical
        ["10.0.0.0/8", "10.20.0.0/16", true], // nested
        ["10.20.0.0/16", "10.0.0.0/8", true], // nested, the other way round
        ["172.16.0.0/28", "172.16.0.8/29", true], // GKE control planes: one /29 inside a /28
        ["172.16.0.0/28", "172.16.0.16/28", false], // adjacent /28s
        ["10.0.0.0/16", "10.1.0.0/16", false],
        ["0.0.0.0/0", "203.0.113.0/24", true],
        ["10.0.0.0/16", "bad", false],
    ])("%s and %s: %s", (a, b, expected) => {
        expect(cidrsOverlap(a, b)).toBe(expected);
        expect(cidrsOverlap(b, a)).toBe(expected);
    });

    it("lists each overlapping pair with both positions", () => {
        // Google: the control-plane range "must not overlap with any other ranges in use within
        // the cluster's network" (GKE private clusters), so two clusters on one network need
        // disjoint /28s, not only distinct ones.
        expect(
            overlappingCidrProblems("gcp.clusters.masterIpv4CidrBlock", [
                "172.16.0.0/28",
                "172.16.0.16/28",
                "172.16.0.0/27",
            ]),
        ).toEqual([
            "gcp.clusters.masterIpv4CidrBlock[2] '172.16.0.0/27' overlaps gcp.clusters.masterIpv4CidrBlock[0] '172.16.0.0/28': give each a range of its own",
            "gcp.clusters.masterIpv4CidrBlock[2] '172.16.0.0/27' overlaps gcp.clusters.masterIpv4CidrBlock[1] '172.16.0.16/28': give each a range of its own",
        ]);
    });
});

describe("duplicateCidrProblems", () => {
    // EC2 refuses a second identical security group rule: InvalidPermission.Duplicate
    // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
    it("names a repeated range and where it first appears, also when written differently", () => {
        expect(
            duplicateCidrProblems("ingressCidrs", ["203.0.113.0/24", "10.0.0.0/8", "10.0.0.1/8"]),
        ).toEqual([
            "ingressCidrs[2] '10.0.0.1/8' repeats ingressCidrs[1] '10.0.0.0/8': list each range once (AWS refuses the same security group rule twice: InvalidPermission.Duplicate)",
        ]);
    });

    it("accepts distinct ranges, even overlapping ones (AWS allows those)", () => {
        expect(duplicateCidrProblems("ingressCidrs", ["10.0.0.0/8", "10.1.0.0/16"])).toEqual([]);
    });
});
