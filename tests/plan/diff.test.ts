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
} from "../../plan/diff";
import { REPLACE_ON_CHANGE } from "../../plan/replace-rules";
import type { PlanResult } from "../../plan/run";
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
    // The engine's property paths (sdk/go/common/resource/properties_path.go): `a.b[0]`,
    // `a["b.c"]` for a key with dots, `*` and `[*]` alike for any key or index.
    it.each([
        ["name", "name", true],
        ["name", "namePrefix", false], // a property whose name starts alike is another property
        ["spec.selector", "spec.selector.matchLabels.app", true],
        ["spec.selector", "spec.template", false],
        ["ingress[*].fromPort", "ingress[2].fromPort", true],
        ["ingress[*].fromPort", "ingress[2].toPort", false],
        ["tags.*", "tags.Name", true],
        ["tags[*]", "tags.Name", true],
        ["list.*", "list[0]", true],
        ["a.*.c", "a[1].c", true],
        [
            'metadata.annotations["kubernetes.io/ingress.class"]',
            'metadata.annotations["kubernetes.io/ingress.class"]',
            true,
        ],
        [
            'metadata.annotations["kubernetes.io/ingress.class"]',
            'metadata.annotations["kubernetes.io/other"]',
            false,
        ],
        ["policy", "policy(json).Statement[0].Action", true],
        ["configJson(json).uid", "configJson(json).uid", true],
        ["configJson(json).uid", "configJson(json).title", false],
        ["*", "anything.at[0].all", true],
    ])("%s matches %s: %s", (pattern, path, expected) => {
        expect(pathMatches(pattern, path)).toBe(expected);
    });

    it("writes keys that are not names as the engine does", () => {
        expect(valueChanges({ a: { "b.c": 1 } }, { a: { "b.c": 2 } })[0].path).toBe('a["b.c"]');
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

    it("follows a component renamed by an alias to its children named after it", () => {
        // engine inheritedChildAlias: a child named `<parent>-x` of a parent renamed from `old`
        // to `new` was `old-x`.
        const oldParent = resource("multicloud:aws:Fleet", "old");
        const oldChild = resource(SUBNET, "old-subnet", {}, { parent: oldParent.urn });
        const newParent = resource(
            "multicloud:aws:Fleet",
            "new",
            {},
            { aliases: [{ name: "old" }] },
        );
        const newChild = resource(SUBNET, "new-subnet", {}, { parent: newParent.urn });
        const d = diffPlans(plan([oldParent, oldChild]), plan([newParent, newChild]));
        expect(d.resources.map((r) => [r.op, r.name, r.renamedFrom])).toEqual([
            ["same", "new", oldParent.urn],
            ["same", "new-subnet", oldChild.urn],
        ]);
    });

    it("follows a URN alias and a move out of a component (noParent)", () => {
        const top = resource(SUBNET, "a");
        const comp = resource("multicloud:aws:Fleet", "fleet");
        const moved = resource(
            SUBNET,
            "a",
            {},
            { parent: comp.urn, aliases: [{ noParent: true }] },
        );
        expect(ops(diffPlans(plan([top]), plan([comp, moved])))).toEqual([
            "create fleet",
            "same a",
        ]);
        const byUrn = resource(SUBNET, "b", {}, { aliases: [{ urn: top.urn }] });
        expect(diffPlans(plan([top]), plan([byUrn])).resources[0].renamedFrom).toBe(top.urn);
    });

    it("fails, as the engine does, when two resources claim one old resource", () => {
        const old = resource(SUBNET, "a");
        const one = resource(SUBNET, "b", {}, { aliases: [{ name: "a" }] });
        const two = resource(SUBNET, "c", {}, { aliases: [{ name: "a" }] });
        expect(diffPlans(plan([old]), plan([one, two])).errors).toEqual([
            `Duplicate resource alias '${old.urn}' applied to resource with URN '${two.urn}' conflicting with resource with URN '${one.urn}'`,
        ]);
        // An alias to the URN another new resource has.
        const taken = resource(SUBNET, "x", {}, { aliases: [{ name: "a" }] });
        expect(diffPlans(plan([old]), plan([old, taken])).errors).toHaveLength(1);
    });

    it("keeps an Optional + Computed property the program stops setting, which is no change", () => {
        const CLUSTER = "gcp:container/cluster:Cluster";
        const was = resource(CLUSTER, "eu", {
            datapathProvider: "ADVANCED_DATAPATH",
            networkPolicy: {},
        });
        const d = diffPlans(
            plan([was]),
            plan([{ ...was, inputs: { networkPolicy: { enabled: true } } }]),
        );
        expect(ops(d)).toEqual(["update eu"]);
        // Set to another value, it replaces.
        const other = diffPlans(
            plan([was]),
            plan([{ ...was, inputs: { ...was.inputs, datapathProvider: "LEGACY_DATAPATH" } }]),
        );
        expect(ops(other)).toEqual(["replace eu"]);
    });

    it("replaces what reads a replaced resource's id, where that input forces it", () => {
        const vpc = resource("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" });
        const tg = resource(
            TG,
            "tg",
            { vpcId: "vpc-id", port: 443 },
            { propertyDependencies: { vpcId: [vpc.urn], port: [] } },
        );
        const sg = resource(
            "aws:ec2/securityGroupRule:Tagged",
            "tags",
            { note: "vpc-id" },
            { propertyDependencies: { note: [vpc.urn] } },
        );
        const d = diffPlans(
            plan([vpc, tg, sg]),
            plan([{ ...vpc, inputs: { cidrBlock: "10.1.0.0/16" } }, tg, sg]),
        );
        // vpcId is ForceNew for a target group: it is replaced; an input no rule covers is an
        // update, known after apply.
        expect(ops(d)).toEqual(["replace vpc", "replace tg", "update tags"]);
        expect(d.resources[1].replaceReasons).toEqual([
            "vpcId is computed from vpc, which is replaced",
        ]);
        expect(d.resources[1].changes[0]).toMatchObject({ path: "vpcId", computedFrom: vpc.urn });
    });

    describe("a Kubernetes provider", () => {
        // pulumi-kubernetes DiffConfig compares the active cluster of the kubeconfig
        // (plan/replace-rules.ts): new credentials are an update, a new server a replacement,
        // and only a replacement its DiffConfig asks for replaces what it manages (the engine's
        // providerChanged). Built through savePlan, which keeps a digest of that cluster entry
        // beside the (secret) kubeconfig's.
        const kubeconfig = (server: string, token: string) =>
            YAML.stringify({
                apiVersion: "v1",
                kind: "Config",
                "current-context": "c",
                contexts: [{ name: "c", context: { cluster: "k", user: "u" } }],
                clusters: [{ name: "k", cluster: { server } }],
                users: [{ name: "u", user: { token } }],
            });
        const MOCK_STACK = "urn:pulumi:prod::demo::pulumi:pulumi:Stack::demo-prod";
        const PROVIDER = `urn:pulumi:prod::demo::pulumi:pulumi:Stack$pulumi:providers:kubernetes::site`;
        const recorded = (config: string, providerOptions: Record<string, unknown> = {}) =>
            savePlan({
                project: { name: "demo" },
                settings: { stack: "prod" },
                // As the mock runtime records them: its own URNs, which savePlan converts.
                resources: [
                    {
                        urn: MOCK_STACK,
                        type: "pulumi:pulumi:Stack",
                        name: "demo-prod",
                        custom: false,
                    },
                    {
                        urn: PROVIDER,
                        type: "pulumi:providers:kubernetes",
                        name: "site",
                        custom: true,
                        parent: MOCK_STACK,
                        inputs: { kubeconfig: config },
                        secretPaths: ["kubeconfig"],
                        ...providerOptions,
                    },
                    {
                        urn: "urn:pulumi:prod::demo::pulumi:pulumi:Stack$kubernetes:core/v1:Namespace::app",
                        type: "kubernetes:core/v1:Namespace",
                        name: "app",
                        custom: true,
                        parent: MOCK_STACK,
                        provider: PROVIDER,
                        inputs: { metadata: { name: "app" } },
                        secretPaths: [],
                    },
                ].map((r) => ({
                    dependencies: [],
                    propertyDependencies: {},
                    ignoreChanges: [],
                    aliases: [],
                    replaceOnChanges: [],
                    replaceWith: [],
                    ...r,
                })),
                outputs: {},
                outputSecretPaths: [],
            } as unknown as PlanResult);
        const before = recorded(kubeconfig("https://a.example:6443", "t1"));

        it("has engine URNs and no secret in its saved plan", () => {
            expect(before.resources.map((r) => r.urn)).toEqual([
                "urn:pulumi:prod::demo::pulumi:providers:kubernetes::site",
                "urn:pulumi:prod::demo::kubernetes:core/v1:Namespace::app",
            ]);
            expect(before.resources[1].provider).toBe(before.resources[0].urn);
            expect(JSON.stringify(before)).not.toContain("t1");
        });

        it("is updated for new credentials", () => {
            const d = diffPlans(before, recorded(kubeconfig("https://a.example:6443", "t2")));
            expect(ops(d)).toEqual(["update site"]);
        });

        it("is replaced, with what it manages, for another cluster", () => {
            const d = diffPlans(before, recorded(kubeconfig("https://b.example:6443", "t1")));
            expect(ops(d)).toEqual(["replace site", "replace app"]);
            expect(d.resources[0].replaceReasons).toEqual(["kubeconfigActiveCluster changes"]);
            expect(d.resources[1].replaceReasons).toEqual([
                "its provider site is replaced (its DiffConfig)",
            ]);
            // A named object is deleted before its replacement is created.
            expect(d.resources[1].deleteBeforeReplace).toBe(true);
        });

        it("is replaced alone when replaceOnChanges replaces it", () => {
            // The engine asks the new provider's DiffConfig, which sees only credentials.
            const options = { replaceOnChanges: ["kubeconfig"] };
            const d = diffPlans(
                recorded(kubeconfig("https://a.example:6443", "t1"), options),
                recorded(kubeconfig("https://a.example:6443", "t2"), options),
            );
            expect(ops(d)).toEqual(["replace site"]);
        });
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
        // A trigger set for the first time, or removed, replaces nothing (shouldTriggerReplace).
        const added = diffPlans(plan([{ ...key, replacementTrigger: undefined }]), plan([key]));
        expect(added.resources).toEqual([]);
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
        // A value cannot close the code block it is quoted in.
        const sneaky = diffPlans(
            plan([resource(SUBNET, "b", { description: "a" })]),
            plan([resource(SUBNET, "b", { description: "```\n<img src=x>" })]),
        );
        const quoted = renderDiffMarkdown(sneaky, "main");
        expect(quoted.match(/```/g)).toHaveLength(2); // the block's own fences only
    });
});
