/**
 * The offline diff (plan/diff.ts) on small hand-made plans: matching by URN and alias, changed
 * paths, replacement by rule, by provider and through computed inputs, secrets, rendering.
 */
import {
    diffPlans,
    pathMatches,
    PLAN_FORMAT,
    renderDiff,
    renderDiffMarkdown,
    SavedPlan,
    savePlan,
    SavedResource,
    secretMarker,
    summaryLine,
    urnOf,
    valueChanges,
} from "../plan/diff";
import { REPLACE_ON_CHANGE } from "../plan/replace-rules";
import type { PlanResult } from "../plan/run";
import * as YAML from "yaml";

const STACK_URN = "urn:pulumi:prod::demo::pulumi:pulumi:Stack::demo-prod";

function resource(
    type: string,
    name: string,
    inputs: Record<string, unknown> = {},
    more: Partial<SavedResource> = {},
): SavedResource {
    const parent = more.parent ?? STACK_URN;
    return {
        urn: urnOf("demo", "prod", parent, type, name),
        type,
        name,
        custom: !type.startsWith("multicloud:"),
        parent,
        inputs,
        aliases: [],
        replaceOnChanges: [],
        deleteBeforeReplace: false,
        ignoreChanges: [],
        propertyDependencies: {},
        ...more,
    };
}

function plan(resources: SavedResource[], outputs: Record<string, unknown> = {}): SavedPlan {
    return { format: PLAN_FORMAT, project: "demo", stack: "prod", resources, outputs };
}

const ops = (d: ReturnType<typeof diffPlans>) => d.resources.map((r) => `${r.op} ${r.name}`);

describe("pathMatches", () => {
    it.each([
        ["name", "name", true],
        ["name", "namePrefix", false], // a property whose name starts alike is another property
        ["spec.selector", "spec.selector.matchLabels.app", true],
        ["spec.selector", "spec.template", false],
        ["ingress[*].fromPort", "ingress[2].fromPort", true],
        ["ingress[*].fromPort", "ingress[2].toPort", false],
        ["tags.*", "tags.Name", true],
        ["policy", "policy(json).Statement[0].Action", true],
        ["*", "anything.at[0].all", true],
    ])("%s matches %s: %s", (pattern, path, expected) => {
        expect(pathMatches(pattern, path)).toBe(expected);
    });
});

describe("valueChanges", () => {
    it("reports leaf paths, old -> new, and descends into JSON text", () => {
        expect(
            valueChanges(
                { a: 1, list: ["x", "y"], policy: '{"Statement":[{"Action":"s3:Get*"}]}' },
                { a: 1, list: ["x"], policy: '{"Statement":[{"Action":"s3:*"}]}', b: true },
            ),
        ).toEqual([
            { path: "b", new: true },
            { path: "list[1]", old: "y" },
            { path: "policy(json).Statement[0].Action", old: "s3:Get*", new: "s3:*" },
        ]);
    });

    it("shows secrets as [secret] and compares them by digest", () => {
        expect(valueChanges({ k: secretMarker("old") }, { k: secretMarker("old") })).toEqual([]);
        const [change] = valueChanges({ k: secretMarker("old") }, { k: secretMarker("new") });
        expect(change).toEqual({ path: "k", old: "[secret]", new: "[secret]" });
        // Not even the digest is shown.
        expect(JSON.stringify(change)).not.toContain("sha256");
    });
});

