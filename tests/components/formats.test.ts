/**
 * The value formats every cloud's components and the stack config accept (components/formats.ts),
 * written once: each pattern against the values users write, and the rule of the API that takes
 * the value where there is one.
 */
import {
    ATTACHED_PLATFORM_VERSION,
    ATTACHED_PLATFORM_VERSION_RULE,
    CIDR,
    DEFAULT_CREDENTIAL_ROTATION,
    DNS_LABEL,
    EMAIL,
    GIT_URL,
    GUID,
    HTTPS_URL,
    IMAGE_BY_DIGEST,
    KUBE_CPU,
    KUBE_MEMORY,
    OIDC_ISSUER_URL_RULE,
    ROTATION_LABEL,
} from "../../components/formats";
import { parseIpv4Cidr } from "../../components/cidr";
import type * as EdgeClusterModule from "../../components/edge/EdgeCluster";
import { EdgeSchema } from "../../config/edge";
import { workerModule } from "../harness";

// EdgeCluster's checks as the plans load them (the component imports the SDKs).
const { validateEdgeClusterArgs } = workerModule<typeof EdgeClusterModule>(
    "components/edge/EdgeCluster",
);

/** Which of `values` `pattern` accepts. */
const accepted = (pattern: RegExp, values: readonly string[]) =>
    values.filter((v) => pattern.test(v));

describe("CIDR", () => {
    const samples = [
        "10.0.0.0/16",
        "0.0.0.0/0",
        "255.255.255.255/32",
        "10.0.0.1/16",
        "10.0.0.0",
        "10.0.0.0/33",
        "256.0.0.0/8",
        "010.0.0.0/8",
        "10.0.0.0/08",
        "10.0.0/8",
        " 10.0.0.0/8",
        "::/0",
    ];

    it("accepts IPv4 blocks, host bits and all (cidrHostBitsProblem names those)", () => {
        expect(accepted(CIDR, samples)).toEqual([
            "10.0.0.0/16",
            "0.0.0.0/0",
            "255.255.255.255/32",
            "10.0.0.1/16",
        ]);
    });

    // components/cidr.ts says nothing about a value that is not a block and leaves it to this
    // format: the two must agree, or a value would pass the format and escape every CIDR rule.
    it("accepts exactly what the CIDR helpers can read", () => {
        expect(samples.map((s) => CIDR.test(s))).toEqual(
            samples.map((s) => parseIpv4Cidr(s) !== undefined),
        );
    });
});

describe("DNS_LABEL", () => {
    // A DNS-1123 label, as the API server checks Kubernetes object names: `[a-z0-9]([-a-z0-9]*
    // [a-z0-9])?`, at most 63 characters (k8s.io/apimachinery pkg/util/validation
    // IsDNS1123Label).
    it("is a Kubernetes DNS-1123 label", () => {
        expect(
            accepted(DNS_LABEL, [
                "a",
                "app-tls",
                "0day",
                "a".repeat(63),
                "a".repeat(64),
                "-app",
                "app-",
                "App",
                "app.tls",
                "app_tls",
                "",
            ]),
        ).toEqual(["a", "app-tls", "0day", "a".repeat(63)]);
    });
});

describe("Kubernetes quantities", () => {
    // A subset of resource.Quantity (k8s.io/apimachinery pkg/api/resource/quantity.go): whole or
    // decimal cores and millicores for CPU; bytes with binary (Ki, Mi, ...) or decimal (K, M, ...)
    // suffixes for memory. `128MB` is no quantity at all: the API server refuses it.
    it("takes the CPU quantities users write, and refuses what is none", () => {
        expect(
            accepted(KUBE_CPU, ["100m", "1", "0.5", "2.25", "lots", "100mi", ".5", "1.", "-1"]),
        ).toEqual(["100m", "1", "0.5", "2.25"]);
    });

    it("takes memory in bytes with a binary or decimal suffix, never MB", () => {
        expect(
            accepted(KUBE_MEMORY, ["128Mi", "1Gi", "512M", "1000", "128MB", "Mi", "-1Gi", "1 Gi"]),
        ).toEqual(["128Mi", "1Gi", "512M", "1000"]);
    });
});

describe("IMAGE_BY_DIGEST", () => {
    const digest = `sha256:${"a".repeat(64)}`;

    it("takes a registry host, a repository and a full sha256 digest, never a tag alone", () => {
        expect(
            accepted(IMAGE_BY_DIGEST, [
                `registry.example.com/app@${digest}`,
                `localhost:5000/team/app@${digest}`,
                `fleet.azurecr.io/app:latest`,
                `app@${digest}`,
                `registry.example.com/app@sha256:${"A".repeat(64)}`,
                `registry.example.com/app@sha256:${"a".repeat(63)}`,
                `registry.example.com/App@${digest}`,
            ]),
        ).toEqual([`registry.example.com/app@${digest}`, `localhost:5000/team/app@${digest}`]);
    });
});

