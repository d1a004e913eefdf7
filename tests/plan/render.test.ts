/**
 * The plan's text for a reader new to the stack (plan/render.ts): the summary's lines, the
 * placeholder warnings, the outputs as YAML with secrets masked, and the "Next:" line.
 */
import { findPlaceholders, type PlaceholderFinding } from "../../lib/placeholders";
import type { Verdict } from "../../plan/gate";
import type { RecordedResource } from "../../plan/mocks";
import {
    cloudsLine,
    maskSecrets,
    nextStep,
    placeholderWarnings,
    policyLine,
    renderOutputs,
    resourcesLine,
} from "../../plan/render";
import type { PlanResult } from "../../plan/run";

function verdict(mandatory: number, advisory: number): Verdict {
    return { mandatory, advisory, policies: new Array(40).fill({}) } as unknown as Verdict;
}

const PLACEHOLDERS: PlaceholderFinding[] = findPlaceholders(
    {
        "multicloud:gcp": { project: "acme-000000" },
        "multicloud:databaseUrl": { secure: "v1:placeholder-ciphertext-x" },
    },
    "multicloud",
);

describe("the summary", () => {
    it("counts the resources to create by provider, most first, then the components", () => {
        const r = (type: string, custom = true) => ({ type, custom }) as RecordedResource;
        expect(
            resourcesLine([
                r("pulumi:pulumi:Stack", false),
                r("multicloud:gcp:GkeCluster", false),
                r("gcp:container/cluster:Cluster"),
                r("pulumi:providers:gcp"),
                r("aws:ec2/vpc:Vpc"),
            ]),
        ).toBe("4 to create: gcp 2, aws 1, and 1 component");
        expect(resourcesLine([r("pulumi:pulumi:Stack", false)])).toBe("0 to create");
    });

    it("names the clouds the config enables, where they deploy, and the edge sites", () => {
        const plan = (config: Record<string, unknown>) =>
            ({
                project: { name: "multicloud" },
                settings: {
                    written: Object.fromEntries(
                        Object.entries(config).map(([k, v]) => [`multicloud:${k}`, v]),
                    ),
                },
            }) as unknown as PlanResult;
        expect(
            cloudsLine(
                plan({
                    aws: { enabled: true, region: "us-east-1" },
                    gcp: { enabled: false, project: "p" },
                    azure: { enabled: true, location: "westeurope" },
                    edge: { sites: [{ name: "a" }] },
                }),
            ),
        ).toBe("AWS (us-east-1), Azure (westeurope); off: Google Cloud; 1 edge site");
        expect(cloudsLine(plan({}))).toBeUndefined();
    });

    it("says whether the stack passes the policy gate", () => {
        expect(policyLine(verdict(0, 0))).toBe(
            "the gate passes: 0 mandatory, 0 advisory violations (40 policies)",
        );
        expect(policyLine(verdict(0, 1))).toBe(
            "the gate passes: 0 mandatory, 1 advisory violation (40 policies); advisory ones are reported, not enforced",
        );
        expect(policyLine(verdict(2, 0))).toBe(
            "the gate FAILS: 2 mandatory, 0 advisory violations (40 policies); `pulumi preview --policy-pack policy` would stop here",
        );
        expect(policyLine(undefined)).toBe("not checked (--no-policy)");
    });
});

describe("placeholderWarnings", () => {
    it("prints one line per placeholder, never a secret's value, then what leaving them means", () => {
        const lines = placeholderWarnings(PLACEHOLDERS, { "multicloud:gcp": "Pulumi.yaml" });
        expect(lines).toEqual([
            "Warnings: 2 placeholder values of the template still in the stack:",
            "  warning: multicloud:gcp.project (Pulumi.yaml) = acme-000000; replace with your Google Cloud project id: `gcloud projects list`",
            "  warning: multicloud:databaseUrl = [secret]; replace with your PostgreSQL URL, requiring TLS, as a secret: " +
                "`pulumi config set --secret databaseUrl 'postgresql://<user>:<password>@<host>:5432/<db>?sslmode=verify-full'`",
            "`pulumi up` would fail, or deploy into someone else's ids, until they are replaced.",
        ]);
        expect(placeholderWarnings([])).toEqual([]);
    });
});

describe("renderOutputs", () => {
    it("prints the outputs as indented YAML, keys sorted, secrets masked as before", () => {
        const outputs = maskSecrets(
            { b: { list: ["x", "y"], token: "s3cr3t", none: null }, a: "text", gone: undefined },
            ["b.token"],
        );
        expect(renderOutputs(outputs)).toEqual([
            "  a: text",
            "  b:",
            "    list:",
            "      - x",
            "      - y",
            '    token: "[secret]"',
            "    none: null",
        ]);
        expect(renderOutputs({})).toEqual([]);
    });
});

describe("nextStep", () => {
    it("asks for the mandatory fixes first, then the placeholders", () => {
        expect(nextStep("prod", verdict(3, 1), PLACEHOLDERS)).toBe(
            "Next: fix the 3 mandatory violations above (under each, what to change in this stack), then plan again: `npm run plan -- --stack prod`.\n" +
                "Then replace the 2 placeholder values listed at the top, each as its warning says (README.md#deploy-for-real).",
        );
    });

    it("with placeholders left, starts the stack on a backend and replaces them", () => {
        expect(nextStep("dev", verdict(0, 3), PLACEHOLDERS)).toBe(
            "Next: `pulumi stack init dev` on your backend, then replace the 2 placeholder values listed at the top, " +
                "each as its warning says (README.md#deploy-for-real), and `pulumi preview`.",
        );
    });

    it("all clean: a real preview", () => {
        expect(nextStep("dev", verdict(0, 0), [])).toBe(
            "Next: `pulumi preview` of stack dev on your backend, the last word on what `pulumi up` will do.",
        );
        expect(nextStep("dev", verdict(0, 2), [])).toContain(
            "(first, the 2 advisory violations above may be worth fixing)",
        );
        expect(nextStep("dev", undefined, [])).toContain("with the policy gate (drop --no-policy)");
    });
});
