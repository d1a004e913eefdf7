/**
 * TLS between the load balancer and its targets (aws-lb-target-group-tls), and the access logs
 * that audit the TLS clients negotiate (aws-alb-access-logs): a compliant fixture, one failing
 * variant per rule with its exact message, and the committed stacks through the gate.
 */
import { stackPolicyConfigPath } from "../../policy/config";
import { UNKNOWN_STRING } from "../../plan/analyzer";
import { runGate, violationText } from "../../plan/gate";
import { one, planStack, PROJECT_DIR } from "../harness";
import { messages, PACK_DIR, resource, usePack } from "./harness";

const pack = usePack();

describe("aws-lb-target-group-tls", () => {
    const policy = "aws-lb-target-group-tls";
    /** The fleet's target group as AsgFleet registers it. */
    const group = (props: Record<string, unknown>, type = "aws:lb/targetGroup:TargetGroup") =>
        resource(type, "app-tg", {
            vpcId: "vpc-0123456789abcdef0",
            port: 5001,
            protocol: "HTTPS",
            targetType: "instance",
            healthCheck: { path: "/healthz", port: "traffic-port", protocol: "HTTPS" },
            ...props,
        });
    const FIX =
        "in this blueprint, set multicloud:aws.loadBalancer.targetProtocol to HTTPS, the default";

    it("passes an HTTPS group with HTTPS health checks, on either type token", async () => {
        expect(await messages(pack(), policy, group({}))).toEqual([]);
        expect(
            await messages(pack(), policy, group({}, "aws:alb/targetGroup:TargetGroup")),
        ).toEqual([]);
    });

    it("passes TLS groups, pass-through protocols, lambda and alb targets, and unknown values", async () => {
        for (const props of [
            { protocol: "TLS", healthCheck: { protocol: "TCP" } },
            // Network Load Balancer TLS group with its default (TCP) health check.
            { protocol: "TLS", healthCheck: undefined },
            { protocol: "TCP", healthCheck: { protocol: "TCP" } },
            { protocol: "GENEVE", healthCheck: { protocol: "HTTP", port: "80" } },
            { targetType: "lambda", protocol: undefined, port: undefined },
            { targetType: "alb", protocol: "TCP" },
            { protocol: UNKNOWN_STRING },
            { healthCheck: { protocol: UNKNOWN_STRING } },
        ]) {
            expect([props, await messages(pack(), policy, group(props))]).toEqual([props, []]);
        }
    });

    it("flags plain HTTP to the targets, with the default target type too", async () => {
        const http = `Target group 'app-tg' sends requests to its targets over plain HTTP (its protocol is HTTP), so they cross the network unencrypted after the load balancer: set protocol to "HTTPS" with healthCheck.protocol "HTTPS", and serve TLS on the targets (${FIX}).`;
        expect(
            await messages(pack(), policy, group({ protocol: "HTTP", healthCheck: undefined })),
        ).toEqual([http]);
        expect(
            await messages(pack(), policy, group({ protocol: "http", targetType: undefined })),
        ).toEqual([http]);
        expect(
            await messages(pack(), policy, group({ protocol: "HTTP", targetType: "ip" })),
        ).toEqual([http]);
    });

    it("flags a group with no protocol", async () => {
        expect(await messages(pack(), policy, group({ protocol: undefined }))).toEqual([
            `Target group 'app-tg' has no protocol (targetType instance requires one; the aws provider refuses the group without it), so nothing says its targets are reached over TLS: set protocol to "HTTPS" with healthCheck.protocol "HTTPS", and serve TLS on the targets (${FIX}).`,
        ]);
    });

    it("flags plain-HTTP health checks on an HTTPS group, given or left to the provider's default", async () => {
        const message = `Target group 'app-tg' reaches its targets over HTTPS, but its health checks use plain HTTP (healthCheck.protocol is HTTP, or unset, where the aws provider defaults to HTTP), so every target must also answer in plain text: set healthCheck.protocol to "HTTPS" (${FIX}; it sets both).`;
        expect(
            await messages(
                pack(),
                policy,
                group({ healthCheck: { path: "/healthz", protocol: "HTTP" } }),
            ),
        ).toEqual([message]);
        expect(
            await messages(pack(), policy, group({ healthCheck: { path: "/healthz" } })),
        ).toEqual([message]);
        expect(
            await messages(
                pack(),
                policy,
                group({ protocol: "TLS", healthCheck: { protocol: "HTTP" } }),
            ),
        ).toEqual([
            `Target group 'app-tg' reaches its targets over TLS, but its health checks use plain HTTP (healthCheck.protocol is HTTP), so every target must also answer in plain text: set healthCheck.protocol to "HTTPS" (${FIX}; it sets both).`,
        ]);
    });
});