describe("GIT_URL", () => {
    // What Config Sync and Flux clone: https, or ssh in either form (scp-like `git@host:path`).
    it("takes https and ssh URLs, and refuses plain http, files and bare paths", () => {
        expect(
            accepted(GIT_URL, [
                "https://github.com/org/fleet.git",
                "ssh://git@github.com/org/fleet.git",
                "git@github.com:org/fleet.git",
                "http://github.com/org/fleet.git",
                "file:///srv/fleet.git",
                "github.com/org/fleet",
                "https://github.com/org/fleet two",
            ]),
        ).toEqual([
            "https://github.com/org/fleet.git",
            "ssh://git@github.com/org/fleet.git",
            "git@github.com:org/fleet.git",
        ]);
    });
});

describe("GUID", () => {
    // Azure subscription, tenant and Entra ID object ids: 8-4-4-4-12 hexadecimal digits, in
    // either case (Azure returns them lowercase; the portal shows some uppercase).
    it("takes 8-4-4-4-12 hex in either case, and nothing around it", () => {
        expect(
            accepted(GUID, [
                "00000000-0000-0000-0000-000000000001",
                "E147488A-F6F5-4113-8E2D-B22465E65BF6",
                "{00000000-0000-0000-0000-000000000001}",
                "00000000000000000000000000000001",
                "00000000-0000-0000-0000-00000000000g",
            ]),
        ).toEqual(["00000000-0000-0000-0000-000000000001", "E147488A-F6F5-4113-8E2D-B22465E65BF6"]);
    });
});

describe("EMAIL", () => {
    it("takes something@domain.tld, loosely, and refuses what cannot be an address", () => {
        expect(
            accepted(EMAIL, [
                "ops@example.com",
                "a.b+alerts@corp.example.org",
                "ops@example",
                "@x.y",
                "a b@x.y",
            ]),
        ).toEqual(["ops@example.com", "a.b+alerts@corp.example.org"]);
    });
});

describe("ROTATION_LABEL", () => {
    it("takes a short label, the default among them", () => {
        expect(
            accepted(ROTATION_LABEL, [
                "1",
                "2026-11",
                "v2.1_a",
                "a".repeat(63),
                "a".repeat(64),
                "",
                "2026 11",
            ]),
        ).toEqual(["1", "2026-11", "v2.1_a", "a".repeat(63)]);
        expect(ROTATION_LABEL.test(DEFAULT_CREDENTIAL_ROTATION)).toBe(true);
    });
});

describe("an attached or edge cluster's OIDC issuer and platform version", () => {
    // The GKE fleet trusts the cluster's service account issuer over https (AttachedCluster
    // oidcConfig.issuerUrl: "A JSON Web Token (JWT) issuer URI. `issuer` must start with
    // `https://`", @pulumi/gcp types/input.d.ts container.AttachedClusterOidcConfig).
    it("takes an https issuer and a version such as 1.31.0-gke.1", () => {
        expect(
            accepted(HTTPS_URL, [
                "https://oidc.example.com/store-1",
                "http://oidc.example.com",
                "https://",
            ]),
        ).toEqual(["https://oidc.example.com/store-1"]);
        expect(
            accepted(ATTACHED_PLATFORM_VERSION, ["1.31.0-gke.1", "1.31", "1.31.0", "1.31.0-gke"]),
        ).toEqual(["1.31.0-gke.1"]);
    });

    it("is refused in the same words by the config and by EdgeCluster", () => {
        const parsed = EdgeSchema.safeParse({
            sites: [
                {
                    name: "store-1",
                    region: "eu-west",
                    kubeconfig: "current-context: a\ncontexts: [{ name: a }]\n",
                    oidcIssuerUrl: "http://issuer",
                },
            ],
            anthos: { platformVersion: "1.31" },
        });
        expect(parsed.error?.issues.map((i) => i.message).sort()).toEqual(
            [OIDC_ISSUER_URL_RULE, ATTACHED_PLATFORM_VERSION_RULE].sort(),
        );
        expect(
            validateEdgeClusterArgs("store-1", {
                kubeconfig: "current-context: a\ncontexts: [{ name: a }]\n",
                arc: {
                    resourceGroupName: "rg",
                    location: "westeurope",
                    subscriptionId: "s",
                    tenantId: "t",
                    agentChartVersion: "1.30.1",
                },
                anthos: {
                    project: "p",
                    projectNumber: "1",
                    location: "us-west1",
                    platformVersion: "1.31",
                    oidcIssuerUrl: "http://issuer",
                },
            }),
        ).toEqual([
            `anthos.oidcIssuerUrl 'http://issuer' ${OIDC_ISSUER_URL_RULE}`,
            `anthos.platformVersion '1.31' ${ATTACHED_PLATFORM_VERSION_RULE}`,
        ]);
    });
});
