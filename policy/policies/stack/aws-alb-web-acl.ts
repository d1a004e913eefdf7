import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { internetFacingAlb } from "../aws-load-balancers";
import { read } from "../types";
const WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";

/**
 * Whether `association` ties its web ACL to `lb`. When both ARNs are known, its resourceArn is
 * the load balancer's ARN. Otherwise (a preview before the load balancer exists, where both are
 * unknown) resourceArn must be computed from the load balancer, as the engine's property
 * dependencies of resourceArn show. A mere dependency (dependsOn) on the load balancer does not
 * count: it says nothing of which resource the web ACL is attached to.
 */
function protects(association: PolicyResource, lb: PolicyResource): boolean {
    const target = read(association.props, "resourceArn");
    const arn = read(lb.props, "arn");
    if (typeof target === "string" && typeof arn === "string") {
        return target !== "" && target === arn;
    }
    const from = association.propertyDependencies["resourceArn"] ?? [];
    return from.some((d) => d.urn === lb.urn);
}

export const awsAlbWebAcl: StackValidationPolicy = {
    name: "aws-alb-web-acl",
    description:
        'Every internet-facing AWS Application Load Balancer (an aws.lb.LoadBalancer or aws.alb.LoadBalancer with loadBalancerType "application", the default, and internal not true) should be protected by an AWS WAFv2 web ACL, so requests are filtered (managed rule groups, rate limits) before they reach its listeners. It is protected when an aws.wafv2.WebAclAssociation has the load balancer\'s ARN as resourceArn or, while that ARN is not known yet, a resourceArn computed from the load balancer. Internal load balancers and Network and Gateway Load Balancers are exempt; WAF Classic (wafregional) associations do not count.',
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const associations = args.resources.filter((r) => r.type === WEB_ACL_ASSOCIATION);
        for (const lb of args.resources) {
            // A type or scheme computed from another resource is checked once it is known.
            if (internetFacingAlb(lb.type, lb.props) !== true) continue;
            if (associations.some((a) => protects(a, lb))) continue;
            reportViolation(
                `Application Load Balancer '${lb.name}' is internet-facing and no AWS WAF web ACL protects it (no aws.wafv2.WebAclAssociation has its ARN as resourceArn), so every request reaches its listeners unfiltered: attach an aws.wafv2.WebAcl with an aws.wafv2.WebAclAssociation whose resourceArn is the load balancer's arn (in this blueprint, set multicloud:aws.waf.enabled to true), or set internal to true if the load balancer need not be reachable from the internet.`,
                lb.urn,
            );
        }
    },
};