describe("aws-alb-access-logs", () => {
    const policy = "aws-alb-access-logs";
    const alb = (props: Record<string, unknown>) =>
        resource("aws:lb/loadBalancer:LoadBalancer", "app-alb", {
            loadBalancerType: "application",
            internal: false,
            accessLogs: { bucket: "app-alb-logs-1234567", prefix: "alb", enabled: true },
            ...props,
        });
    const MESSAGE =
        "Application Load Balancer 'app-alb' is internet-facing and writes no access logs (accessLogs.enabled is not true, or accessLogs.bucket is empty), so the TLS versions and ciphers its clients negotiate cannot be audited: set accessLogs to { bucket: <an S3 bucket in its Region with SSE-S3 encryption and a policy that lets Elastic Load Balancing write>, enabled: true } (in this blueprint, set multicloud:aws.loadBalancer.accessLogs.enabled to true).";

    it("passes an ALB that logs, one whose bucket is not known yet, and those it does not judge", async () => {
        for (const props of [
            {},
            { accessLogs: { bucket: UNKNOWN_STRING, enabled: true } },
            { accessLogs: undefined, internal: true },
            { accessLogs: undefined, loadBalancerType: "network" },
            { accessLogs: undefined, loadBalancerType: "gateway" },
            { accessLogs: { bucket: "b", enabled: UNKNOWN_STRING } },
        ]) {
            expect([props, await messages(pack(), policy, alb(props))]).toEqual([props, []]);
        }
    });

    it("flags an internet-facing ALB without logs, logs switched off, or no bucket", async () => {
        for (const props of [
            { accessLogs: undefined },
            { accessLogs: undefined, loadBalancerType: undefined, internal: undefined },
            { accessLogs: { bucket: "app-alb-logs-1234567", enabled: false } },
            // The provider's default: enabled is false even when a bucket is given.
            { accessLogs: { bucket: "app-alb-logs-1234567" } },
            { accessLogs: { bucket: "", enabled: true } },
        ]) {
            expect([props, await messages(pack(), policy, alb(props))]).toEqual([props, [MESSAGE]]);
        }
    });
});

describe("the transit TLS policies on the committed stacks", () => {
    const POLICIES = ["aws-lb-target-group-tls", "aws-alb-access-logs"];

    it("prod (every policy mandatory): no finding", async () => {
        const plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
        const verdict = await runGate(plan, {
            packDir: PACK_DIR,
            configFile: stackPolicyConfigPath(PROJECT_DIR, "prod"),
        });
        expect(verdict.diagnostics.filter((d) => POLICIES.includes(d.policyName))).toEqual([]);
    }, 120_000);

    it("dev: HTTPS targets, and the access logs it leaves off reported as advisory", async () => {
        const plan = await planStack("dev");
        expect(plan.errors).toEqual([]);
        const verdict = await runGate(plan, { packDir: PACK_DIR });
        const found = verdict.diagnostics.filter((d) => POLICIES.includes(d.policyName));
        expect(found.map((d) => [d.policyName, d.enforcementLevel, d.urn])).toEqual([
            [
                "aws-alb-access-logs",
                "advisory",
                one(plan, "aws:lb/loadBalancer:LoadBalancer", "app-alb").urn,
            ],
        ]);
        expect(violationText(found[0])).toMatch(/^Application Load Balancer 'app-alb' is/);
    }, 120_000);
});
