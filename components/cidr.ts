/**
 * Pure IPv4 CIDR helpers shared by every cloud's checks (no SDK imports, so config/ and the
 * policy pack can use them). Each `...Problem(s)` function returns messages that name the value
 * and the fix; an empty result (or `undefined`) means the value is fine.
 *
 * Format is checked elsewhere (`CIDR` in formats.ts): these helpers say nothing about a value
 * that is not an IPv4 CIDR block at all, so a config error is reported once, by the format rule.
 */

/** An IPv4 CIDR block taken apart: the address as written, its prefix, and its network. */
export interface Ipv4Cidr {
    /** The address as written, as an unsigned 32-bit number. */
    readonly address: number;
    readonly prefix: number;
    /** The network address (host bits cleared), as an unsigned 32-bit number. */
    readonly network: number;
}

const CIDR_SHAPE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The parts of an IPv4 CIDR block such as 10.0.0.0/16, or undefined when `cidr` is not one. */
export function parseIpv4Cidr(cidr: string): Ipv4Cidr | undefined {
    const m = CIDR_SHAPE.exec(cidr);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    // Leading zeros ("010") are refused too: some parsers read them as octal.
    if (m.slice(1, 5).some((o, i) => octets[i] > 255 || (o.length > 1 && o.startsWith("0"))))
        return undefined;
    if (prefix > 32 || (m[5].length > 1 && m[5].startsWith("0"))) return undefined;
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    return { address, prefix, network: address - (address % size) };
}

function formatIpv4(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** The block in its canonical form (host bits cleared): `10.0.0.1/16` -> `10.0.0.0/16`. */
export function canonicalCidr(cidr: string): string | undefined {
    const p = parseIpv4Cidr(cidr);
    return p && `${formatIpv4(p.network)}/${p.prefix}`;
}

/**
 * The problem with a block whose address has host bits set (`10.0.0.1/16`), if any.
 *
 * The clouds do not agree on what such a block means, so it is refused here:
 * - AWS: the provider rejects it before any call for VPCs, subnets and security group rules
 *   ("is not a valid IPv4 CIDR block; did you mean ...?": hashicorp/terraform-provider-aws,
 *   internal/verify/validate.go `ValidateIPv4CIDRBlock`, used by `aws_vpc`, `aws_subnet` and
 *   `aws_vpc_security_group_ingress_rule.cidr_ipv4` via `IPv4CIDRNetworkAddress`).
 * - Google: GKE's `masterIpv4CidrBlock` must be a /28 network
 *   (hashicorp/terraform-provider-google, resource_container_cluster.go,
 *   `validation.IsCIDRNetwork(28, 28)`, which compares the value with its network form), and
 *   `masterAuthorizedNetworks` are normalised by the API, so the next plan shows a diff.
 */
export function cidrHostBitsProblem(cidr: string): string | undefined {
    const p = parseIpv4Cidr(cidr);
    if (!p || p.address === p.network) return undefined;
    return `'${cidr}' has host bits set: write its network address ${formatIpv4(p.network)}/${p.prefix} (the clouds refuse or rewrite such a block)`;
}

/** Whether two IPv4 blocks share at least one address (identical, nested or partly). */
export function cidrsOverlap(a: string, b: string): boolean {
    const pa = parseIpv4Cidr(a);
    const pb = parseIpv4Cidr(b);
    if (!pa || !pb) return false;
    const end = (p: Ipv4Cidr) => p.network + 2 ** (32 - p.prefix) - 1;
    return pa.network <= end(pb) && pb.network <= end(pa);
}

/**
 * One problem per block listed more than once in `cidrs` (compared in canonical form, so
 * `10.0.0.0/8` and `10.0.0.1/8` count as the same range), naming `key` and both positions.
 *
 * AWS refuses a second identical security group rule with `InvalidPermission.Duplicate`
 * ("the specified rule already exists": EC2 API error codes,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html), which is what a
 * repeated `aws.loadBalancer.ingressCidrs` entry becomes.
 */
export function duplicateCidrProblems(key: string, cidrs: readonly string[]): string[] {
    const firstAt = new Map<string, number>();
    const problems: string[] = [];
    cidrs.forEach((cidr, i) => {
        const canonical = canonicalCidr(cidr) ?? cidr;
        const first = firstAt.get(canonical);
        if (first === undefined) {
            firstAt.set(canonical, i);
        } else {
            problems.push(
                `${key}[${i}] '${cidr}' repeats ${key}[${first}] '${cidrs[first]}': list each range once (AWS refuses the same security group rule twice: InvalidPermission.Duplicate)`,
            );
        }
    });
    return problems;
}

/**
 * One problem per pair of blocks in `cidrs` that overlap, naming `key`, both positions and the
 * fix. For ranges that must be disjoint, such as the GKE control-plane /28s of clusters that
 * share a network (Google: "This range must not overlap with any other ranges in use within the
 * cluster's network").
 */
export function overlappingCidrProblems(key: string, cidrs: readonly string[]): string[] {
    const problems: string[] = [];
    for (let j = 1; j < cidrs.length; j++) {
        for (let i = 0; i < j; i++) {
            if (cidrsOverlap(cidrs[i], cidrs[j])) {
                problems.push(
                    `${key}[${j}] '${cidrs[j]}' overlaps ${key}[${i}] '${cidrs[i]}': give each a range of its own`,
                );
            }
        }
    }
    return problems;
}