describe("diffPlans", () => {
    const SUBNET = "aws:ec2/subnet:Subnet";
    const TG = "aws:lb/targetGroup:TargetGroup";

    it("is empty for a plan against itself", () => {
        const p = plan([resource(SUBNET, "a", { cidrBlock: "10.0.0.0/24" })], { x: 1 });
        const d = diffPlans(p, p);
        expect(d.resources).toEqual([]);
        expect(d.outputs).toEqual([]);
        expect(summaryLine(d.summary)).toBe("1 unchanged");
    });

    it("creates, updates and deletes, and replaces where the provider replaces", () => {
        // cidrBlock is ForceNew for a subnet; tags are not.
        expect(REPLACE_ON_CHANGE[SUBNET].map((r) => r.path)).toContain("cidrBlock");
        const base = plan([
            resource(SUBNET, "a", { cidrBlock: "10.0.0.0/24", tags: { t: "1" } }),
            resource(SUBNET, "b", { cidrBlock: "10.0.1.0/24" }),
            resource(SUBNET, "gone", { cidrBlock: "10.0.9.0/24" }),
        ]);
        const head = plan([
            resource(SUBNET, "a", { cidrBlock: "10.0.0.0/24", tags: { t: "2" } }),
            resource(SUBNET, "b", { cidrBlock: "10.0.2.0/24" }),
            resource(SUBNET, "new", { cidrBlock: "10.0.3.0/24" }),
        ]);
        const d = diffPlans(base, head);
        expect(ops(d)).toEqual(["update a", "replace b", "create new", "delete gone"]);
        expect(d.resources[1].changes).toEqual([
            {
                path: "cidrBlock",
                old: "10.0.1.0/24",
                new: "10.0.2.0/24",
                replaces: expect.stringContaining("ForceNew"),
            },
        ]);
        expect(summaryLine(d.summary)).toBe(
            "+ 1 to create, ~ 1 to update, +- 1 to replace, - 1 to delete, 0 unchanged",
        );
    });

    it("follows aliases, including those a child inherits from a parent of a new type", () => {
        // A component's type is part of its children's URNs (as when ConfigSyncOverride became
        // ConfigSyncMember): one alias on the parent keeps every child.
        const oldParent = resource("multicloud:gcp:ConfigSyncOverride", "eu");
        const oldChild = resource(
            "gcp:gkehub/featureMembership:FeatureMembership",
            "eu",
            {},
            {
                parent: oldParent.urn,
            },
        );
        const newParent = resource(
            "multicloud:gcp:ConfigSyncMember",
            "eu",
            {},
            {
                aliases: [{ type: "multicloud:gcp:ConfigSyncOverride" }],
            },
        );
        const newChild = resource(
            "gcp:gkehub/featureMembership:FeatureMembership",
            "eu",
            {},
            {
                parent: newParent.urn,
            },
        );
        expect(newChild.urn).not.toBe(oldChild.urn);
        const d = diffPlans(plan([oldParent, oldChild]), plan([newParent, newChild]));
        expect(d.resources.map((r) => [r.op, r.type, r.renamedFrom])).toEqual([
            ["same", newParent.type, oldParent.urn],
            ["same", newChild.type, oldChild.urn],
        ]);
        expect(d.summary).toMatchObject({ create: 0, delete: 0, renamed: 2, unchanged: 2 });
        // Without the alias: a delete and a create of each.
        const plain = diffPlans(
            plan([oldParent, oldChild]),
            plan([{ ...newParent, aliases: [] }, newChild]),
        );
        expect(plain.summary).toMatchObject({ create: 2, delete: 2 });
        // A renamed resource, by a name alias.
        const renamed = diffPlans(
            plan([resource(SUBNET, "a-0")]),
            plan([resource(SUBNET, "a-eu", {}, { aliases: [{ name: "a-0" }] })]),
        );
        expect(renamed.resources.map((r) => [r.op, r.name])).toEqual([["same", "a-eu"]]);
    });

    it("replaces what a replaced provider manages, and what reads a replaced resource's id", () => {
        const k8s = resource("pulumi:providers:kubernetes", "site", {
            kubeconfig: secretMarker("a"),
        });
        const ns = resource(
            "kubernetes:core/v1:Namespace",
            "app",
            { metadata: { name: "app" } },
            {
                provider: k8s.urn,
            },
        );
        const vpc = resource("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" });
        const tg = resource(
            TG,
            "tg",
            { vpcId: "vpc-id", port: 443 },
            {
                propertyDependencies: { vpcId: [vpc.urn], port: [] },
            },
        );
        const base = plan([k8s, ns, vpc, tg]);
        const head = plan([
            { ...k8s, replaceOnChanges: ["kubeconfig"] }, // as if its cluster changed
            ns,
            { ...vpc, inputs: { cidrBlock: "10.1.0.0/16" } },
            tg,
        ]);
        const d = diffPlans(base, {
            ...head,
            resources: head.resources.map((r) =>
                r.name === "site" ? { ...r, inputs: { kubeconfig: secretMarker("b") } } : r,
            ),
        });
        expect(ops(d)).toEqual(["replace site", "replace app", "replace vpc", "replace tg"]);
        expect(d.resources[1].replaceReasons).toEqual(["its provider site is replaced"]);
        expect(d.resources[3].replaceReasons).toEqual([
            "vpcId is computed from vpc, which is replaced",
        ]);
        expect(d.resources[3].changes[0]).toMatchObject({ path: "vpcId", computedFrom: vpc.urn });
    });

    it("replaces on a new replacementTrigger, and with what a replaceWith names", () => {
        const key = resource(
            "aws:iam/accessKey:AccessKey",
            "key",
            { user: "u" },
            {
                replacementTrigger: "2026-11",
            },
        );
        const follower = resource(
            "aws:iam/user:User",
            "follower",
            {},
            {
                replaceWith: [key.urn],
            },
        );
        const d = diffPlans(
            plan([key, follower]),
            plan([{ ...key, replacementTrigger: "2026-12" }, follower]),
        );
        expect(ops(d)).toEqual(["replace key", "replace follower"]);
        expect(d.resources[0].changes).toEqual([
            {
                path: "(replacementTrigger)",
                old: "2026-11",
                new: "2026-12",
                replaces: expect.stringContaining("replacementTrigger option"),
            },
        ]);
        expect(d.resources[1].replaceReasons).toEqual(["it is replaced with key (replaceWith)"]);
    });

    it("replaces a Kubernetes provider only when its kubeconfig points at another cluster", () => {
        // pulumi-kubernetes DiffConfig compares the active cluster entry (plan/replace-rules.ts):
        // new credentials are an update, a new server a replacement. Built through savePlan,
        // which keeps a digest of that entry beside the (secret) kubeconfig's.
        const kubeconfig = (server: string, token: string) =>
            YAML.stringify({
                apiVersion: "v1",
                kind: "Config",
                "current-context": "c",
                contexts: [{ name: "c", context: { cluster: "k", user: "u" } }],
                clusters: [{ name: "k", cluster: { server } }],
                users: [{ name: "u", user: { token } }],
            });
        const recorded = (config: string) =>
            savePlan({
                project: { name: "demo" },
                settings: { stack: "prod" },
                resources: [
                    {
                        urn: urnOf(
                            "demo",
                            "prod",
                            STACK_URN,
                            "pulumi:providers:kubernetes",
                            "site",
                        ),
                        type: "pulumi:providers:kubernetes",
                        name: "site",
                        custom: true,
                        parent: STACK_URN,
                        inputs: { kubeconfig: config },
                        secretPaths: ["kubeconfig"],
                        dependencies: [],
                        propertyDependencies: {},
                        ignoreChanges: [],
                        aliases: [],
                        replaceOnChanges: [],
                        deleteBeforeReplace: false,
                        replaceWith: [],
                    },
                ],
                outputs: {},
                outputSecretPaths: [],
            } as unknown as PlanResult);
        const before = recorded(kubeconfig("https://a.example:6443", "t1"));
        expect(JSON.stringify(before)).not.toContain("t1"); // no secret in a saved plan
        const rotated = diffPlans(before, recorded(kubeconfig("https://a.example:6443", "t2")));
        expect(ops(rotated)).toEqual(["update site"]);
        const moved = diffPlans(before, recorded(kubeconfig("https://b.example:6443", "t1")));
        expect(ops(moved)).toEqual(["replace site"]);
        expect(moved.resources[0].replaceReasons).toEqual(["kubeconfig(active cluster) changes"]);
    });

    it("ignores paths under ignoreChanges, and diffs the stack outputs with secrets masked", () => {
        const base = plan(
            [resource(SUBNET, "a", { tags: { t: "1" } }, { ignoreChanges: ["tags"] })],
            {
                token: secretMarker("x"),
                url: "https://a",
            },
        );
        const head = plan(
            [resource(SUBNET, "a", { tags: { t: "2" } }, { ignoreChanges: ["tags"] })],
            {
                token: secretMarker("y"),
                url: "https://b",
            },
        );
        const d = diffPlans(base, head);
        expect(d.resources).toEqual([]);
        expect(d.outputs).toEqual([
            { path: "token", old: "[secret]", new: "[secret]" },
            { path: "url", old: "https://a", new: "https://b" },
        ]);
    });

    it("renders text and Markdown that name each change and the reason for a replacement", () => {
        const base = plan([resource(SUBNET, "b", { cidrBlock: "10.0.1.0/24" })]);
        const head = plan([resource(SUBNET, "b", { cidrBlock: "10.0.2.0/24" })]);
        const d = diffPlans(base, head);
        const text = renderDiff(d, "main (abc1234)");
        expect(text).toContain("+- aws:ec2/subnet:Subnet b  replace");
        expect(text).toContain('cidrBlock: "10.0.1.0/24" -> "10.0.2.0/24"  [forces replacement: ');
        expect(text).toContain("Resources: +- 1 to replace, 0 unchanged");
        const md = renderDiffMarkdown(d, "main (abc1234)");
        expect(md).toContain("### Offline plan of `prod`: +- 1 to replace, 0 unchanged");
        expect(md).toContain(
            "| `+-` replace | `aws:ec2/subnet:Subnet` | `b` | cidrBlock changes |",
        );
        expect(renderDiffMarkdown(diffPlans(base, base), "main")).toContain("No resource changes.");
    });
});
